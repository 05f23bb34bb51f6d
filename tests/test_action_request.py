"""The action server is sent the current turn's events with the full tracker state
(intake_nlu/action_request.py): what our actions read is the same as with every event."""
from rasa.core.actions.action import RemoteAction
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, ActiveLoop, BotUttered, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker, EventVerbosity
from rasa.utils.endpoints import EndpointConfig
from rasa_sdk import Tracker

import intake_nlu  # noqa: F401  (installs it)
from tests.conftest import ROOT

DOMAIN = Domain.load(str(ROOT / "domain.yml"))
ENDPOINT = EndpointConfig("http://127.0.0.1:1/webhook", enable_selective_domain=True)


def two_turns() -> DialogueStateTracker:
    events = [
        ActionExecuted("action_listen"),
        UserUttered("work is crushing me", {"name": "share_concern"},
                    [{"entity": "concern", "value": "work_stress", "start": 0, "end": 4}]),
        SlotSet("concerns", ["work_stress"]), ActionExecuted("action_continue_intake"), BotUttered("tell me more"),
        ActionExecuted("accept_therapy_ack"), ActiveLoop("scheduling_form"), SlotSet("requested_slot", "preferred_days"),
        ActionExecuted("action_listen"),
        UserUttered("tues and thurs", {"name": "inform_schedule"}),
        SlotSet("preferred_days", ["tuesday", "thursday"]),
    ]
    return DialogueStateTracker.from_events("request", events, DOMAIN.slots)


def test_the_call_carries_the_current_turn_and_the_whole_state():
    tracker = two_turns()
    call = RemoteAction("validate_scheduling_form", ENDPOINT)._action_call_format(tracker, DOMAIN)
    sent = call["tracker"]
    assert [event["event"] for event in sent["events"]] == ["user", "slot"]
    assert sent["events"][0]["text"] == "tues and thurs"
    full = tracker.current_state(EventVerbosity.ALL)
    assert {key: value for key, value in sent.items() if key != "events"} == \
           {key: value for key, value in full.items() if key != "events"}
    assert sent["slots"]["concerns"] == ["work_stress"]  # set in the earlier turn, still there
    assert "domain" not in call  # selective domain: the actions never read it


def test_what_the_actions_read_is_the_same_as_with_every_event():
    tracker = two_turns()
    trimmed = Tracker.from_dict(RemoteAction("validate_scheduling_form", ENDPOINT)
                                ._action_call_format(tracker, DOMAIN)["tracker"])
    full = Tracker.from_dict(tracker.current_state(EventVerbosity.ALL))
    for read in (lambda t: t.slots, lambda t: t.latest_message, lambda t: t.active_loop,
                 lambda t: t.slots_to_validate(), lambda t: list(t.get_latest_entity_values("concern")),
                 lambda t: t.latest_action_name):
        assert read(trimmed) == read(full)
    assert trimmed.slots_to_validate() == {"preferred_days": ["tuesday", "thursday"]}


def test_before_any_message_every_event_is_sent():
    tracker = DialogueStateTracker.from_events("request", [ActionExecuted("action_session_start")], DOMAIN.slots)
    call = RemoteAction("action_continue_intake", ENDPOINT)._action_call_format(tracker, DOMAIN)
    assert [event["event"] for event in call["tracker"]["events"]] == ["action"]
