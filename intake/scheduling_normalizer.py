"""Turns what people type about scheduling into the contract's values.

People answer with ranges ("Monday to Saturday"), exclusions ("not on the weekends",
"mornings are impossible"), flexibility ("whenever"), clock times ("after 3"), ranked
options ("in person ideally but video is fine"), typos ("thrusday") and slang ("arvo").
The text is cut into clauses; each mention of a day, a part of the day or a format is
read as offered or ruled out from the words around it in its clause.

Each function returns None when the text holds nothing usable, so the caller can
re-ask with a specific hint (or keep what was said before).
"""

import re
from dataclasses import dataclass
from typing import Dict, Iterable, List, Optional, Text, Tuple

from intake.vocabulary import DAYS

WEEKDAYS = DAYS[:5]
WEEKEND = DAYS[5:]
PARTS_OF_DAY = ["morning", "afternoon", "evening"]

_DAY_ALIASES = {
    "monday": ["monday", "mondays", "mon", "mons"],
    "tuesday": ["tuesday", "tuesdays", "tues", "tue", "tu"],
    "wednesday": ["wednesday", "wednesdays", "wed", "weds", "wensday"],
    "thursday": ["thursday", "thursdays", "thurs", "thur", "thu", "thurdsay", "th"],
    "friday": ["friday", "fridays", "fri", "fris"],
    "saturday": ["saturday", "saturdays", "sat", "sats", "sa"],
    "sunday": ["sunday", "sundays", "sun", "suns", "su"],
}
_ALIAS_TO_DAY = {alias: day for day, aliases in _DAY_ALIASES.items() for alias in aliases}
# Letters and two-letter forms ("m/w/f", "mo th") only in a bare list of days: "th" or
# "sun" inside a sentence ("sun's out") are not days.
_LETTER_DAYS = {
    "m": "monday",
    "mo": "monday",
    "t": "tuesday",
    "w": "wednesday",
    "we": "wednesday",
    "r": "thursday",
    "f": "friday",
    "s": "saturday",
}  # not "fr": "for real" in texting
_LIST_GLUE = {"and", "or", "n", "&", "/", "-", "+", "only", "pls", "please"}
# Common words a day name's typo tolerance must never reach.
_NOT_TYPOS = {
    "money",
    "monkey",
    "sunny",
    "sundae",
    "someday",
    "today",
    "tuesdays",
    "friend",
    "friendly",
    "fridge",
    "study",
    "sturdy",
    "saturn",
    "monday's",
    "mindy",
    "moody",
    "windy",
    "wendy",
    "sunday's",
}

_SPAN_WORDS = r"(?:to|till|til|until|through|thru|-|–)"
_FLEXIBLE_DAYS = re.compile(
    r"\b(any ?days?|every ?day|everyday|all days|all week|whenever|whichever day|any day of the week"
    r"|flexible|free all week|any of them|all of them|doesn'?t matter which day|days? (?:doesn'?t|don'?t) matter"
    r"|i'?m retired|most days|no preference)\b"
)
_WEEKDAY_WORDS = r"\b(weekdays?|week days?|weeknights?|week nights?|workdays?|work days?|during the week|in the week)\b"
_WEEKEND_WORDS = r"\b(weekends?|week ends?|the weekend)\b"

