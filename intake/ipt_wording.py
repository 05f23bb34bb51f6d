"""What the concerns mean: plain words for reflecting them back, and the IPT focus."""

from typing import Iterable, List, Optional, Text

from intake.vocabulary import CONCERN_WORDS, join_words

# The contract's precedence: grief > conflict > life_change > isolation.
IPT_FOCUS_BY_CONCERN = [
    ("grief", "grief"),
    ("conflict", "role_dispute"),
    ("life_change", "role_transition"),
    ("isolation", "interpersonal_deficits"),
]

FOCUS_EXPLANATIONS = {
    "grief": "IPT has a specific focus for grief: making room for the loss and, over time, reconnecting with the people and things that matter to you.",
    "role_dispute": "IPT would likely focus on the conflict you described (it calls this a role dispute): understanding what each side expects and finding better ways to talk it through.",
    "role_transition": "IPT would likely focus on the change you're going through (it calls this a role transition): adjusting to the new situation and building the support you need in it.",
    "interpersonal_deficits": "Feeling isolated can feed stress and anxiety, and IPT works on it directly: finding patterns in your relationships and ways to build closer, more supportive connections.",
    None: "IPT looks at how what's happening with the people around you, at work and at home, affects how you feel, and works on practical ways to handle it.",
}


def ipt_focus_for(concerns: Iterable[Text]) -> Optional[Text]:
    present = set(concerns or [])
    return next((focus for concern, focus in IPT_FOCUS_BY_CONCERN if concern in present), None)


def describe_concerns(concerns: Iterable[Text]) -> Text:
    return join_words([CONCERN_WORDS[c] for c in concerns if c in CONCERN_WORDS])


def merge_unique(current: Optional[List[Text]], new: Iterable[Text]) -> List[Text]:
    """Accumulates values in the order first seen, without duplicates."""
    merged = list(current or [])
    for value in new:
        if value not in merged:
            merged.append(value)
    return merged
