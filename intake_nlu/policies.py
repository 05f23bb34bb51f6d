"""RulePolicy with a prediction cost that does not grow with the conversation.

Rasa's RulePolicy turns the whole conversation history into states before every
prediction (about three per turn), although a rule only ever compares its own few
states with the end of the history. At the 40th message that work made a turn about
twice as slow as at the first. This policy builds states only for the last
RECENT_STATES steps. It is exact, not an approximation: training checks that every
learned rule is shorter than the window, and a window that starts mid-conversation
cannot be mistaken for a conversation start (its first state has a previous action).
"""
from typing import Any, Dict, List, Optional, Text

from rasa.core.policies.rule_policy import RulePolicy
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.shared.core.domain import Domain, State
from rasa.shared.core.events import ActionExecuted
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.exceptions import RasaException

RECENT_STATES = 12


def recent_states(tracker: DialogueStateTracker, domain: Domain, window: int) -> List[State]:
    """The last `window` of the states Rasa's `tracker.past_states(domain)` returns."""
    events = tracker.applied_events()
    total = sum(isinstance(event, ActionExecuted) for event in events) + 1
    first = total - window
    states: List[State] = []
    replay = tracker.init_copy()
    index = 0
    for event in events:
        if isinstance(event, ActionExecuted):
            if index >= first:
                states.append(domain._clean_state(domain.get_active_state(replay)))
            index += 1
        replay.update(event)
    states.append(domain._clean_state(domain.get_active_state(replay)))
    return states


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
