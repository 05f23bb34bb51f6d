"""RecentHistoryRulePolicy builds only the recent states; they must be exactly the end of
what Rasa's full featurization gives, whatever happened earlier in the conversation."""

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    ActiveLoop,
    BotUttered,
    SessionStarted,
    SlotSet,
    UserUtteranceReverted,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker

from intake_dialogue.recent_history_rule_policy import RECENT_STATES, recent_states
from tests.conftest import ROOT


@pytest.fixture(scope="module")
def rasa_domain():
    return Domain.load(str(ROOT / "domain"))


def long_conversation(turns):
    events = [ActionExecuted("action_session_start"), SessionStarted(), ActionExecuted("action_listen")]
    for turn in range(turns):
        intent = ["share_concern", "ask_cost", "affirm", "inform_schedule"][turn % 4]
        events += [
            UserUttered("text", {"name": intent}),
            SlotSet("intake_stage", "listening"),
            ActionExecuted("action_continue_intake"),
            BotUttered("reply"),
            ActionExecuted("action_listen"),
        ]
        if turn == 10:
            events += [
                UserUttered("book", {"name": "accept_therapy"}),
                ActionExecuted("scheduling_form"),
                ActiveLoop("scheduling_form"),
                SlotSet("requested_slot", "preferred_days"),
                ActionExecuted("action_listen"),
            ]
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
    assert "name: intake_dialogue.recent_history_rule_policy.RecentHistoryRulePolicy" in config


@pytest.fixture(scope="module")
def trained_policy(tmp_path_factory):
    from rasa.engine import loader
    from rasa.engine.runner.dask import DaskGraphRunner
    from rasa.engine.storage.local_model_storage import LocalModelStorage

    from intake_dialogue.recent_history_rule_policy import RecentHistoryRulePolicy
    from tests.conftest import MODEL_PATH

    _, runner = loader.load_predict_graph_runner(
        tmp_path_factory.mktemp("policy"), MODEL_PATH, LocalModelStorage, DaskGraphRunner
    )
    return next(
        node._component
        for node in runner._instantiated_nodes.values()
        if isinstance(node._component, RecentHistoryRulePolicy)
    )


def as_conversation(rule_states):
    """A rule's states as a conversation's (JSON gave lists where states hold tuples)."""
    return [
        {
            kind: {key: tuple(value) if isinstance(value, list) else value for key, value in sub.items()}
            for kind, sub in state.items()
        }
        for state in rule_states
    ]


def test_the_rule_index_finds_exactly_the_rules_rasa_finds(trained_policy):
    from rasa.core.policies.rule_policy import RulePolicy

    policy = trained_policy
    intents = ["greet", "share_concern", "ask_cost", "affirm", "deny", "crisis", "inform_schedule"]
    actions = ["action_listen", "action_continue_intake", "scheduling_form", "utter_crisis_response"]
    checked = 0
    for lookup in policy.lookup.values():
        if not isinstance(lookup, dict) or not lookup:
            continue
        for key in list(lookup)[:400]:
            states = as_conversation(policy._rule_key_to_state(key))
            variants = [states]
            for intent in intents:  # the same history with another intent, or another previous action
                variants.append(states[:-1] + [{**states[-1], "user": {"intent": intent}}])
            for action in actions:
                variants.append(states[:-1] + [{**states[-1], "prev_action": {"action_name": action}}])
            for variant in variants:
                assert policy._get_possible_keys(lookup, variant) == RulePolicy._get_possible_keys(
                    policy, lookup, variant
                )
                checked += 1
    assert checked > 1000


def test_rules_that_name_no_previous_action_or_no_intent_are_still_found(trained_policy):
    import json

    from rasa.core.policies.rule_policy import RulePolicy

    rules = [
        [{"user": {"intent": "greet"}}],  # a conversation start: no previous action
        [{"prev_action": {"action_name": "action_listen"}}],  # any intent
        [{"prev_action": {"action_name": "action_listen"}, "user": {"intent": "crisis"}}],
        [
            {"prev_action": {"action_name": "action_listen"}, "user": {"intent": "greet"}},
            {"prev_action": {"action_name": "utter_greet"}, "slots": {"risk_flag": (1.0,)}},
        ],
        [{"slots": {"risk_flag": "should_not_be_set"}}],
    ]
    lookup = {json.dumps(rule): f"action_{n}" for n, rule in enumerate(rules)}
    conversations = [
        [{"user": {"intent": "greet"}}],
        [{"prev_action": {"action_name": "action_listen"}, "user": {"intent": "greet"}}],
        [{"prev_action": {"action_name": "action_listen"}, "user": {"intent": "crisis"}}],
        [
            {"prev_action": {"action_name": "action_listen"}, "user": {"intent": "greet"}},
            {"prev_action": {"action_name": "utter_greet"}, "slots": {"risk_flag": (1.0,)}},
        ],
        [{"slots": {"risk_flag": (1.0,)}}],
        [{}],
    ]
    for states in conversations:
        assert trained_policy._get_possible_keys(lookup, states) == RulePolicy._get_possible_keys(
            trained_policy, lookup, states
        )