# Ruling out: a word before the mention in its clause, or after it.
_NEGATION_BEFORE = re.compile(
    r"\b(not|no|never|except|excluding|apart from|other than|besides|but not|can'?t do|cannot do|can'?t make"
    r"|can'?t manage|can'?t|cannot|unable|avoid|anything but|i work|i'?m working|i'?m at work|hate|dislike"
    r"|don'?t like|not a fan of|not keen on|rather not|instead of|rather than|in place of)\b"
)
_NEGATION_AFTER = re.compile(
    r"^\W*(?:\w+\W+){0,4}?(?:are|is|'s|s)?\W*(impossible|out|no good|not good|no-go|no go|no|nope|hard|difficult|"
    r"bad|tough|busy|full|a nightmare|not possible|not an option|don'?t work|doesn'?t work|won'?t work|aren'?t good|"
    r"isn'?t good|are tricky|is tricky|i'?m at|i work|i'?m working|are taken|is taken|i can'?t|i cannot|"
    r"aren'?t possible|isn'?t possible)\b"
)
# "mornings preferred but afternoons could work": the first offer is the preference.
_CLAUSE_BREAK = re.compile(r"[,.;!?()]+|\b(?:but|so|though|although|otherwise|or else|then|because|cause|cos|coz)\b")

_PERIOD_WORDS = [
    (
        "morning",
        r"\b(mornings?|mornin'?s?|morn|am|a\.m\.?|first thing|early doors|before work|breakfast|brekkie|"
        r"before lunch|before noon|before midday|late morning|early|as early as possible|earliest)\b",
    ),
    (
        "afternoon",
        r"\b(afternoons?|arvos?|aft|lunch ?times?|lunch|lunch break|midday|mid-day|noon|after lunch|pm|p\.m\.?|"
        r"after school|school pick ?up|late afternoon|early afternoon|siesta)\b",
    ),
    (
        "evening",
        r"\b(evenings?|evng|eves?|evening time|nights?|nite|tonight|after work|after dinner|after tea|"
        r"after the kids are in bed|after bedtime|bedtime|after hours|late evening|late at night|weeknights?|"
        r"week nights?|as late as possible|latest)\b",
    ),
]
_FORMAT_WORDS = [
    (
        "video",
        r"\b(video(?: call| chat)?|zoom|facetime|face time|teams|skype|google meet|webcam|online|remote|remotely|"
        r"virtual|virtually|telehealth|whatsapp video|camera|on screen|video link)\b",
    ),
    (
        "phone",
        r"\b(phone|telephone|call me|a call|phone call|by call|ring me|over the phone|calls?|whatsapp call|"
        r"voice call|ring|mobile|cell)\b",
    ),
    (
        "in_person",
        r"\b(in person|in-person|face to face|face-to-face|f2f|come in|coming in|come to you|the office|"
        r"your office|office|the practice|the clinic|in the clinic|clinic|visit|physically|on site|"
        r"onsite|irl|in real life|your rooms|your place)\b",
    ),
]
# Fallbacks and indifference decide between two offered values.
_INDIFFERENT = re.compile(
    r"\b(don'?t mind|do not mind|either|whichever|any of|both fine|both are fine|no preference|"
    r"doesn'?t matter|don'?t care|whatever)\b"
)


@dataclass
class Mention:
    value: Text
    start: int
    end: int
    ruled_out: bool = False


_SELF_CORRECTION = re.compile(
    r"\b(no wait|wait no|scratch that|sorry i mean|i mean|i meant|actually no|no sorry|correction)\b"
)


def _lower(text) -> Text:
    """Lowercase text; a list (a list slot's raw value) is joined first. Curly quotes made
    straight. After a self-correction ("after 4... no wait, after 6") only the rest counts,
    when it still says something."""
    joined = " ".join(text) if isinstance(text, list) else (text or "")
    lowered = joined.lower().replace("’", "'").replace("‘", "'")
    corrections = list(_SELF_CORRECTION.finditer(lowered))
    if corrections and re.search(r"[a-z0-9]", lowered[corrections[-1].end() :]):
        return lowered[corrections[-1].end() :]
    return lowered


def _clauses(text: Text) -> List[Tuple[int, int]]:
    """(start, end) of each clause."""
    spans, start = [], 0
    for match in _CLAUSE_BREAK.finditer(text):
        spans.append((start, match.start()))
        start = match.end()
    spans.append((start, len(text)))
    return spans


