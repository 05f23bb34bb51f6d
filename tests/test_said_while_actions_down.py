"""Issue 15 M5: while the action server is down the person is told "what you wrote is
saved"; the concerns and coping strategies of those turns (in the tracker, with their
parse) reach the slots, the next step and the stored record once it is back."""

from rasa_sdk.events import SlotSet

from actions.intake_flow import intake_state
from actions.intake_storage import record_from_tracker
from actions.slot_mappings import ActionValidateSlotMappings
from tests.conftest import entity, make_tracker


def user_event(text, entities):
    return {
        "event": "user",
        "text": text,
        "parse_data": {"intent": {"name": "share_concern"}, "entities": entities, "text": text},
    }


def tracker_after_an_outage(latest_entities=()):
    """Two turns while the action server was down (never validated), then one after."""
    events = [
        user_event("I can't sleep and I feel so alone", [entity("concern", "sleep"), entity("concern", "isolation")]),
        user_event("running helps a bit", [entity("coping_strategy", "exercise")]),
        user_event("and work is a lot", list(latest_entities)),
    ]
    return make_tracker(
        slots={"concerns": [], "coping_strategies": []},
        entities=list(latest_entities),
        text="and work is a lot",
        events=events,
    )


async def test_the_next_validation_collects_what_was_said_during_the_outage(dispatcher, domain):
    tracker = tracker_after_an_outage([entity("concern", "work")])
    events = await ActionValidateSlotMappings().run(dispatcher, tracker, domain)
    slots = {event["name"]: event["value"] for event in events}
    assert slots["concerns"] == ["sleep", "isolation", "work"]
    assert slots["coping_strategies"] == ["exercise"]
    assert SlotSet("ipt_focus", slots["ipt_focus"]) in events and slots["ipt_focus"]


def test_the_record_holds_them_even_when_no_later_message_named_a_concern():
    record = record_from_tracker(tracker_after_an_outage())
    assert record.concerns == ["sleep", "isolation"] and record.coping_strategies == ["exercise"]
    assert record.ipt_focus is not None


def test_the_intake_does_not_ask_again_what_brings_them():
    state = intake_state(tracker_after_an_outage())
    assert state.concerns == ["sleep", "isolation"] and state.coping == ["exercise"]
