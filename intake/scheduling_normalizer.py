"""Turns what people type about scheduling into the contract's values.

Each function returns None when the text holds nothing usable, so the caller can
re-ask with a specific hint.
"""
import re
from typing import List, Optional, Text

from intake.vocabulary import DAYS

WEEKDAYS = DAYS[:5]
WEEKEND = DAYS[5:]

_DAY_ALIASES = {
    "monday": ["monday", "mondays", "mon", "mo"],
    "tuesday": ["tuesday", "tuesdays", "tues", "tue", "tu"],
    "wednesday": ["wednesday", "wednesdays", "wed", "weds", "wednsday", "wensday"],
    "thursday": ["thursday", "thursdays", "thurs", "thur", "thu", "thurdsay", "th"],
    "friday": ["friday", "fridays", "fri", "fr"],
    "saturday": ["saturday", "saturdays", "sat", "sa"],
    "sunday": ["sunday", "sundays", "sun", "su"],
}
_ALIAS_TO_DAY = {alias: day for day, aliases in _DAY_ALIASES.items() for alias in aliases}
# Two-letter forms ("mo", "th") only count in a list of days, not inside sentences.
_SHORT_ALIASES = {a for a in _ALIAS_TO_DAY if len(a) == 2}
_WORD = re.compile(r"[a-z]+")
_EXCEPT = re.compile(r"\b(?:but|except|apart from|other than|not|no|excluding|besides)\b")

_TIME_PATTERNS = [
    ("morning", r"\b(morning|mornings|am|a\.m\.|first thing|early|before work|breakfast|sunrise|[5-9] ?am|1[01] ?am)\b"),
    ("afternoon", r"\b(afternoon|afternoons|lunch|lunchtime|lunch time|midday|mid-day|noon|after lunch|pm|[1-4] ?pm|12 ?pm)\b"),
    ("evening", r"\b(evening|evenings|night|nights|tonight|after work|after dinner|after 5|after 6|after six|after five|late|[5-9] ?pm)\b"),
]

_FORMAT_PATTERNS = [
    ("video", r"\b(video|zoom|facetime|face time|teams|skype|google meet|meet|webcam|online|remote|remotely|virtual|virtually|telehealth)\b"),
    ("phone", r"\b(phone|telephone|call me|a call|phone call|by call|ring me|over the phone|calls)\b"),
    ("in_person", r"\b(in person|in-person|face to face|face-to-face|come in|coming in|the office|your office|office|the practice|in the clinic|clinic|visit|physically|on site|onsite)\b"),
]


def _lower(text: Text) -> Text:
    """Lowercase text; a list (a list slot's raw value) is joined first."""
    return (" ".join(text) if isinstance(text, list) else (text or "")).lower()


def normalize_days(text: Text) -> Optional[List[Text]]:
    """'weekdays', 'Mon & Wed', 'tues', 'any day but Friday', 'weekends' -> day names."""
    lowered = _lower(text)
    words = _WORD.findall(lowered)
    short_ok = len(words) <= 4
    named = []
    for word in words:
        day = _ALIAS_TO_DAY.get(word)
        if day and (word not in _SHORT_ALIASES or short_ok) and day not in named:
            named.append(day)

    base: List[Text] = []
    if re.search(r"\bweekdays?\b|\bweek days?\b|\bworkdays?\b|\bmon(day)?\s*(-|to|through|thru)\s*fri(day)?\b", lowered):
        base = list(WEEKDAYS)
    if re.search(r"\bweekends?\b", lowered):
        base = base + [d for d in WEEKEND if d not in base]
    if re.search(r"\b(any ?day|every ?day|all days|all week|whenever|any time|anytime|flexible|doesn'?t matter)\b", lowered):
        base = list(DAYS) if not base else base

    exception = _EXCEPT.search(lowered)
    if exception and named:
        excluded = [d for d in named if re.search(rf"\b({'|'.join(_DAY_ALIASES[d])})\b", lowered[exception.start():])]
        kept = [d for d in named if d not in excluded]
        days = [d for d in (base or DAYS) if d not in excluded]
        days = days if base or not kept else kept
        return days or None
    days = base + [d for d in named if d not in base]
    return [d for d in DAYS if d in days] or None


def normalize_time(text: Text) -> Optional[Text]:
    """'after work' -> evening, 'first thing' -> morning, 'lunchtime' -> afternoon."""
    lowered = _lower(text)
    for value, pattern in sorted(_TIME_PATTERNS, key=lambda p: -len(_first_match(p[1], lowered))):
        if _first_match(pattern, lowered):
            return value
    return None


def normalize_format(text: Text) -> Optional[Text]:
    """'zoom', 'facetime' -> video; 'come in' -> in_person; 'by phone' -> phone."""
    lowered = _lower(text)
    if re.search(r"\b(face ?time)\b", lowered):
        return "video"
    for value, pattern in _FORMAT_PATTERNS:
        if re.search(pattern, lowered):
            return value
    return None


def _first_match(pattern: Text, text: Text) -> Text:
    match = re.search(pattern, text)
    return match.group(0) if match else ""