def _clause_of(position: int, clauses: List[Tuple[int, int]]) -> Tuple[int, int]:
    for start, end in clauses:
        if start <= position < end or (start <= position and position == end):
            return start, end
    return 0, 0


def _mark_ruled_out(text: Text, mentions: List[Mention], before=_NEGATION_BEFORE, after=_NEGATION_AFTER) -> None:
    clauses = _clauses(text)
    for mention in mentions:
        start, end = _clause_of(mention.start, clauses)
        if before.search(text[start : mention.start]) or after.search(text[mention.end : end]):
            mention.ruled_out = True


# --- days -------------------------------------------------------------------------------


def _edit_distance(a: Text, b: Text) -> int:
    """Levenshtein distance with adjacent swaps counted once ("thrusday")."""
    previous2, previous = None, list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            cost = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb))
            if previous2 is not None and i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                cost = min(cost, previous2[j - 2] + 1)
            current.append(cost)
        previous2, previous = previous, current
    return previous[-1]


def _day_of_word(word: Text) -> Optional[Text]:
    """A day from a word, allowing one slip in a short word and two in a long one."""
    if word in _ALIAS_TO_DAY:
        return _ALIAS_TO_DAY[word]
    word = re.sub(r"(.)\1{2,}$", r"\1", word)  # "thursdayyyy"
    if word in _ALIAS_TO_DAY:
        return _ALIAS_TO_DAY[word]
    if len(word) < 5 or word in _NOT_TYPOS:
        return None
    stem = word[:-1] if word.endswith("s") and len(word) > 6 else word
    best = None
    for day in DAYS:
        if stem[0] != day[0]:
            continue
        distance = _edit_distance(stem, day)
        allowed = 1 if len(stem) <= 6 else 2
        if distance <= allowed and (best is None or distance <= best[0]):
            # a tie ("tursday": Tuesday or Thursday?) is no answer: better to ask again
            best = (distance, None if best and best[0] == distance else day)
    return best[1] if best else None


def _day_range(first: Text, last: Text) -> List[Text]:
    i, j = DAYS.index(first), DAYS.index(last)
    return [DAYS[(i + k) % 7] for k in range((j - i) % 7 + 1)]


def _letter_list(text: Text) -> Optional[List[Text]]:
    """'m/w/f', 'mo th', 'm w f': only when the whole answer is such a list."""
    tokens = [t for t in re.split(r"[\s,/&+]+", text.strip()) if t]
    if not tokens or not all(t in _LETTER_DAYS or t in _LIST_GLUE or t in _ALIAS_TO_DAY for t in tokens):
        return None
    days = [(_LETTER_DAYS.get(t) or _ALIAS_TO_DAY.get(t)) for t in tokens if t not in _LIST_GLUE]
    return days or None


def _day_mentions(text: Text) -> List[Mention]:
    mentions: List[Mention] = []
    for match in re.finditer(r"[a-z']+", text):
        word = match.group(0).strip("'")
        if word.endswith("'s"):
            word = word[:-2]
        day = _day_of_word(word)
        if day and not (word in ("sun", "sat", "wed") and _looks_like_a_word(text, match)):
            mentions.append(Mention(day, match.start(), match.end()))
    # Ranges: "Monday to Saturday", "mon-thu", "from thursday to sunday".
    spans: List[Mention] = []
    used = set()
    for a, b in zip(mentions, mentions[1:]):
        between = text[a.end : b.start]
        if re.fullmatch(rf"\s*{_SPAN_WORDS}\s*", between) and id(a) not in used:
            for day in _day_range(a.value, b.value):
                spans.append(Mention(day, a.start, b.end))
            used.update({id(a), id(b)})
    return [m for m in mentions if id(m) not in used] + spans


def _looks_like_a_word(text: Text, match) -> bool:
    """'sun' in 'the sun is out', 'sat' in 'I sat down': a short form used as a word."""
    before = text[max(0, match.start() - 6) : match.start()]
    after = text[match.end() : match.end() + 8]
    return bool(re.search(r"\b(the|i|we|she|he|they)\s+$", before) or re.match(r"\s+(is|was|down|on the)\b", after))


