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
"""
from dataclasses import dataclass
from typing import Any, Dict, List, Optional, Text

from rasa.core.policies.rule_policy import RulePolicy
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.shared.core.domain import Domain, State
from rasa.shared.core.events import ActionExecuted, Event
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.exceptions import RasaException

RECENT_STATES = 12
REPLAY_ATTRIBUTE = "_intake_state_replay"


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
    for event in events[len(replay.events):]:
        if isinstance(event, ActionExecuted):
            replay.states.append(domain._clean_state(domain.get_active_state(replay.tracker)))
        replay.tracker.update(event)
        replay.events.append(event)
    return replay


def recent_states(tracker: DialogueStateTracker, domain: Domain, window: int) -> List[State]:
    """The last `window` of the states Rasa's `tracker.past_states(domain)` returns."""
    replay = _continued_replay(tracker, domain, tracker.applied_events())
    current = domain._clean_state(domain.get_active_state(replay.tracker))
    recent = replay.states[-(window - 1):] if window > 1 else []
    # Copies: Rasa's featurizer edits the states it is given.
    return [{kind: dict(sub_state) for kind, sub_state in state.items()} for state in recent] + [current]


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.POLICY_WITHOUT_END_TO_END_SUPPORT, is_trainable=True
)
class RecentHistoryRulePolicy(RulePolicy):
    def train(self, training_trackers: List[Any], domain: Domain, **kwargs: Any) -> Resource:
        resource = super().train(training_trackers, domain, **kwargs)
        longest = max((len(self._rule_key_to_state(rule)) for rule in self.lookup.get("rules", {})), default=0)
        if longest >= RECENT_STATES:
            raise RasaException(
                f"A rule spans {longest} dialogue states; RecentHistoryRulePolicy looks at the "
                f"last {RECENT_STATES}. Raise RECENT_STATES in intake_nlu/policies.py."
            )
        return resource

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
