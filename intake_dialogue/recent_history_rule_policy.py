"""RulePolicy with a prediction cost that does not grow with the conversation.

Rasa's RulePolicy turns the whole conversation history into states before every
prediction (about three per turn), although a rule only ever compares its own few
states with the end of the history. At the 40th message that work made a turn about
twice as slow as at the first. This policy builds states only for the last
RECENT_STATES steps. It is exact, not an approximation: training checks that every
learned rule is shorter than the window, and a window that starts mid-conversation
cannot be mistaken for a conversation start (its first state has a previous action).

Working out a state still means replaying the conversation's events from the start.
The replay is kept on the tracker and continued on the next prediction when the
events it replayed are still the first ones of the conversation (the same objects:
Rasa only ever appends to a tracker, and anything else starts the replay anew).

Finding the rules that apply tests every rule against the current state, about two
hundred rules several times a turn. A rule can only apply when the current state has
the previous action and the intent its last state names, so the rules are indexed by
those two once, and only the rules filed under the current state's pair (or under
"any") are tested, by Rasa's own test: the same rules apply as before. (A state with
no previous action, a conversation start, is tested against every rule as before.)

A prediction also carries the safety slot events that go with it (a crisis response's
tier, a positive answer to PHQ-9 item 9: intake_dialogue/safety_events.py), as optional
events Rasa applies when the prediction wins: still Rasa-side, with no custom action.
"""

from dataclasses import dataclass
from typing import Any, Callable, Dict, Iterable, List, Optional, Set, Text

from rasa.core.policies.policy import PolicyPrediction
from rasa.core.policies.rule_policy import RulePolicy
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.shared.core.constants import PREVIOUS_ACTION, SHOULD_NOT_BE_SET, USER
from rasa.shared.core.domain import Domain, State
from rasa.shared.core.events import ActionExecuted, Event
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.exceptions import RasaException
from rasa.shared.nlu.constants import ACTION_NAME, INTENT

from intake_dialogue.safety_events import events_for_turn

RECENT_STATES = 12
REPLAY_ATTRIBUTE = "_intake_state_replay"
ANY = object()  # a rule that names no intent in its last state


@dataclass
class _Replay:
    domain: Domain
    events: List[Event]  # the applied events replayed so far
    tracker: DialogueStateTracker  # their replay
    states: List[State]  # the state before each ActionExecuted among them


def _continued_replay(tracker: DialogueStateTracker, domain: Domain, events: List[Event]) -> _Replay:
    replay: Optional[_Replay] = tracker.__dict__.get(REPLAY_ATTRIBUTE)
    if (
        replay is None
        or replay.domain is not domain
        or len(replay.events) > len(events)
        or any(old is not new for old, new in zip(replay.events, events))
    ):
        replay = _Replay(domain, [], tracker.init_copy(), [])
        tracker.__dict__[REPLAY_ATTRIBUTE] = replay
    for event in events[len(replay.events) :]:
        if isinstance(event, ActionExecuted):
            replay.states.append(domain._clean_state(domain.get_active_state(replay.tracker)))
        replay.tracker.update(event)
        replay.events.append(event)
    return replay


def recent_states(tracker: DialogueStateTracker, domain: Domain, window: int) -> List[State]:
    """The last `window` of the states Rasa's `tracker.past_states(domain)` returns."""
    replay = _continued_replay(tracker, domain, tracker.applied_events())
    current = domain._clean_state(domain.get_active_state(replay.tracker))
    recent = replay.states[-(window - 1) :] if window > 1 else []
    # Copies: Rasa's featurizer edits the states it is given.
    return [{kind: dict(sub_state) for kind, sub_state in state.items()} for state in recent] + [current]


def _required(state: State, kind: Text, key: Text) -> Any:
    """The value a rule's state requires of the conversation's, or ANY when it requires
    none (the cases Rasa's `_does_rule_match_state` lets any value through)."""
    value = state.get(kind, {}).get(key)
    return value if value and value != SHOULD_NOT_BE_SET and isinstance(value, str) else ANY


