"""The PHQ-9 / GAD-7 questionnaire: its answers, validated like every form answer, and
action_score_screening, which scores what was answered when the questionnaire ends
(complete or skipped) and adds it to the stored intake.

A positive answer to PHQ-9 item 9 sets risk_flag and the stage `screening_risk`, from
which a rule gives the plain crisis response, exactly as for a crisis message.
"""

import logging
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.intake_storage import _UsesIntakeStore, record_from_tracker
from actions.stages import DONE, SCREENING_RISK
from actions.validation_base import AnswerValidator
from intake.screening import (
    ASKING_ORDER,
    NOT_ASKED,
    items_to_leave_out,
    normalize_answer,
    score_answers,
    self_harm_positive,
)
from intake_stores.intake_records import IntakeStoreError

logger = logging.getLogger(__name__)

SCORE_SLOTS = ["phq2_score", "gad2_score", "phq9_score", "phq9_band", "gad7_score", "gad7_band"]
# The PHQ-2 and GAD-2 are complete once this item is answered: the short path is decided.
SHORT_SCREENS_COMPLETE_AFTER = "gad_2"


class ScreeningItemValidator(AnswerValidator):
    reask_response = "utter_reask_screening_answer"
    offer_human_response = "utter_offer_skip_screening"

    def __init__(self, slot: Text) -> None:
        self.slot = slot

    def normalize(self, text: Text) -> Optional[Any]:
        return normalize_answer(text)

    def validate(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker) -> Dict[Text, Any]:
        updates = super().validate(value, dispatcher, tracker)
        if self.slot == SHORT_SCREENS_COMPLETE_AFTER and updates.get(self.slot) is not None:
            answers = {**item_answers(tracker), **updates}
            updates.update({item: NOT_ASKED for item in items_to_leave_out(answers)})
        return updates


SCREENING_VALIDATORS = [ScreeningItemValidator(slot) for slot in ASKING_ORDER]


def item_answers(tracker: Tracker) -> Dict[Text, Any]:
    return {slot: _as_item(tracker.get_slot(slot)) for slot in ASKING_ORDER}


def _as_item(value: Any) -> Any:
    # Slot values come back from JSON: 2 may arrive as 2.0.
    return int(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else value


class ActionScoreScreening(_UsesIntakeStore, Action):
    def name(self) -> Text:
        return "action_score_screening"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        answers = item_answers(tracker)
        scores = score_answers(answers)
        complete = all(answers[slot] is not None for slot in ASKING_ORDER)
        at_risk = self_harm_positive(answers)
        results: Dict[Text, Any] = {slot: scores.get(slot) for slot in SCORE_SLOTS}
        results["screening_status"] = "complete" if complete else "skipped"
        answered = {slot: value for slot, value in answers.items() if isinstance(value, int)}
        if at_risk:
            results["risk_flag"] = True

        stored = self._store_results(tracker, {**results, "screening_answers": answered})
        if not stored:
            dispatcher.utter_message(response="utter_screening_store_failed")
        if not at_risk:
            dispatcher.utter_message(response="utter_screening_thanks" if complete else "utter_screening_skipped")
        events = [SlotSet(slot, value) for slot, value in results.items()]
        return events + [SlotSet("intake_stage", SCREENING_RISK if at_risk else DONE)]

    def _store_results(self, tracker: Tracker, results: Dict[Text, Any]) -> bool:
        """Adds the results to the stored intake; nothing is stored without consent."""
        if not tracker.get_slot("consent_given") or not tracker.get_slot("intake_id"):
            return True
        try:
            self.store.save(record_from_tracker(tracker, **results))
        except IntakeStoreError as error:
            logger.error("Storing questionnaire results failed: %s", error)
            return False
        return True
