"""action_submit_intake: stores the completed intake record for the clinicians."""
import logging
from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.intake_flow import CONFIRMING, DONE
from intake.store import IntakeRecord, IntakeStore, IntakeStoreError

logger = logging.getLogger(__name__)

RECORD_SLOTS = [
    "concerns",
    "coping_strategies",
    "ipt_focus",
    "therapy_accepted",
    "preferred_days",
    "preferred_time",
    "session_format",
    "presenting_problem",
]


def record_from_tracker(tracker: Tracker) -> IntakeRecord:
    values = {slot: tracker.get_slot(slot) for slot in RECORD_SLOTS}
    return IntakeRecord(
        conversation_id=tracker.sender_id,
        risk_flag=bool(tracker.get_slot("risk_flag")),
        **values,
    )


class ActionSubmitIntake(Action):
    def __init__(self, store: IntakeStore = None) -> None:
        self._store = store

    @property
    def store(self) -> IntakeStore:
        # Created on first use so that importing the action server needs no database.
        if self._store is None:
            self._store = IntakeStore.from_environment()
        return self._store

    def name(self) -> Text:
        return "action_submit_intake"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        try:
            intake_id = self.store.save(record_from_tracker(tracker))
        except IntakeStoreError as error:
            # The error names the failure, never what the person wrote.
            logger.error("Storing an intake failed: %s", error)
            dispatcher.utter_message(response="utter_intake_store_failed")
            return [SlotSet("intake_stage", CONFIRMING)]
        dispatcher.utter_message(response="utter_intake_submitted")
        return [SlotSet("intake_id", intake_id), SlotSet("intake_stage", DONE)]
