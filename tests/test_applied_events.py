"""Applied events continued as events arrive (intake_rasa_patches/applied_events.py) are exactly
Rasa's, computed from the start, at every point of a conversation."""

import pytest
from rasa.shared.core.events import (
    ActionExecuted,
    ActionReverted,
    ActiveLoop,
    BotUttered,
    Restarted,
    SessionStarted,
    SlotSet,
    UserUtteranceReverted,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker

from intake_rasa_patches.applied_events import _computed_from_start, applied_events

pytestmark = pytest.mark.patched


def conversation():
    turn = lambda text, intent: [ActionExecuted("action_listen"), UserUttered(text, {"name": intent})]  # noqa: E731
    return [
        ActionExecuted("action_session_start"),
        SessionStarted(),
        *turn("hi", "greet"),
        ActionExecuted("utter_greet"),
        BotUttered("hello"),
        *turn("work stress", "share_concern"),
        SlotSet("concerns", ["work_stress"]),
        ActionExecuted("action_continue_intake"),
        BotUttered("tell me more"),
        *turn("book me", "accept_therapy"),
        ActionExecuted("scheduling_form"),
        ActiveLoop("scheduling_form"),
        SlotSet("requested_slot", "preferred_days"),
        *turn("what does it cost", "ask_cost"),
        ActionExecuted("utter_cost"),
        ActionExecuted("scheduling_form"),
        *turn("tuesdays", "inform_schedule"),
        SlotSet("preferred_days", ["tuesday"]),
        ActionExecuted("scheduling_form"),
        SlotSet("requested_slot", "preferred_time"),
        *turn("oops", "deny"),
        UserUtteranceReverted(),
        *turn("evenings", "inform_schedule"),
        ActionExecuted("scheduling_form"),
        ActiveLoop(None),
        ActionExecuted("utter_summary"),
        ActionReverted(),
        *turn("start over", "restart"),
        Restarted(),
        ActionExecuted("action_session_start"),
        SessionStarted(),
        *turn("hello again", "greet"),
    ]


@pytest.mark.parametrize("every", [1, 2, 5])
def test_applied_events_are_rasas_at_every_point(every):
    tracker = DialogueStateTracker("applied", [])
    for number, event in enumerate(conversation()):
        tracker.update(event)
        if number % every == 0:
            ours = tracker.applied_events()
            assert [id(e) for e in ours] == [id(e) for e in _computed_from_start(tracker)], number
            ours.append("changed by the caller")  # a caller's list is its own


def test_it_is_installed():
    assert DialogueStateTracker.applied_events is applied_events