RuleIndex = Dict[Any, Set[Text]]


def index_rules(rule_keys: Iterable[Text], rule_states: Callable[[Text], List[State]]) -> RuleIndex:
    """Rule keys by the (previous action, intent) their last state requires. A rule whose
    last state names no previous action only ever matches a conversation start, which
    is not looked up here; a previous action without a name is left to Rasa's test."""
    index: RuleIndex = {}
    for key in rule_keys:
        states = rule_states(key)
        last = states[-1] if states else {}
        if not last.get(PREVIOUS_ACTION):
            continue
        pair = (_required(last, PREVIOUS_ACTION, ACTION_NAME), _required(last, USER, INTENT))
        index.setdefault(pair, set()).add(key)
    return index


def candidates(index: RuleIndex, state: State) -> Set[Text]:
    """The rules whose last state can match `state`, which has a previous action: every
    other rule fails Rasa's test."""
    action = state.get(PREVIOUS_ACTION, {}).get(ACTION_NAME)
    intent = state.get(USER, {}).get(INTENT)
    found: Set[Text] = set()
    for pair in ((action, intent), (action, ANY), (ANY, intent), (ANY, ANY)):
        found |= index.get(pair, set())
    return found


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.POLICY_WITHOUT_END_TO_END_SUPPORT, is_trainable=True)
class RecentHistoryRulePolicy(RulePolicy):
    def train(self, training_trackers: List[Any], domain: Domain, **kwargs: Any) -> Resource:
        resource = super().train(training_trackers, domain, **kwargs)
        longest = max((len(self._rule_key_to_state(rule)) for rule in self.lookup.get("rules", {})), default=0)
        if longest >= RECENT_STATES:
            raise RasaException(
                f"A rule spans {longest} dialogue states; RecentHistoryRulePolicy looks at the "
                f"last {RECENT_STATES}. Raise RECENT_STATES in intake_dialogue/recent_history_rule_policy.py."
            )
        return resource

    def predict_action_probabilities(
        self,
        tracker: DialogueStateTracker,
        domain: Domain,
        rule_only_data: Optional[Dict[Text, Any]] = None,
        **kwargs: Any,
    ) -> PolicyPrediction:
        """Rasa's prediction, with the safety slot events that go with it
        (intake_dialogue/safety_events.py: a crisis response's tier, PHQ-9 item 9)."""
        prediction = super().predict_action_probabilities(tracker, domain, rule_only_data, **kwargs)
        if prediction.max_confidence > 0:
            action = domain.action_names_or_texts[prediction.max_confidence_index]
            prediction.optional_events += events_for_turn(tracker, action)
        return prediction

    def _prediction_states(
        self,
        tracker: DialogueStateTracker,
        domain: Domain,
        use_text_for_last_user_input: bool = False,
        rule_only_data: Optional[Dict[Text, Any]] = None,
    ) -> List[State]:
        states = recent_states(tracker, domain, RECENT_STATES)
        self.featurizer._choose_last_user_input([states], use_text_for_last_user_input)
        return states

    def _get_possible_keys(self, lookup: Dict[Text, Text], states: List[State]) -> Set[Text]:
        if not states or not states[-1].get(PREVIOUS_ACTION):
            # A conversation start: Rasa matches it to any rule that starts one, whatever
            # the intent, so the index does not apply.
            return super()._get_possible_keys(lookup, states)
        # Indexed once per lookup; again if its rules changed (training builds them up).
        indexes = self.__dict__.setdefault("_rule_indexes", {})
        entry = indexes.get(id(lookup))
        if entry is None or entry[0] != lookup.keys():
            entry = (frozenset(lookup), index_rules(lookup, self._rule_key_to_state))
            indexes[id(lookup)] = entry
        index = entry[1]
        possible = candidates(index, states[-1])
        for turn, state in enumerate(reversed(states)):
            possible = {key for key in possible if self._is_rule_applicable(key, turn, state)}
        return possible
