"""When Rasa's slot extraction calls the action server: only when the slot-mapping action
can change a slot, never for a crisis message."""

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, ActiveLoop, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from intake_rasa_patches.action_server_guard import _can_change_slots
from tests.conftest import ROOT
from tests.fake_action_servers import answers_once_per_connection, webhook_server

pytestmark = pytest.mark.patched

DOMAIN = Domain.load(str(ROOT / "domain"))


def tracker(intent, entities=(), loop=None):
    events = [ActionExecuted("action_listen")]
    if loop:
        events.append(ActiveLoop(loop))
    events.append(UserUttered("text", {"name": intent, "confidence": 1.0}, list(entities)))
    return DialogueStateTracker.from_events("s", events, DOMAIN.slots)


CONCERN = {"entity": "concern", "value": "stress", "start": 0, "end": 4}


def test_a_message_with_entities_or_inside_a_form_is_validated():
    assert _can_change_slots(tracker("share_concern", [CONCERN]))
    assert _can_change_slots(tracker("inform_schedule", loop="scheduling_form"))
    assert _can_change_slots(tracker("answer_screening", loop="screening_form"))


def test_a_message_that_cannot_change_a_slot_skips_the_action_server():
    assert not _can_change_slots(tracker("ask_cost"))
    assert not _can_change_slots(tracker("affirm"))


def test_a_crisis_message_never_waits_for_the_action_server():
    assert not _can_change_slots(tracker("crisis", [CONCERN], loop="scheduling_form"))


async def extract_slots(tracker_):
    from rasa.core.actions.action import ActionExtractSlots
    from rasa.core.channels import CollectingOutputChannel
    from rasa.core.nlg import TemplatedNaturalLanguageGenerator
    from rasa.utils.endpoints import EndpointConfig

    dead_server = EndpointConfig("http://127.0.0.1:1/webhook")  # nothing listens there
    return await ActionExtractSlots(dead_server).run(
        CollectingOutputChannel(), TemplatedNaturalLanguageGenerator(DOMAIN.responses), tracker_, DOMAIN
    )


async def test_slot_extraction_calls_the_action_server_only_when_a_slot_can_change():
    from intake_rasa_patches.action_server_guard import _Circuit

    _Circuit.close()
    await extract_slots(tracker("ask_cost"))
    assert not _Circuit.open_until  # not called: the dead server was never tried
    await extract_slots(tracker("share_concern", [CONCERN]))
    assert _Circuit.open_until  # called, failed, and the circuit opened
    _Circuit.close()


async def run_action(endpoint):
    from rasa.core.actions.action import RemoteAction
    from rasa.core.channels import CollectingOutputChannel
    from rasa.core.nlg import TemplatedNaturalLanguageGenerator

    return await RemoteAction("action_continue_intake", endpoint).run(
        CollectingOutputChannel(), TemplatedNaturalLanguageGenerator(DOMAIN.responses), tracker("affirm"), DOMAIN
    )


async def test_an_error_status_from_one_action_fails_that_call_alone():
    """A 500 from one action is that action's failure: the next conversation's actions
    are still called (the circuit opens only when the server cannot be reached)."""
    from aiohttp import web
    from rasa.shared.exceptions import RasaException

    from intake_rasa_patches.action_endpoint_session import KeptAliveEndpointConfig
    from intake_rasa_patches.action_server_guard import _Circuit

    calls = []

    async def webhook(request):
        calls.append(1)
        if len(calls) == 1:
            return web.json_response({"error": "boom"}, status=500)
        return web.json_response({"events": [], "responses": []})

    _Circuit.close()
    async with webhook_server(webhook) as url:
        endpoint = KeptAliveEndpointConfig(url)
        try:
            with pytest.raises(RasaException):
                await run_action(endpoint)
            assert not _Circuit.open_until
            assert await run_action(endpoint) == []
        finally:
            await endpoint.close()
            _Circuit.close()
    assert len(calls) == 2


async def test_a_kept_alive_connection_closed_by_a_restart_fails_one_call_not_the_next():
    from rasa.shared.exceptions import RasaException

    from intake_rasa_patches.action_endpoint_session import KeptAliveEndpointConfig
    from intake_rasa_patches.action_server_guard import _Circuit

    _Circuit.close()
    async with answers_once_per_connection([], b'{"events": [], "responses": []}') as url:
        endpoint = KeptAliveEndpointConfig(url)
        try:
            assert await run_action(endpoint) == []
            with pytest.raises(RasaException):
                await run_action(endpoint)  # written on the connection the server then dropped
            assert not _Circuit.open_until
            assert await run_action(endpoint) == []  # a new connection
        finally:
            await endpoint.close()
            _Circuit.close()
