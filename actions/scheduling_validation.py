"""The scheduling form's questions: days, time of day and session format."""

import re
from typing import Any, Dict, Optional, Text

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.phrasing import is_question
from actions.validation_base import ATTEMPTS_SLOT, MAX_ATTEMPTS_BEFORE_HUMAN, AnswerValidator
from intake import scheduling_normalizer as normalize

OFFER_HUMAN = "utter_offer_human_for_scheduling"
NOTE_SLOT = "schedule_note"
# "Whenever", "doesn't matter": flexible about the question asked (days have their own reading).
FLEXIBLE = re.compile(
    r"\b(whenever|any ?time|any of (?:them|those)|doesn'?t matter|does not matter|don'?t mind|do not mind|"
    r"no preference|either|whatever|flexible|i'?m easy|up to you|you choose|you pick|any is fine|all good)\b"
)
SHORT_CHANGE_WORDS = 4


class SchedulingAnswerValidator(AnswerValidator):
    """The note of alternatives builds up over the answers: each answer replaces only
    what the note said about the slots it answers."""

    def validate(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker) -> Dict[Text, Any]:
        text = " ".join(value) if isinstance(value, list) else str(value or "")
        if self.normalize(text) is None:
            # "Whenever" at the time question is about the time, though it reads as all days.
            if self.flexible_response and FLEXIBLE.search(text.lower()):
                return self.flexible(dispatcher, tracker)
            earlier = self.earlier_answer(text, tracker)
            if earlier:  # "evenings" at the format question: an earlier question, answered again
                return {self.slot: None, **earlier}
        updates = super().validate(value, dispatcher, tracker)
        answered = tuple(slot for slot in normalize.NOTE_SLOTS.values() if updates.get(slot))
        old = tracker.get_slot(NOTE_SLOT)
        note = normalize.merge_notes(old, updates.pop(NOTE_SLOT, None), answered)
        if note != old:
            updates[NOTE_SLOT] = note
        return updates

    flexible_response: Text = ""  # the re-ask for "any time is fine", where the slot needs one

    def flexible(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> Dict[Text, Any]:
        """ "Whenever", "doesn't matter": noted for the clinician, and the question asked as
        a choice; counted as an attempt, so a person is offered if it goes round again."""
        attempts = int(tracker.get_slot(ATTEMPTS_SLOT) or 0) + 1
        dispatcher.utter_message(
            response=self.offer_human_response if attempts > MAX_ATTEMPTS_BEFORE_HUMAN else self.flexible_response
        )
        kind = "time" if self.slot == "preferred_time" else "format"
        note = normalize.merge_notes(tracker.get_slot(NOTE_SLOT), f"flexible: {kind}")
        return {self.slot: None, ATTEMPTS_SLOT: float(attempts), NOTE_SLOT: note}

    def earlier_answer(self, text: Text, tracker: Tracker) -> Dict[Text, Any]:
        """An answer to a question asked before this one ("evenings" at the format
        question): the same again, or a short change ("actually mornings"), is applied, and
        the form asks this question once more without an apology or a counted attempt. A
        longer message is not taken to change an earlier answer."""
        found = {
            "preferred_days": normalize.normalize_days(text),
            "preferred_time": normalize.normalize_time(text),
            "session_format": normalize.normalize_format(text),
        }
        short = len(text.split()) <= SHORT_CHANGE_WORDS
        return {
            slot: value
            for slot, value in found.items()
            if value
            and slot != self.slot
            and tracker.get_slot(slot) is not None
            and (short or value == tracker.get_slot(slot))
        }


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
    flexible_response = "utter_reask_preferred_time_flexible"
    offer_human_response = OFFER_HUMAN

    def normalize(self, text: Text) -> Optional[Any]:
        return normalize.normalize_time(text)

    def also_fills(self, text: Text) -> Dict[Text, Any]:
        extra = {"session_format": normalize.normalize_format(text), "schedule_note": normalize.alternatives(text)}
        return {slot: value for slot, value in extra.items() if value}


class SessionFormatValidator(SchedulingAnswerValidator):
    slot = "session_format"
    reask_response = "utter_reask_session_format"
    flexible_response = "utter_reask_session_format_flexible"
    offer_human_response = OFFER_HUMAN

    def normalize(self, text: Text) -> Optional[Any]:
        return normalize.normalize_format(text)

    def also_fills(self, text: Text) -> Dict[Text, Any]:
        note = normalize.alternatives(text)  # "in person ideally but video is fine"
        return {"schedule_note": note} if note else {}


SCHEDULING_VALIDATORS = [PreferredDaysValidator(), PreferredTimeValidator(), SessionFormatValidator()]


SCHEDULING_SLOTS = {v.slot: v for v in SCHEDULING_VALIDATORS}
# Intents a form answer is never taken from, whatever its words: safety first, then what
# the person clearly meant instead (their own rules answer these inside the form).
NEVER_AN_ANSWER = {
    "crisis",
    "safety_check",
    "request_deletion",
    "goodbye",
    "stop_or_pause",
    "refuse_to_talk",
    "share_concern",
    "report_coping",
    "other_language",
}
# Naming someone to talk to: "In person" or "phone, from the car" at the format question are
# answers, "a real person", "someone from the practice" are requests for one.
_NAMES_SOMEONE = re.compile(
    r"\b(?:human|someone|somebody|anyone|anybody|real|actual|staff|receptionist|operator|agent|people|"
    r"therapist|counsell?or|clinician|doctor|team|(?:a|to|with|the) person)\b"
)


def misread_answer(
    tracker_intent: Optional[Text], text: Text, requested: Optional[Text], dispatcher, tracker
) -> Dict[Text, Any]:
    """An answer to the scheduling form's question that the classifier read as something
    else ("7am if you have it" as a question about minors, "In person, I'd like to get out"
    as asking for a person): the requested slot's value, as a typed answer would give it.
    Empty when it is not such an answer: a real question, a request for someone, and the
    intents in NEVER_AN_ANSWER keep their own rules."""
    validator = SCHEDULING_SLOTS.get(requested or "")
    if validator is None or not tracker_intent or tracker_intent in NEVER_AN_ANSWER:
        return {}
    lowered = (text or "").lower().strip()
    if is_question(lowered) or (tracker_intent == "request_human" and _NAMES_SOMEONE.search(lowered)):
        return {}
    if validator.normalize(text) is None:
        return {}
    return validator.validate(text, dispatcher, tracker)