def _group_mentions(text: Text, pattern: Text, values: Iterable[Text]) -> List[Mention]:
    return [Mention(day, m.start(), m.end()) for m in re.finditer(pattern, text) for day in values]


def normalize_days(text) -> Optional[List[Text]]:
    """'weekdays', 'Mon & Wed', 'mon-thu', 'any day but Friday', 'not on the weekends',
    'thrusday', 'whenever' -> day names in week order; None when the answer names no days."""
    lowered = _lower(text)
    letters = _letter_list(lowered)
    if letters:
        return [d for d in DAYS if d in letters]
    # "any day but friday": "but" after a flexible phrase excludes, it does not start a new clause.
    lowered = re.sub(
        r"\b(any ?days?|any \w+|every ?day|every \w+|everyday|anything|anytime|whenever|all days)\s+but\b",
        r"\1 except",
        lowered,
    )
    mentions = _day_mentions(lowered)
    mentions += _group_mentions(lowered, _WEEKDAY_WORDS, WEEKDAYS)
    mentions += _group_mentions(lowered, _WEEKEND_WORDS, WEEKEND)
    _mark_ruled_out(lowered, mentions)
    # "every day except sunday": the exception is ruled out even across the flexible phrase.
    offered = {m.value for m in mentions if not m.ruled_out}
    ruled_out = {m.value for m in mentions if m.ruled_out}
    if offered:
        days = offered - ruled_out if offered - ruled_out else offered
    elif _FLEXIBLE_DAYS.search(lowered) or ruled_out:
        days = set(DAYS) - ruled_out
    else:
        return None
    return [d for d in DAYS if d in days] or None


# --- time of day ----------------------------------------------------------------------------

_CLOCK = re.compile(
    r"\b(?:(before|after|from|around|about|at|by|between|past|till|until)\s+(?:like\s+|about\s+|say\s+)?)?"
    r"(half\s+)?(\d{1,2})(?:[:.h](\d{2})|(\d{2}))?\s*(am|a\.m\.?|pm|p\.m\.?|o'?clock|ish|h\b)?"
)


def _clock_period(hour: int, minutes: int, suffix: Text, preposition: Text) -> Optional[Text]:
    """Before 12:00 morning; 12:00-16:59 afternoon; 17:00 and later evening."""
    if suffix.startswith("p") and hour < 12:
        hour += 12
    elif suffix.startswith("a") and hour == 12:
        hour = 0
    elif not suffix.startswith(("a", "p")) and hour <= 12:
        # No am/pm: 1-6 are afternoon times; 7-11 are mornings, except "after 7"/"after 9"
        # (an evening); "before 7" is early morning.
        if 1 <= hour <= 6:
            hour += 12
        elif 7 <= hour <= 11 and preposition in ("after", "past", "from"):
            hour += 12
    if hour > 24:
        return None
    if preposition in ("before", "till", "until", "by") and minutes == 0 and hour > 0:
        hour -= 1  # "before noon" is the morning, "before 5" the afternoon
    if hour < 12:
        return "morning"
    return "afternoon" if hour < 17 else "evening"


