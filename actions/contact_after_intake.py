"""A contact detail corrected after the intake was stored ("my number changed, it's ..."):
the stored record is updated, the person hears it was, and the pending question stands."""

import logging
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.contact import contact_slots, correction, describe_contact, record_contact
from actions.intake_storage import record_from_tracker
from actions.stages import DONE, SCREENING_OFFERED
from intake_stores.intake_records import IntakeStore, IntakeStoreError

logger = logging.getLogger(__name__)
AFTER_INTAKE = (DONE, SCREENING_OFFERED)
STILL_PENDING = {SCREENING_OFFERED: "utter_offer_screening", DONE: "utter_anything_else"}


def update_stored_contact(
    dispatcher: CollectingDispatcher, tracker: Tracker, store: Optional[IntakeStore] = None
) -> Optional[List[Dict[Text, Any]]]:
    """Events when the message corrected a stored intake's contact details, else None."""
    stage = tracker.get_slot("intake_stage")
    if stage not in AFTER_INTAKE or not tracker.get_slot("intake_id") or not tracker.get_slot("consent_given"):
        return None
    changes = correction(tracker)
    if not changes:
        return None
    updated = {**contact_slots(tracker), **changes}
    try:
        (store or IntakeStore.from_environment()).save(record_from_tracker(tracker, **record_contact(updated)))
    except IntakeStoreError as error:
        logger.error("Updating contact details failed: %s", error)
        dispatcher.utter_message(response="utter_intake_store_failed")
        return [SlotSet("intake_stage", stage)]
    dispatcher.utter_message(response="utter_contact_updated_stored", contact=describe_contact(updated))
    dispatcher.utter_message(response=STILL_PENDING[stage])
    return [SlotSet(k, v) for k, v in changes.items()] + [SlotSet("intake_stage", stage)]
