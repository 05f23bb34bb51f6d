"""When the action server is down or slow, the person gets a short apology within
seconds, the turn is stored, and the conversation continues once the server is back.

Rasa 3.6 waits up to 300 s for a custom action, and when one fails it logs the error
and says nothing: the person sees silence. Here:

- every call to the action server times out after INTAKE_ACTION_TIMEOUT seconds (3);
- a timed-out or refused call opens a short circuit (INTAKE_ACTION_COOLDOWN, 5 s) in
  which further calls fail at once instead of waiting again, so one turn never waits
  twice (slot extraction, then the predicted action); an error status from one action,
  or a kept-alive connection the server had closed, fails that call alone;
- a predicted custom action that fails says `utter_action_unavailable` instead, and the
  bot listens again;
- slot extraction calls `action_validate_slot_mappings` only when it can change a slot:
  when the message carries entities or a form is asking (actions/slot_mappings.py),
  which saves a round trip on most turns; and never for a crisis message, so the crisis
  reply never waits for the action server (risk_flag is set by a Rasa-side mapping).
"""

import asyncio
import copy
import logging
import os
import time
from typing import Any, List

import aiohttp
from rasa.core.actions import action as rasa_actions
from rasa.core.actions.action import ActionExecutionRejection, RemoteAction, create_bot_utterance
from rasa.core.processor import MessageProcessor
from rasa.shared.core.constants import ACTION_LISTEN_NAME
from rasa.shared.core.events import FollowupAction, SlotSet
from rasa.shared.exceptions import RasaException
from rasa.utils.endpoints import ClientResponseError as RasaClientResponseError

logger = logging.getLogger(__name__)

TIMEOUT_SECONDS = float(os.environ.get("INTAKE_ACTION_TIMEOUT", "3"))
COOLDOWN_SECONDS = float(os.environ.get("INTAKE_ACTION_COOLDOWN", "5"))
APOLOGY = "utter_action_unavailable"


class ActionServerUnavailable(RasaException):
    """The action server did not answer in time, or could not be reached."""


class _Circuit:
    open_until = 0.0

    @classmethod
    def check(cls, action_name: str) -> None:
        if time.monotonic() < cls.open_until:
            raise ActionServerUnavailable(f"action server unavailable, not calling '{action_name}'")

    @classmethod
    def trip(cls) -> None:
        cls.open_until = time.monotonic() + COOLDOWN_SECONDS

    @classmethod
    def close(cls) -> None:
        cls.open_until = 0.0


_original_remote_run = RemoteAction.run


def _broke_after_connecting(error: Any) -> bool:
    """The connection was made, then closed or reset by the server (not refused)."""
    return isinstance(error, aiohttp.ServerDisconnectedError) or (
        isinstance(error, aiohttp.ClientOSError) and not isinstance(error, aiohttp.ClientConnectorError)
    )


async def _guarded_remote_run(self: RemoteAction, output_channel, nlg, tracker, domain) -> List[Any]:
    _Circuit.check(self.name())
    try:
        events = await _original_remote_run(self, output_channel, nlg, tracker, domain)
    except ActionExecutionRejection:
        raise  # a form's answer, not a failure
    except (asyncio.TimeoutError, aiohttp.ClientError, ConnectionError) as error:
        _Circuit.trip()
        logger.error("Custom action '%s' failed: %s", self.name(), type(error).__name__)
        raise ActionServerUnavailable(f"custom action '{self.name()}' failed") from None
    except RasaException as error:
        reason = error.__cause__ or error.__context__
        if isinstance(reason, (aiohttp.ClientResponseError, RasaClientResponseError)):
            raise  # the server answered with an error status: it is up
        if _broke_after_connecting(reason):
            # A kept-alive connection the server closed (it restarted): this call fails,
            # the next one connects anew, and a server that is really gone refuses it.
            raise
        _Circuit.trip()
        raise
    _Circuit.close()
    return events


class _ApologizingRemoteAction(RemoteAction):
    """The predicted custom action; on failure it says the apology instead of nothing,
    and the bot listens (logged as action_listen, so the rules see a normal turn)."""

    async def run(self, output_channel, nlg, tracker, domain) -> List[Any]:
        try:
            return await super().run(output_channel, nlg, tracker, domain)
        except ActionExecutionRejection:
            raise
        except RasaException:
            message = await nlg.generate(APOLOGY, tracker, output_channel.name())
            apology = [create_bot_utterance(message)] if message else []
            return apology + [FollowupAction(ACTION_LISTEN_NAME)]


_original_run_action = MessageProcessor._run_action


async def _run_action(self, action, tracker, output_channel, nlg, prediction) -> bool:
    if type(action) is RemoteAction:
        action = copy.copy(action)
        action.__class__ = _ApologizingRemoteAction
    return await _original_run_action(self, action, tracker, output_channel, nlg, prediction)


_original_run_custom_action = rasa_actions.ActionExtractSlots._run_custom_action


def _can_change_slots(tracker) -> bool:
    message = tracker.latest_message
    if (message.intent or {}).get("name") == "crisis":
        return False
    return bool(message.entities) or tracker.active_loop_name is not None


async def _run_custom_action(self, custom_action, output_channel, nlg, tracker, domain) -> List[Any]:
    if not _can_change_slots(tracker):
        return []
    return await _original_run_custom_action(self, custom_action, output_channel, nlg, tracker, domain)


_original_execute_validation_action = rasa_actions.ActionExtractSlots._execute_validation_action


async def _execute_validation_action(self, extraction_events, output_channel, nlg, tracker, domain) -> List[Any]:
    # What Rasa returns when the validation action returns nothing, without first
    # rebuilding the whole conversation into a second tracker for the call.
    if not _can_change_slots(tracker):
        return [event for event in extraction_events if isinstance(event, SlotSet)]
    return await _original_execute_validation_action(self, extraction_events, output_channel, nlg, tracker, domain)


def install() -> None:
    rasa_actions.DEFAULT_REQUEST_TIMEOUT = TIMEOUT_SECONDS
    RemoteAction.run = _guarded_remote_run
    MessageProcessor._run_action = _run_action
    rasa_actions.ActionExtractSlots._run_custom_action = _run_custom_action
    rasa_actions.ActionExtractSlots._execute_validation_action = _execute_validation_action
