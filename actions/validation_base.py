"""One validation base for every form question.

A form question turns free text into a value or says it can't; the base class
does the rest the same way everywhere: store the value, or re-ask with a specific
hint, and after repeated unusable answers offer a person instead of looping.
"""

from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

ATTEMPTS_SLOT = "answer_attempts"
MAX_ATTEMPTS_BEFORE_HUMAN = 2


class AnswerValidator:
    """Validates the answer to one form slot. Subclasses set `slot` and `normalize`."""

    slot: Text = ""
    reask_response: Text = ""
    offer_human_response: Text = ""

    def normalize(self, text: Text) -> Optional[Any]:
        raise NotImplementedError

    def also_fills(self, text: Text) -> Dict[Text, Any]:
        """Other slots the same answer settles ("Tuesday evenings, by video")."""
        return {}

    def validate(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker) -> Dict[Text, Any]:
        text = " ".join(value) if isinstance(value, list) else str(value or "")
        normalized = self.normalize(text)
        if normalized is not None:
            return {self.slot: normalized, ATTEMPTS_SLOT: 0.0, **self.also_fills(text)}
        attempts = int(tracker.get_slot(ATTEMPTS_SLOT) or 0) + 1
        if attempts > MAX_ATTEMPTS_BEFORE_HUMAN and self.offer_human_response:
            dispatcher.utter_message(response=self.offer_human_response)
        else:
            dispatcher.utter_message(response=self.reask_response)
        return {self.slot: None, ATTEMPTS_SLOT: float(attempts)}


def validators_by_slot(validators: List[AnswerValidator]) -> Dict[Text, AnswerValidator]:
    return {v.slot: v for v in validators}
