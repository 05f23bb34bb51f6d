"""A tracker copied without replay (intake_rasa_patches/tracker_copy.py) is what Rasa's replaying
copy gives, for conversations with forms, reverts, restarts and new sessions."""
import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted, ActionExecutionRejected, ActiveLoop, BotUttered, ConversationPaused, ConversationResumed,
    FollowupAction, LoopInterrupted, Restarted, SessionStarted, SlotSet, UserUttered, UserUtteranceReverted,
)
from rasa.shared.core.trackers import DialogueStateTracker, EventVerbosity

from intake_rasa_patches.tracker_copy import _replaying_copy, copy_tracker
from tests.conftest import ROOT

pytestmark = pytest.mark.patched

DOMAIN = Domain.load(str(ROOT / "domain"))


def conversation():
    return [
        ActionExecuted("action_session_start"), SessionStarted(), ActionExecuted("action_listen"),
        UserUttered("work is crushing me", {"name": "share_concern"}, [{"entity": "concern", "value": "work_stress"}]),
        SlotSet("concerns", ["work_stress"]), ActionExecuted("action_continue_intake"), BotUttered("tell me more"),
        ActionExecuted("action_listen"), UserUttered("yes book me", {"name": "accept_therapy"}),
        ActionExecuted("scheduling_form"), ActiveLoop("scheduling_form"), SlotSet("requested_slot", "preferred_days"),
        ActionExecuted("action_listen"), UserUttered("how much is it", {"name": "ask_cost"}),
        ActionExecutionRejected("scheduling_form"), LoopInterrupted(True), ActionExecuted("utter_cost"),
        ActionExecuted("scheduling_form"), ActionExecuted("action_listen"),
        UserUttered("oops", {"name": "deny"}), UserUtteranceReverted(),
        UserUttered("tues", {"name": "inform_schedule"}), SlotSet("preferred_days", ["tuesday"]),
        FollowupAction("action_listen"), ConversationPaused(), ConversationResumed(),
        ActiveLoop(None), SlotSet("requested_slot", None), SlotSet("risk_flag", True),
        Restarted(), ActionExecuted("action_session_start"), SessionStarted(), SlotSet("concerns", ["sleep"]),
    ]


def message(tracker, latest):
    """An event of the conversation (by identity), or a blank one a reset made."""
    if any(event is latest for event in tracker.events):
        return "event", id(latest)
    return "blank", type(latest).__name__, latest.text


def state(tracker):
    return {
        "current": tracker.current_state(EventVerbosity.ALL),
        "events": [id(event) for event in tracker.events],
        "slots": {name: (slot.value, slot.has_been_set) for name, slot in tracker.slots.items()},
        "loop": tracker.active_loop, "latest_message": message(tracker, tracker.latest_message),
        "latest_bot_utterance": message(tracker, tracker.latest_bot_utterance), "latest_action": tracker.latest_action,
        "followup": tracker.followup_action, "paused": tracker.is_paused(),
        "sender_source": tracker.sender_source, "model_id": tracker.model_id, "max": tracker._max_event_history,
    }


@pytest.mark.parametrize("length", range(0, len(conversation()) + 1))
def test_a_copy_is_what_the_replay_gives_after_every_event(length):
    tracker = DialogueStateTracker.from_events("copy", conversation()[:length], DOMAIN.slots)
    tracker.model_id, tracker.sender_source = "model-1", "rest"  # set by Rasa's processor
    tracker._intake_state_replay = "kept on this tracker only"
    duplicate = copy_tracker(tracker)
    assert state(duplicate) == state(_replaying_copy(tracker))
    assert not hasattr(duplicate, "_intake_state_replay")


def test_changing_a_copy_leaves_the_original_alone():
    tracker = DialogueStateTracker.from_events("copy", conversation()[:12], DOMAIN.slots)
    before = state(tracker)
    duplicate = copy_tracker(tracker)
    duplicate.update(SlotSet("preferred_time", "evening"))
    duplicate.interrupt_loop(True)
    duplicate.reject_action("scheduling_form")
    duplicate.update(Restarted())
    assert state(tracker) == before
    assert tracker.copy is not None and DialogueStateTracker.copy is copy_tracker  # installed by intake_nlu
