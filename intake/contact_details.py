"""Contact details from free text: a phone number to E.164 (phonenumbers, the practice's
default region), an email address (email-validator, syntax only: no network), how they
want to be reached, a name, yes or no, age and payment answers. Pure functions: None
when the text does not give a usable value."""

import re
from typing import List, Optional, Text

import phonenumbers
from email_validator import EmailNotValidError, validate_email

MAX_NAME_CHARS = 60
MAX_FREE_TEXT_CHARS = 120
EMAIL_CANDIDATE = re.compile(r"[^\s<>(),;:\"']+@[^\s<>(),;:\"']+")
SKIP = re.compile(r"\b(skip|pass|rather not|prefer not|don'?t want to (say|give|share)|no thanks|none of your)\b", re.I)

METHOD_WORDS = [
    ("email", re.compile(r"\b(e-?mail|mail me|inbox)\b|@", re.I)),
    ("text", re.compile(r"\b(text|texts|texting|sms|message me|whatsapp)\b", re.I)),
    ("phone", re.compile(r"\b(phone|call|calls|ring|rang|telephone|cell|mobile)\b", re.I)),
]
NEGATED_WORD = re.compile(r"\b(not|don'?t|do not|no|never)\s+(by\s+|a\s+)?\w+", re.I)
YES = re.compile(
    r"^\s*(y|yes|yeah|yep|yup|sure|ok|okay|of course|fine|that'?s (fine|ok|okay)|"
    r"no problem|go ahead|absolutely|please do|it'?s fine|that works)\b",
    re.I,
)
NO = re.compile(
    r"^\s*(n|no|nope|nah|not really|please don'?t|rather not|i'?d rather not|"
    r"better not|don'?t)\b",
    re.I,
)
NAME_LEAD = re.compile(
    r"^\s*(hi|hello)?[,\s]*(my name is|my name'?s|name'?s|i am|i'm|im|it'?s|this is|call me|"
    r"you can call me|please call me|just)\s+",
    re.I,
)
INSURANCE = re.compile(
    r"\b(insurance|insured|insurer|aetna|cigna|blue ?cross|bcbs|united ?health|"
    r"medicaid|medicare|kaiser|humana|tricare|plan|copay|nhs|bupa)\b",
    re.I,
)
SELF_PAY = re.compile(
    r"\b(self[- ]?pay|pay (it )?myself|out of pocket|privately|private(ly)? pay|cash|"
    r"pay (for it )?out of|no insurance|not insured|uninsured|don'?t have insurance)\b",
    re.I,
)
NOT_SURE = re.compile(r"\b(not sure|don'?t know|unsure|no idea|maybe|either)\b", re.I)


def is_skip(text: Text) -> bool:
    return bool(SKIP.search(text or ""))


def find_email(text: Text) -> Optional[Text]:
    for candidate in EMAIL_CANDIDATE.findall(text or ""):
        candidate = candidate.rstrip(".!?")
        try:
            return validate_email(candidate, check_deliverability=False).normalized
        except EmailNotValidError:
            continue
    return None


def find_phone(text: Text, region: Text = "US") -> Optional[Text]:
    """The first valid phone number in the text, in E.164 ("+15550100123")."""
    for match in phonenumbers.PhoneNumberMatcher(text or "", region, leniency=phonenumbers.Leniency.VALID):
        return phonenumbers.format_number(match.number, phonenumbers.PhoneNumberFormat.E164)
    return None


def display_phone(e164: Text) -> Text:
    """How a number is read back to the person: national format when it is in the
    practice's region, international otherwise."""
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def find_method(text: Text) -> Optional[Text]:
    """phone, text or email; a lone number means a call, a lone address email."""
    wanted = NEGATED_WORD.sub(" ", text or "")  # "please don't call, text me"
    for method, pattern in METHOD_WORDS:
        if pattern.search(wanted):
            return method
    return None


def find_name(text: Text) -> Optional[Text]:
    text = " ".join((text or "").split()).strip(" .!,")
    text = NAME_LEAD.sub("", text).strip(" .!,")
    text = re.split(r"[,.;!]| but | and ", text, maxsplit=1)[0].strip()
    if not text or len(text) > MAX_NAME_CHARS or any(c.isdigit() for c in text) or "@" in text:
        return None
    if len(text.split()) > 4:  # a sentence, not a name
        return None
    return text[:1].upper() + text[1:]


def yes_or_no(text: Text) -> Optional[bool]:
    if NO.search(text or ""):
        return False
    if YES.search(text or ""):
        return True
    return None


def free_text(text: Text) -> Optional[Text]:
    text = " ".join((text or "").split()).strip()
    return text[:MAX_FREE_TEXT_CHARS] if text else None


def payment(text: Text) -> Optional[Text]:
    if SELF_PAY.search(text or ""):
        return "self_pay"
    if INSURANCE.search(text or ""):
        return "insurance"
    if NOT_SURE.search(text or ""):
        return "not_sure"
    return None


def region(text: Text, licensed: List[Text]) -> Optional[Text]:
    """The licensed region the text names (by name or code), else the text itself."""
    words = (text or "").strip()
    for name in licensed:
        if re.search(r"\b" + re.escape(name) + r"\b", words, re.I):
            return name
    return free_text(words)


PAYMENT_LABELS = {
    "insurance": "insurance",
    "self_pay": "paying themselves",
    "not_sure": "not sure yet",
    "not_given": "not given",
}
METHOD_LABELS = {"phone": "a phone call", "text": "a text message", "email": "email"}
