"""action_submit_intake: stores the completed intake record for the clinicians."""

import logging
from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.contact import contact_slots, record_contact
from actions.said_so_far import accumulated, concerns_so_far
from actions.stages import CONFIRMING, CONSENT_TO_STORE, DONE, SCREENING_OFFERED
from intake.ipt_wording import ipt_focus_for, merge_unique
from intake_stores.handoff_requests import HandoffStore
from intake_stores.intake_records import IntakeRecord, IntakeStore, IntakeStoreError

try:  # the staff-notification outbox (branch `notify`): announce a new intake
    from intake_stores.outbox import NEW_INTAKE

    NOTIFY = {"notify": NEW_INTAKE}
except ImportError:  # pragma: no cover - until that branch is merged
    NOTIFY = {}

logger = logging.getLogger(__name__)

RECORD_SLOTS = [
    "concerns",
    "coping_strategies",
    "ipt_focus",
    "therapy_accepted",
    "preferred_days",
    "preferred_time",
    "session_format",
    "schedule_note",
    "presenting_problem",
    "phq2_score",
    "gad2_score",
    "phq9_score",
    "phq9_band",
    "gad7_score",
    "gad7_band",
    "screening_status",
    "risk_flag",
    "language",
]
SCORE_FIELDS = ("phq2_score", "gad2_score", "phq9_score", "gad7_score")


def record_from_tracker(tracker: Tracker, **newer: Any) -> IntakeRecord:
    """The record from the tracker's slots; `newer` holds values this turn is setting."""
    values = {
        **{slot: tracker.get_slot(slot) for slot in RECORD_SLOTS},
        **record_contact(contact_slots(tracker)),
        **newer,
    }
    # Also what was said while the action server was down (its turns are in the tracker).
    values["concerns"] = merge_unique(values["concerns"], concerns_so_far(tracker))
    values["coping_strategies"] = merge_unique(
        values["coping_strategies"], accumulated(tracker, "coping_strategies", "coping_strategy")
    )
    if values["ipt_focus"] is None:
        values["ipt_focus"] = ipt_focus_for(values["concerns"])
    values["risk_flag"] = bool(values["risk_flag"])
    for score in SCORE_FIELDS:
        if values[score] is not None:
            values[score] = int(values[score])  # float slots
    return IntakeRecord(conversation_id=tracker.sender_id, **values)


class _UsesIntakeStore:
    """The intake store, created once on first use (so importing the action server needs
    no database) and reused for every call. Not an Action itself: rasa_sdk registers every
    Action subclass it finds."""

    def __init__(self, store: IntakeStore = None) -> None:
        self._store = store

    @property
    def store(self) -> IntakeStore:
        if self._store is None:
            self._store = IntakeStore.from_environment()
        return self._store


class ActionSubmitIntake(_UsesIntakeStore, Action):
    def name(self) -> Text:
        return "action_submit_intake"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        consent = tracker.get_slot("consent_given")
        if consent is None:
            dispatcher.utter_message(response="utter_ask_consent_to_store")
            return [SlotSet("intake_stage", CONSENT_TO_STORE)]
        if consent is False:
            dispatcher.utter_message(response="utter_nothing_stored")
            return [SlotSet("intake_stage", DONE)]
        try:
            record = record_from_tracker(tracker)
            intake_id = self.store.save(record, **NOTIFY)
        except IntakeStoreError as error:
            # The error names the failure, never what the person wrote.
            logger.error("Storing an intake failed: %s", error)
            dispatcher.utter_message(response="utter_intake_store_failed")
            return [SlotSet("intake_stage", CONFIRMING)]
        reachable = record.contact_phone or record.contact_email
        dispatcher.utter_message(
            response="utter_intake_submitted" if reachable else "utter_intake_submitted_no_contact"
        )
        if tracker.get_slot("screening_status"):  # already answered or declined
            return [SlotSet("intake_id", intake_id), SlotSet("intake_stage", DONE)]
        dispatcher.utter_message(response="utter_offer_screening")
        return [SlotSet("intake_id", intake_id), SlotSet("intake_stage", SCREENING_OFFERED)]


class ActionDeleteMyData(_UsesIntakeStore, Action):
    """Deletes the person's intake record now; the tracker store erases the
    conversation's events when it saves this turn (slot `erase_conversation`), since
    Rasa writes the turn's events after this action returns."""

    def name(self) -> Text:
        return "action_delete_my_data"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        try:
            self.store.delete_conversation(tracker.sender_id)
            HandoffStore.beside(self.store).delete_conversation(tracker.sender_id)
        except IntakeStoreError as error:
            logger.error("Deleting an intake failed: %s", error)
            dispatcher.utter_message(response="utter_deletion_failed")
            return []
        dispatcher.utter_message(response="utter_data_deleted")
        return [SlotSet("erase_conversation", True)]
