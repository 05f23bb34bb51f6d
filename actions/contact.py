"""The contact step after the schedule: may I take your details, the form, the read-back
with the schedule, and corrections ("actually my number is ...") before and after the
intake is stored."""

from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.contact_validation import questions_not_asked, reached_at
from actions.stages import ASK_CONTACT, COLLECT_CONTACT, CONFIRMING_CONTACT, DONE, SUBMIT
from intake import contact_details as details
from intake.practice import contact_settings
from intake.vocabulary import describe_schedule

FORM_SLOTS = [
    "contact_name",
    "contact_method",
    "contact_address",
    "contact_voicemail_ok",
    "contact_best_time",
    "contact_region",
    "contact_age",
    "contact_payment",
]
CONTACT_SLOTS = FORM_SLOTS + ["contact_phone", "contact_email"]
SCHEDULE_SLOTS = ["preferred_days", "preferred_time", "session_format"]
HOW = {"phone": "call you", "text": "text you", "email": "email you"}


def describe_contact(slots: Dict[Text, Any]) -> Text:
    """The contact details as the person will hear them read back."""
    method, address = slots.get("contact_method"), slots.get("contact_address")
    if not (method and address):
        return "You haven't left a way to reach you."
    name = slots.get("contact_name")
    parts = [f"They'll {HOW[method]} at {address}" + (f" and ask for {name}" if name else "")]
    if slots.get("contact_best_time"):
        parts.append(f"best time: {slots['contact_best_time']}")
    named = slots.get("contact_voicemail_ok")
    if named is not None:
        parts.append("a message may say it's from the practice" if named else "messages won't name the practice")
    return "; ".join(parts) + "."


def contact_slots(tracker: Tracker) -> Dict[Text, Any]:
    return {slot: tracker.get_slot(slot) for slot in CONTACT_SLOTS}


def confirm_contact(dispatcher: CollectingDispatcher, slots: Dict[Text, Any]) -> None:
    schedule = describe_schedule(*(slots.get(s) for s in SCHEDULE_SLOTS)) or "no schedule yet"
    dispatcher.utter_message(response="utter_confirm_contact", schedule=schedule, contact=describe_contact(slots))


def correction(tracker: Tracker) -> Dict[Text, Any]:
    """Contact slots a message like "actually, my number is ..." or "email me instead"
    changes; nothing when it names no new detail."""
    text = tracker.latest_message.get("text") or ""
    method = details.find_method(text)
    found = reached_at(text, method or tracker.get_slot("contact_method"), contact_settings().default_region)
    if found:
        # A number replaces an address and the other way round.
        other = "contact_email" if "contact_phone" in found else "contact_phone"
        return {**found, other: None}
    if method and method != tracker.get_slot("contact_method"):
        if method == "email" and tracker.get_slot("contact_email"):
            return {"contact_method": "email", "contact_address": tracker.get_slot("contact_email")}
        if method in ("phone", "text") and tracker.get_slot("contact_phone"):
            return {
                "contact_method": method,
                "contact_address": details.display_phone(tracker.get_slot("contact_phone")),
            }
    if "name" in text.lower():
        name = details.find_name(text.lower().split("name", 1)[1].replace(" is ", " ", 1))
        if name and name != tracker.get_slot("contact_name"):
            return {"contact_name": name}
    return {}


class ContactStep:
    """What action_continue_intake does in the contact stages: (responses said by the
    dispatcher) the slots to set and the next stage."""

    def __init__(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> None:
        self.dispatcher, self.tracker = dispatcher, tracker
        self.intent = (tracker.latest_message.get("intent") or {}).get("name")

    def run(self, stage: Text) -> List[Dict[Text, Any]]:
        if stage == ASK_CONTACT:
            return self._asked_whether()
        return self._confirming()

    def _asked_whether(self) -> List[Dict[Text, Any]]:
        given = correction(self.tracker)  # "sure, it's 212 555 0188"
        if self.intent in ("deny", "refuse_to_talk", "decline_therapy") and not given:
            if contact_settings().skippable:
                self.dispatcher.utter_message(response="utter_contact_skipped")
                return [SlotSet("intake_stage", SUBMIT)]
            self.dispatcher.utter_message(response="utter_contact_required_declined")
            return [SlotSet("intake_stage", DONE)]
        if self.intent in ("affirm", "inform_contact") or given:
            answers = {**questions_not_asked(), **given}
            return [SlotSet(k, v) for k, v in answers.items()] + [
                SlotSet("answer_attempts", 0.0),
                SlotSet("intake_stage", COLLECT_CONTACT),
            ]
        self.dispatcher.utter_message(response=ask_contact_response())
        return [SlotSet("intake_stage", ASK_CONTACT)]

    def _confirming(self) -> List[Dict[Text, Any]]:
        if self.intent == "affirm":
            return [SlotSet("intake_stage", SUBMIT)]
        changes = correction(self.tracker)
        if changes:
            self.dispatcher.utter_message(response="utter_contact_updated")
            confirm_contact(
                self.dispatcher,
                {**contact_slots(self.tracker), **changes, **{s: self.tracker.get_slot(s) for s in SCHEDULE_SLOTS}},
            )
            return [SlotSet(k, v) for k, v in changes.items()] + [SlotSet("intake_stage", CONFIRMING_CONTACT)]
        if self.intent == "deny":
            self.dispatcher.utter_message(response="utter_lets_fix_contact")
            cleared = [SlotSet(slot, None) for slot in CONTACT_SLOTS]
            answers = [SlotSet(k, v) for k, v in questions_not_asked().items()]
            return cleared + answers + [SlotSet("answer_attempts", 0.0), SlotSet("intake_stage", COLLECT_CONTACT)]
        if self.intent == "inform_contact":
            self.dispatcher.utter_message(response="utter_contact_correction_not_understood")
            return [SlotSet("intake_stage", CONFIRMING_CONTACT)]
        confirm_contact(
            self.dispatcher, {**contact_slots(self.tracker), **{s: self.tracker.get_slot(s) for s in SCHEDULE_SLOTS}}
        )
        return [SlotSet("intake_stage", CONFIRMING_CONTACT)]


def ask_contact_response() -> Text:
    return "utter_ask_contact_ok" if contact_settings().skippable else "utter_ask_contact_required"


class ActionConfirmContact(Action):
    """Reads back the schedule and the contact details once the contact form is done."""

    def name(self) -> Text:
        return "action_confirm_contact"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        confirm_contact(dispatcher, {**contact_slots(tracker), **{s: tracker.get_slot(s) for s in SCHEDULE_SLOTS}})
        return [SlotSet("intake_stage", CONFIRMING_CONTACT)]


def record_contact(slots: Dict[Text, Any]) -> Dict[Text, Optional[Any]]:
    """The record's contact fields: empty answers and questions not asked are None."""
    values = {slot: slots.get(slot) for slot in CONTACT_SLOTS if slot != "contact_address"}
    for slot, value in values.items():
        if value in ("", "not_asked"):
            values[slot] = None
    if not (values["contact_phone"] or values["contact_email"]):
        values["contact_method"] = None
    if values["contact_voicemail_ok"] is not None:
        values["contact_voicemail_ok"] = bool(values["contact_voicemail_ok"])
    return values
