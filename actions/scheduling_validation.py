"""The scheduling form's questions: days, time of day and session format."""

from typing import Any, Dict, Optional, Text

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.validation_base import AnswerValidator
from intake import scheduling_normalizer as normalize

OFFER_HUMAN = "utter_offer_human_for_scheduling"
NOTE_SLOT = "schedule_note"


class SchedulingAnswerValidator(AnswerValidator):
    """The note of alternatives builds up over the answers: each answer replaces only
    what the note said about the slots it answers."""

    def validate(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker) -> Dict[Text, Any]:
        updates = super().validate(value, dispatcher, tracker)
        answered = tuple(slot for slot in normalize.NOTE_SLOTS.values() if updates.get(slot))
        old = tracker.get_slot(NOTE_SLOT)
        note = normalize.merge_notes(old, updates.pop(NOTE_SLOT, None), answered)
        if note != old:
            updates[NOTE_SLOT] = note
        return updates


class PreferredDaysValidator(SchedulingAnswerValidator):
    slot = "preferred_days"
    reask_response = "utter_reask_preferred_days"
    offer_human_response = OFFER_HUMAN

    def normalize(self, text: Text) -> Optional[Any]:
        return normalize.normalize_days(text)

    def also_fills(self, text: Text) -> Dict[Text, Any]:
        extra = {
            "preferred_time": normalize.normalize_time(text),
            "session_format": normalize.normalize_format(text),
            "schedule_note": normalize.alternatives(text),
        }
        return {slot: value for slot, value in extra.items() if value}


class PreferredTimeValidator(SchedulingAnswerValidator):
    slot = "preferred_time"
    reask_response = "utter_reask_preferred_time"
    offer_human_response = OFFER_HUMAN

    def normalize(self, text: Text) -> Optional[Any]:
        return normalize.normalize_time(text)

    def also_fills(self, text: Text) -> Dict[Text, Any]:
        extra = {"session_format": normalize.normalize_format(text), "schedule_note": normalize.alternatives(text)}
        return {slot: value for slot, value in extra.items() if value}


class SessionFormatValidator(SchedulingAnswerValidator):
    slot = "session_format"
    reask_response = "utter_reask_session_format"
    offer_human_response = OFFER_HUMAN

    def normalize(self, text: Text) -> Optional[Any]:
        return normalize.normalize_format(text)

    def also_fills(self, text: Text) -> Dict[Text, Any]:
        note = normalize.alternatives(text)  # "in person ideally but video is fine"
        return {"schedule_note": note} if note else {}


SCHEDULING_VALIDATORS = [PreferredDaysValidator(), PreferredTimeValidator(), SessionFormatValidator()]
