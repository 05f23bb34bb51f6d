"""RecentHistoryRulePolicy builds only the recent states; they must be exactly the end of
what Rasa's full featurization gives, whatever happened earlier in the conversation."""
import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted, ActiveLoop, BotUttered, SessionStarted, SlotSet, UserUttered, UserUtteranceReverted,
)
from rasa.shared.core.trackers import DialogueStateTracker

from intake_nlu.policies import RECENT_STATES, recent_states
from tests.conftest import ROOT


@pytest.fixture(scope="module")
def rasa_domain():
    return Domain.load(str(ROOT / "domain.yml"))


def long_conversation(turns):
    events = [ActionExecuted("action_session_start"), SessionStarted(), ActionExecuted("action_listen")]
    for turn in range(turns):
        intent = ["share_concern", "ask_cost", "affirm", "inform_schedule"][turn % 4]
        events += [UserUttered("text", {"name": intent}), SlotSet("intake_stage", "listening"),
                   ActionExecuted("action_continue_intake"), BotUttered("reply"), ActionExecuted("action_listen")]
        if turn == 10:
            events += [UserUttered("book", {"name": "accept_therapy"}), ActionExecuted("scheduling_form"),
                       ActiveLoop("scheduling_form"), SlotSet("requested_slot", "preferred_days"),
                       ActionExecuted("action_listen")]
        if turn == 12:
            events += [UserUttered("oops", {"name": "deny"}), UserUtteranceReverted()]
        if turn == 15:
            events += [ActiveLoop(None), SlotSet("requested_slot", None), SlotSet("risk_flag", True)]
    return events


@pytest.mark.parametrize("turns", [0, 1, 3, 40])
def test_recent_states_are_the_end_of_the_full_history(rasa_domain, turns):
    tracker = DialogueStateTracker.from_events("c", long_conversation(turns), rasa_domain.slots)
    full = tracker.past_states(rasa_domain)
    for window in (2, RECENT_STATES, 1000):
        assert recent_states(tracker, rasa_domain, window) == full[-window:]


@pytest.mark.parametrize("every", [1, 3])  # every 3: a revert and what follows it arrive at once
def test_a_replay_continued_turn_after_turn_gives_the_same_states(rasa_domain, every):
    """The replay kept on the tracker is continued as events arrive one by one, including a
    revert (applied events shrink), and edits by the caller do not leak into later calls."""
    events = long_conversation(16)
    tracker = DialogueStateTracker("c", rasa_domain.slots)
    for number, event in enumerate(events):
        tracker.update(event)
        if number % every:
            continue
        states = recent_states(tracker, rasa_domain, RECENT_STATES)
        assert states == tracker.past_states(rasa_domain)[-RECENT_STATES:]
        for state in states:  # as Rasa's featurizer does with the states it is given
            state.get("user", {}).pop("intent", None)


def test_the_trained_model_uses_the_recent_history_policy():
    config = (ROOT / "config.yml").read_text()
    assert "name: intake_nlu.policies.RecentHistoryRulePolicy" in config