def _clock_mentions(text: Text) -> List[Mention]:
    mentions = []
    for match in _CLOCK.finditer(text):
        preposition, half, hour, minutes, packed, suffix = match.groups()
        preposition, suffix = preposition or "", (suffix or "").replace(".", "")
        if packed:  # "0800", "1730"
            hour, minutes = hour + packed[:0], packed
            if len(match.group(3)) != 2:
                continue
        hour_value, minute_value = int(hour), int(minutes or (30 if half else 0))
        if minute_value > 59 or hour_value > 24:
            continue
        after = text[match.end() : match.end() + 12]
        before = text[max(0, match.start() - 12) : match.start()]
        # Numbers that are not times: "3 kids", "2 days", "age 15", "in 2 weeks".
        if not (suffix or preposition or half or minutes) and (
            re.match(r"\s*(kids?|children|days?|weeks?|months?|years?|times?|hours?|hrs?|sessions?|x\b|%)", after)
            or re.search(r"(age|aged|in|for|every|about)\s+$", before)
        ):
            continue
        if (
            not (suffix or preposition or half or minutes)
            and re.search(r"\b(or|and|-|to)\s*$", before) is None
            and len(text.strip()) > len(match.group(0).strip()) + 25
        ):
            continue  # a lone bare number deep in a sentence is rarely a time
        period = _clock_period(hour_value, minute_value, suffix, preposition)
        if period:
            mentions.append(Mention(period, match.start(), match.end()))
    return mentions


def _period_mentions(text: Text) -> List[Mention]:
    mentions = []
    for value, pattern in _PERIOD_WORDS:
        for match in re.finditer(pattern, text):
            mentions.append(Mention(value, match.start(), match.end()))
    # "late afternoon", "early evening", "before lunch": the longest phrase at a place wins.
    mentions.sort(key=lambda m: (m.start, -(m.end - m.start)))
    kept: List[Mention] = []
    for mention in mentions:
        if kept and mention.start < kept[-1].end:
            continue
        kept.append(mention)
    # "early" alone is the morning; before another part of the day it only qualifies it.
    return [
        m
        for m in kept
        if not (text[m.start : m.end] == "early" and re.match(r"\s+(afternoon|evening|night)", text[m.end :]))
    ]


_PREFERRED_AFTER = re.compile(
    r"^\W*(?:is|are|would be|'s|s|works?)?\s*(?:much\s+|way\s+)?(easier|better|best|preferred|"
    r"ideal|ideally|preferably|first|for preference)\b"
)
_PREFERRED_BEFORE = re.compile(r"\b(prefer|preferably|ideally|rather|first choice)\W+(?:\w+\W+){0,3}$")


_CONCLUSION = re.compile(r"\b(so|which means|that means|therefore|meaning)\b")


def _first_offer(text: Text, mentions: List[Mention]) -> Optional[Mention]:
    """The first option offered, unless a later one is marked as the preferred one
    ('in person or video, video is easier') or concluded ('evenings wipe me out, so mornings')."""
    offered = sorted((m for m in mentions if not m.ruled_out), key=lambda m: m.start)
    conclusions = list(_CONCLUSION.finditer(text))
    if conclusions and len({m.value for m in offered}) > 1:
        after = [m for m in offered if m.start > conclusions[-1].end()]
        if after:
            offered = after
    if len({m.value for m in offered}) > 1:
        clauses = _clauses(text)
        for mention in offered:
            start, end = _clause_of(mention.start, clauses)
            if _PREFERRED_AFTER.search(text[mention.end : end]) or _PREFERRED_BEFORE.search(
                text[start : mention.start]
            ):
                return mention
    return offered[0] if offered else None


def normalize_time(text) -> Optional[Text]:
    """'after work' -> evening, 'after 3' -> afternoon, '7am' -> morning, 'arvo' -> afternoon.
    A preference with a fallback gives the preference; an answer that only rules a part of
    the day out ('mornings are impossible') gives None."""
    lowered = _lower(text)
    lowered = re.sub(r"\b(any ?time|anytime)\b", " ", lowered)
    words = _period_mentions(lowered)
    clocks = [c for c in _clock_mentions(lowered) if not any(w.start <= c.start < w.end for w in words)]
    if words:  # "at 8 in the evening", "from 9:30 in the morning": a named part of the day settles a bare hour
        clocks = [c for c in clocks if re.search(r"(am|pm|[ap]\.m\.?)$", lowered[c.start : c.end])]
    mentions = words + clocks
    _mark_ruled_out(lowered, mentions)
    first = _first_offer(lowered, mentions)
    if first:
        return first.value
    ruled_out = {m.value for m in mentions if m.ruled_out}
    left = [p for p in PARTS_OF_DAY if p not in ruled_out]
    return left[0] if ruled_out and len(left) == 1 else None


