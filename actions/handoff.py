"""action_request_handoff: "talk to a person", at any point. Asks how to reach them when
nothing is known yet (handoff_contact_form), stores the request with the staff
notification, sets handoff_requested, and says honestly when they will hear back:
within office hours, or after the office opens (with the crisis line)."""

import logging
from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.contact import HOW, contact_slots, record_contact
from actions.contact_validation import MOVED_ON
from intake.practice import now, office_hours
from intake_stores.handoff_requests import ROUTINE, URGENT, HandoffRequest, HandoffStore
from intake_stores.intake_records import IntakeStoreError

logger = logging.getLogger(__name__)
REASON_MAX_CHARS = 500
ASKING_CONTACT, RECORDED = "asking_contact", "recorded"  # the slot handoff_stage


def urgency(tracker: Tracker) -> Text:
    return URGENT if tracker.get_slot("risk_flag") or tracker.get_slot("risk_level") else ROUTINE


def how_they_hear(contact: Dict[Text, Any]) -> Text:
    method = contact.get("contact_method") or ("email" if contact.get("contact_email") else "phone")
    return f"{HOW[method]} at {contact.get('contact_address') or contact.get('contact_phone') or contact.get('contact_email')}"


def describe_opening(moment) -> Text:
    hour = moment.hour % 12 or 12
    clock = (
        f"{hour}{'am' if moment.hour < 12 else 'pm'}"
        if not moment.minute
        else f"{hour}:{moment.minute:02d}{'am' if moment.hour < 12 else 'pm'}"
    )
    return f"{moment.strftime('%A')} at {clock}"


class ActionRequestHandoff(Action):
    def __init__(self, store: HandoffStore = None) -> None:
        self._store = store

    @property
    def store(self) -> HandoffStore:
        if self._store is None:
            self._store = HandoffStore.from_environment()
        return self._store

    def name(self) -> Text:
        return "action_request_handoff"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        contact = contact_slots(tracker)
        if tracker.get_slot("handoff_stage") != ASKING_CONTACT:
            # The request itself, in their words, only if they agreed to a record.
            text = tracker.latest_message.get("text") or ""
            reason = text[:REASON_MAX_CHARS] if tracker.get_slot("consent_given") is True else None
            if not (contact["contact_phone"] or contact["contact_email"]):
                dispatcher.utter_message(response="utter_handoff_ask_contact")
                return [
                    SlotSet("handoff_reason", reason),
                    SlotSet("handoff_contact", None),
                    SlotSet("answer_attempts", 0.0),
                    SlotSet("handoff_stage", ASKING_CONTACT),
                ]
        else:
            reason = tracker.get_slot("handoff_reason")
        hours, moment = office_hours(), now()
        request = HandoffRequest(
            conversation_id=tracker.sender_id,
            urgency=urgency(tracker),
            within_office_hours=hours.is_open(moment),
            reason=reason,
            **{
                k: v
                for k, v in record_contact(contact).items()
                if k
                in (
                    "contact_name",
                    "contact_method",
                    "contact_phone",
                    "contact_email",
                    "contact_voicemail_ok",
                    "contact_best_time",
                )
            },
        )
        after = [SlotSet("handoff_reason", None), SlotSet("handoff_stage", RECORDED)]
        try:
            self.store.add(request)
        except IntakeStoreError as error:
            logger.error("Storing a hand-off request failed: %s", error)  # never the person's text
            dispatcher.utter_message(response="utter_handoff_failed")
            return after
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        if not request.reachable and intent in MOVED_ON and request.urgency == ROUTINE:
            # They answered something else instead of how to reach them: noted, no alarm.
            dispatcher.utter_message(response="utter_handoff_moved_on")
        elif not request.reachable:
            dispatcher.utter_message(response="utter_handoff_without_contact")
        elif request.within_office_hours:
            dispatcher.utter_message(response="utter_handoff_recorded", how=how_they_hear(contact))
        else:
            dispatcher.utter_message(
                response="utter_handoff_recorded_closed",
                how=how_they_hear(contact),
                next_opening=describe_opening(hours.next_opening(moment)),
            )
        return [SlotSet("handoff_requested", True)] + after
