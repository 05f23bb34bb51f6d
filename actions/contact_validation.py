"""The contact form's questions and the hand-off's one question. Each answer is
validated from the text (phone numbers and email addresses are found by the validators,
not by NLU). "skip" leaves an optional answer empty ("" / not_given)."""

import re
from typing import Any, Dict, Optional, Text

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.validation_base import ATTEMPTS_SLOT, AnswerValidator
from intake import contact_details as details
from intake.practice import contact_settings

NOT_GIVEN = "not_given"
OFFER_HUMAN = "utter_offer_human_for_scheduling"


def reached_at(text: Text, method: Optional[Text], region: Text) -> Dict[Text, Any]:
    """The phone number or email address in the text as slots, the method following what
    was given ("email me" then a number means a call: a number cannot take an email)."""
    email, phone = details.find_email(text), details.find_phone(text, region)
    if email and (method == "email" or not phone):
        return {"contact_email": email, "contact_address": email, "contact_method": "email"}
    if phone:
        wanted = details.find_method(text) or method
        return {
            "contact_phone": phone,
            "contact_address": details.display_phone(phone),
            "contact_method": wanted if wanted in ("phone", "text") else "phone",
        }
    return {}


class ContactValidator(AnswerValidator):
    """An AnswerValidator whose answer may depend on what the tracker holds already."""

    def validate(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker) -> Dict[Text, Any]:
        self.tracker = tracker
        self.dispatcher = dispatcher
        return super().validate(value, dispatcher, tracker)


class ContactNameValidator(AnswerValidator):
    slot = "contact_name"
    reask_response = "utter_reask_contact_name"

    def normalize(self, text: Text) -> Optional[Any]:
        if details.is_skip(text) or details.yes_or_no(text) is False:
            return ""
        return details.find_name(text)


class ContactMethodValidator(ContactValidator):
    slot = "contact_method"
    reask_response = "utter_reask_contact_method"

    def normalize(self, text: Text) -> Optional[Any]:
        found = reached_at(text, details.find_method(text), contact_settings().default_region)
        return found.get("contact_method") or details.find_method(text)

    def also_fills(self, text: Text) -> Dict[Text, Any]:
        found = reached_at(text, details.find_method(text), contact_settings().default_region)
        return {k: v for k, v in found.items() if k != "contact_method"}


class ContactAddressValidator(ContactValidator):
    slot = "contact_address"
    reask_response = "utter_reask_contact_address"

    def normalize(self, text: Text) -> Optional[Any]:
        self._found = reached_at(text, self.tracker.get_slot("contact_method"), contact_settings().default_region)
        return self._found.get("contact_address")

    def also_fills(self, text: Text) -> Dict[Text, Any]:
        return {k: v for k, v in self._found.items() if k != "contact_address"}


class VoicemailValidator(AnswerValidator):
    slot = "contact_voicemail_ok"
    reask_response = "utter_reask_contact_voicemail_ok"

    def normalize(self, text: Text) -> Optional[Any]:
        if details.is_skip(text):
            return False  # the discreet choice when they'd rather not say
        return details.yes_or_no(text)


class BestTimeValidator(AnswerValidator):
    slot = "contact_best_time"
    reask_response = "utter_reask_contact_best_time"

    def normalize(self, text: Text) -> Optional[Any]:
        return "" if details.is_skip(text) else details.free_text(text)


class RegionValidator(ContactValidator):
    slot = "contact_region"
    reask_response = "utter_reask_contact_region"

    def normalize(self, text: Text) -> Optional[Any]:
        if details.is_skip(text):
            return ""
        licensed = contact_settings().licensed_regions
        region = details.region(text, licensed)
        if region and licensed and region not in licensed:
            self.dispatcher.utter_message(response="utter_region_not_licensed")
        return region


class AgeValidator(ContactValidator):
    slot = "contact_age"
    reask_response = "utter_reask_contact_age"

    def normalize(self, text: Text) -> Optional[Any]:
        if details.is_skip(text):
            return NOT_GIVEN
        age = re.search(r"\b(\d{1,2})\b", text)
        minimum = contact_settings().minimum_age
        adult = int(age.group(1)) >= minimum if age else details.yes_or_no(text)
        if adult is None:
            return None
        if not adult:
            self.dispatcher.utter_message(response="utter_under_age_path")
        return "adult" if adult else "minor"


class PaymentValidator(AnswerValidator):
    slot = "contact_payment"
    reask_response = "utter_reask_contact_payment"

    def normalize(self, text: Text) -> Optional[Any]:
        return NOT_GIVEN if details.is_skip(text) else details.payment(text)


class HandoffContactValidator(ContactValidator):
    """How to reach them for a hand-off: a number or an address in one answer; "skip"
    records the request without a way to reach them."""

    slot = "handoff_contact"
    reask_response = "utter_reask_handoff_contact"

    def normalize(self, text: Text) -> Optional[Any]:
        if details.is_skip(text) or details.yes_or_no(text) is False:
            self._found = {}
            return ""
        self._found = reached_at(text, self.tracker.get_slot("contact_method"), contact_settings().default_region)
        return self._found.get("contact_address")

    def also_fills(self, text: Text) -> Dict[Text, Any]:
        return self._found

    def validate(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker) -> Dict[Text, Any]:
        """Asked once again at most: a second answer without a number or address, or an
        answer that is plainly about something else (what they tried, a yes to therapy),
        records the request without one (utter_handoff_without_contact says how to call),
        so the hand-off never holds the conversation in a loop."""
        self.tracker, self.dispatcher = tracker, dispatcher
        text = " ".join(value) if isinstance(value, list) else str(value or "")
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        if self.normalize(text) is None and (tracker.get_slot(ATTEMPTS_SLOT) or intent in MOVED_ON):
            return {self.slot: "", ATTEMPTS_SLOT: 0.0}
        return super().validate(value, dispatcher, tracker)


# Answers to "how can they reach you?" that are about the intake instead.
MOVED_ON = {"report_coping", "share_concern", "accept_therapy", "decline_therapy", "inform_schedule"}

CONTACT_VALIDATORS = [
    ContactNameValidator(),
    ContactMethodValidator(),
    ContactAddressValidator(),
    VoicemailValidator(),
    BestTimeValidator(),
    RegionValidator(),
    AgeValidator(),
    PaymentValidator(),
    HandoffContactValidator(),
]


def questions_not_asked() -> Dict[Text, Any]:
    """The contact questions this practice does not ask, pre-answered so the form skips
    them (practice.yml `contact`)."""
    settings = contact_settings()
    answers: Dict[Text, Any] = {}
    if not settings.licensed_regions:
        answers["contact_region"] = ""
    if not settings.minimum_age:
        answers["contact_age"] = "not_asked"
    if not settings.ask_payment:
        answers["contact_payment"] = "not_asked"
    return answers