# --- session format ---------------------------------------------------------------------------


def _format_mentions(text: Text) -> List[Mention]:
    found = []
    for value, pattern in _FORMAT_WORDS:
        for match in re.finditer(pattern, text):
            found.append(Mention(value, match.start(), match.end()))
    found.sort(key=lambda m: (m.start, -(m.end - m.start)))
    kept: List[Mention] = []
    for mention in found:
        if kept and mention.start < kept[-1].end:
            continue
        kept.append(mention)
    return kept


def normalize_format(text) -> Optional[Text]:
    """'zoom', 'facetime' -> video; 'come in' -> in_person; 'by phone' -> phone.
    'in person ideally but video is fine' -> in_person; 'I don't mind video or phone' -> None."""
    lowered = _lower(text)
    lowered = re.sub(r"\b(video|facetime|whatsapp video|zoom) call\b", r"\1", lowered)  # a video call is video
    mentions = _format_mentions(lowered)
    _mark_ruled_out(lowered, mentions)
    offered = [m for m in mentions if not m.ruled_out]
    values = {m.value for m in offered}
    if not values:
        ruled_out = {m.value for m in mentions}
        left = [v for v in ("video", "phone", "in_person") if v not in ruled_out]
        return left[0] if mentions and len(left) == 1 else None
    if len(values) > 1 and _INDIFFERENT.search(lowered) and not _PREFERENCE.search(lowered):
        return None
    return _first_offer(lowered, offered).value


_PREFERENCE = re.compile(
    r"\b(prefer|preferably|preferred|ideally|ideal|best|rather|if possible|if poss|first choice|"
    r"at a push|if i have to|if not|if need be|if necessary|could work|can stretch|fallback|"
    r"otherwise|fine if|is fine|would do|at a pinch)\b"
)


def alternatives(text) -> Optional[Text]:
    """What a ranked answer offered besides its first preference, for the clinician
    ('afternoons ideally, mornings at a push' -> 'time also: morning')."""
    lowered = _lower(text)
    if not _PREFERENCE.search(lowered):
        return None
    notes = []
    times = [m for m in _period_mentions(lowered) + _clock_mentions(lowered)]
    _mark_ruled_out(lowered, times)
    chosen = normalize_time(text)
    other_times = sorted({m.value for m in times if not m.ruled_out and m.value != chosen})
    if chosen and other_times:
        notes.append("time also: " + ", ".join(other_times))
    formats = _format_mentions(lowered)
    _mark_ruled_out(lowered, formats)
    chosen_format = normalize_format(text)
    other_formats = sorted({m.value for m in formats if not m.ruled_out and m.value != chosen_format})
    if chosen_format and other_formats:
        notes.append("format also: " + ", ".join(v.replace("_", " ") for v in other_formats))
    return "; ".join(notes) or None


# The slot each part of a note is about ("time also: ..." is about preferred_time).
NOTE_SLOTS = {"time": "preferred_time", "format": "session_format"}


def merge_notes(old: Optional[Text], new: Optional[Text], answered: Tuple[Text, ...] = ()) -> Optional[Text]:
    """The schedule note after a new answer: a part of the old note stays unless the new
    note has its own for the same slot, or that slot was answered again (`answered`, slot
    names): a changed time makes the old time's alternatives stale."""
    parts: Dict[Text, Text] = {}
    for note in (old, new):
        for part in (note or "").split("; "):
            kind = part.split(" also:", 1)[0]
            if part and (note is new or NOTE_SLOTS.get(kind) not in answered):
                parts[kind] = part
    return "; ".join(parts.values()) or None
