"""PHQ-9 and GAD-7: the items, the answer scale, scoring and severity bands.

Both questionnaires are free to use (Pfizer, no permission needed). The order asked
in the conversation is PHQ-2, GAD-2, then the rest of the GAD-7 when the GAD-2 is 3
or more, then the rest of the PHQ-9 when the PHQ-2 is 3 or more, so that item 9
(thoughts of self-harm) comes last and a positive answer loses no other answer.
"""

import re
from typing import Dict, List, Mapping, Optional, Text, Tuple

# The items' wording, with the standard stem, is in domain/screening.yml (utter_ask_phq_1 ...).
PHQ_SLOTS = [f"phq_{i}" for i in range(1, 10)]
GAD_SLOTS = [f"gad_{i}" for i in range(1, 8)]
SELF_HARM_ITEM = "phq_9"
SCREEN_THRESHOLD = 3  # PHQ-2 or GAD-2 at or above this: ask the full questionnaire
NOT_ASKED = "not_asked"  # an item the short path leaves out

ASKING_ORDER = ["phq_1", "phq_2", "gad_1", "gad_2"] + GAD_SLOTS[2:] + PHQ_SLOTS[2:]

ANSWER_LABELS = {0: "not at all", 1: "several days", 2: "more than half the days", 3: "nearly every day"}

# What people type, by the option it means.
_ANSWER_PATTERNS: List[Tuple[int, Text]] = [
    (
        3,
        r"nearly every ?day|almost every ?day|every ?day|everyday|daily|all the time|all day|"
        r"every single day|constantly|always|most of the time|pretty much always|nearly all the time|non ?stop",
    ),
    (
        2,
        r"more than half|over half|half the (days|time)|most days|more often than not|"
        r"a lot|lots|often|frequently|many days|most of the days",
    ),
    (
        1,
        r"several days|several|a few days|a few times|few days|some days|sometimes|"
        r"occasionally|a couple of (days|times)|couple of days|once or twice|now and then|"
        r"now and again|a little|a bit|on and off|less than half|not often|not that often|"
        r"not very often|rarely|a few|not (nearly |quite |)every ?day|not all the time|"
        r"not (a lot|always|constantly)",
    ),
    (
        0,
        r"not at all|never|none|no days|not once|not really|nope|no|nothing|hardly ever|"
        r"at no point|zero",
    ),
]
_COMPILED = [(score, re.compile(rf"(?<![a-z])(?:{pattern})(?![a-z])")) for score, pattern in _ANSWER_PATTERNS]
_DIGIT = re.compile(r"^\s*([0-3])\s*[.)!]?\s*$")
_WORD_NUMBERS = {"zero": 0, "one": 1, "two": 2, "three": 3}

PHQ9_BANDS = [(4, "minimal"), (9, "mild"), (14, "moderate"), (19, "moderately severe"), (27, "severe")]
GAD7_BANDS = [(4, "minimal"), (9, "mild"), (14, "moderate"), (21, "severe")]


def normalize_answer(text: Text) -> Optional[int]:
    """0-3 on the standard scale, or None when the text is not an answer to it.

    "3" is the number of the option, as on the paper form; "several" and "a few" map
    to the second option because that is how the scale words it."""
    text = (text or "").strip().lower()
    if not text or len(text) > 200:
        return None
    digit = _DIGIT.match(text)
    if digit:
        return int(digit.group(1))
    if text.strip(" .!") in _WORD_NUMBERS:
        return _WORD_NUMBERS[text.strip(" .!")]
    text = re.sub(r"[^a-z0-9' ]+", " ", text)
    text = re.sub(r"\s+", " ", text)
    # The longest phrase wins, so "not often" is not "often" and "not every day" is
    # not "every day".
    matches = [(len(m.group(0)), score) for score, pattern in _COMPILED for m in pattern.finditer(text)]
    return max(matches)[1] if matches else None


def band(score: int, bands: List[Tuple[int, Text]]) -> Text:
    for upper, label in bands:
        if score <= upper:
            return label
    raise ValueError(f"score {score} is above the scale")


def _answered(values: Mapping[Text, object], slots: List[Text]) -> Optional[List[int]]:
    answers = [values.get(slot) for slot in slots]
    if all(isinstance(a, int) and not isinstance(a, bool) and 0 <= a <= 3 for a in answers):
        return answers  # type: ignore[return-value]
    return None


def score_answers(values: Mapping[Text, object]) -> Dict[Text, object]:
    """Whatever can be scored from the answers so far: PHQ-2 and GAD-2 once both of
    their items are answered, PHQ-9 and GAD-7 once all their items are."""
    result: Dict[Text, object] = {}
    for short_slots, full_slots, bands, prefix in (
        (PHQ_SLOTS[:2], PHQ_SLOTS, PHQ9_BANDS, "phq"),
        (GAD_SLOTS[:2], GAD_SLOTS, GAD7_BANDS, "gad"),
    ):
        short = _answered(values, short_slots)
        if short is not None:
            result[f"{prefix}2_score"] = sum(short)
        full = _answered(values, full_slots)
        if full is not None:
            total = sum(full)
            result[f"{prefix}{len(full_slots)}_score"] = total
            result[f"{prefix}{len(full_slots)}_band"] = band(total, bands)
    return result


def items_to_leave_out(values: Mapping[Text, object]) -> List[Text]:
    """After the PHQ-2 and GAD-2: the items the short path does not ask."""
    scores = score_answers(values)
    leave_out: List[Text] = []
    if scores.get("gad2_score", SCREEN_THRESHOLD) < SCREEN_THRESHOLD:
        leave_out += GAD_SLOTS[2:]
    if scores.get("phq2_score", SCREEN_THRESHOLD) < SCREEN_THRESHOLD:
        leave_out += PHQ_SLOTS[2:]
    return leave_out


def self_harm_positive(values: Mapping[Text, object]) -> bool:
    answer = values.get(SELF_HARM_ITEM)
    return isinstance(answer, int) and answer > 0
