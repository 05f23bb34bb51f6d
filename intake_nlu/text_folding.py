"""Folding the spelling tricks people use around risk words, before any safety matching.

Full-width and other compatibility forms (NFKC), letters that look Latin but are not
(Cyrillic and Greek homoglyphs), leetspeak inside words ("k1ll", "su1c1de"), and the
slang that avoids the filtered words ("unalive", "kms", "ctb", "sewerslide") all become
the plain words the patterns and the classifier know. Used on the safety path only; the
rest of the pipeline sees the text as typed.
"""

import re
import unicodedata
from typing import List, Text

# Lookalikes NFKC leaves alone (the usual confusables for Latin lowercase letters).
HOMOGLYPHS = str.maketrans(
    {
        "а": "a",
        "е": "e",
        "о": "o",
        "р": "p",
        "с": "c",
        "у": "y",
        "х": "x",
        "і": "i",
        "ј": "j",
        "ѕ": "s",
        "һ": "h",
        "ԁ": "d",
        "ӏ": "l",
        "к": "k",
        "м": "m",
        "т": "t",
        "н": "h",
        "в": "b",
        "ο": "o",
        "α": "a",
        "ε": "e",
        "ι": "i",
        "κ": "k",
        "ν": "v",
        "ρ": "p",
        "τ": "t",
        "υ": "u",
        "ı": "i",
        "ɩ": "i",
        "ℓ": "l",
        "‘": "'",
        "’": "'",
        "ʼ": "'",
        "`": "'",
        "\u200b": "",
        "\u200c": "",
        "\u200d": "",
        "\u2060": "",
        "\u00ad": "",
    }
)
LEET = str.maketrans({"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s"})
# A word with letters and at least one of the leet characters inside it ("k1ll", "d!e").
LEET_WORD = re.compile(r"(?<![\w@$])(?=[\w@$]*[a-z])(?=[\w@$]*[0-9@$][\w@$]*[a-z]|[a-z][\w@$]*[0-9@$])[\w@$]+")
# Letters spaced or dotted apart ("k i l l", "s.u.i.c.i.d.e"): three or more single letters.
SPACED = re.compile(r"\b(?:[a-z][ .*_-]){3,}[a-z]\b")

# Slang and euphemisms, as whole words, after the folding above. Reviewable here rather
# than in a pattern file because they rewrite the text every pattern then reads.
SLANG = [
    (r"\bsewer ?slide\b|\bsui ?side\b|\bsooicide\b|\bsuicde\b|\bsucide\b|\bsuiside\b", "suicide"),
    (r"\bsewer ?sliding\b", "suicide"),
    (r"\bunaliv(?:e|ing|ed) (?:my ?self|meself)\b", "kill myself"),
    (r"\bunaliv(?:e|ing|ed)\b", "kill myself"),
    (r"\bkms+\b", "kill myself"),
    (r"\bkmsl\b", "kill myself"),
    (r"\bctb\b", "kill myself"),
    (r"\bcatch(?:ing)? the bus\b", "kill myself"),
    (r"\b(?:off|offing|offed) (?:my ?self|meself|myslef)\b", "kill myself"),
    (r"\bdelete (?:my ?self|myself from (?:this|the) world)\b", "kill myself"),
    (r"\bmy ?self\b|\bmyslef\b|\bmyselfe\b|\bmeself\b", "myself"),
    (r"\bwanna\b", "want to"),
    (r"\bgonna\b", "going to"),
    (r"\bgotta\b", "got to"),
    (r"\bim\b", "i'm"),
    (r"\bi m\b", "i'm"),
    (r"\bdont\b", "don't"),
    (r"\bcant\b", "can't"),
    (r"\bwont\b", "won't"),
    (r"\bidk\b", "i don't know"),
    (r"\bu\b", "you"),
    (r"\bur\b", "your"),
    (r"\bpls\b|\bplz\b", "please"),
    (r"\btmrw\b|\btmr\b|\btmrrw\b", "tomorrow"),
    (r"\btn\b|\b2nite\b|\btonite\b", "tonight"),
    (r"\brn\b", "right now"),
    (r"\bfr\b|\bngl\b|\btbh\b|\bfrfr\b|\blol\b|\blmao\b", ""),
    (r"\bkil\b", "kill"),
    (r"\bwnt\b|\bwnna\b", "want"),
    (r"\bsh\b", "self harm"),
    (r"\bidw\b", "i don't want to"),
    (r"\babt\b|\bbout\b", "about"),
    (r"\b(think|end|cutt|go|try|hurt|kill|plann|do|feel|want|tak|jump|hang)in\b", r"\1ing"),
    (r"\bpils\b", "pills"),
    (r"\bsucidal\b|\bsuicdal\b|\bsuisidal\b|\bsuicidle\b", "suicidal"),
    (r"\bdye\b(?= (?:tonight|now|soon|already))", "die"),
]
SLANG = [(re.compile(pattern), replacement) for pattern, replacement in SLANG]
SPACES = re.compile(r"[ \t]+")


# Numbers with a unit or a clock time ("3am", "10pm", "20mg", "2nd", "30s") are not leetspeak.
NUMBER_WITH_UNIT = re.compile(r"\d+(?:[:.]\d+)?(?:am|pm|st|nd|rd|th|s|h|hr|hrs|min|mins|mg|ml|g|kg|k|m|x)?")


def _unleet(match: "re.Match") -> Text:
    word = match.group(0)
    return word if NUMBER_WITH_UNIT.fullmatch(word) else word.translate(LEET)


def fold(text: Text) -> Text:
    """The text as the safety layer reads it: lowercase, plain Latin letters, slang spelled out."""
    folded = unicodedata.normalize("NFKC", text).translate(HOMOGLYPHS).lower()
    folded = "".join(c for c in unicodedata.normalize("NFKD", folded) if not unicodedata.combining(c))
    folded = LEET_WORD.sub(_unleet, folded)
    folded = SPACED.sub(lambda m: re.sub(r"[ .*_-]", "", m.group(0)), folded)
    for pattern, replacement in SLANG:
        folded = pattern.sub(replacement, folded)
    return SPACES.sub(" ", folded).strip()


# Sentence ends, and the joints where people run two thoughts together without a stop.
SENTENCE_END = re.compile(r"(?<=[.!?;])\s+|\n+|\s+(?:-{1,2}|–|—)\s+|\.{3,}\s*|\s*\|\s*")


CLAUSE_JOINT = re.compile(r",\s+|\s+(?:and then|and also|but|and the fact that)\s+")
LONG_SENTENCE = 16  # words; a run-on list of troubles is read clause by clause


def sentences(text: Text) -> List[Text]:
    """The sentences of a message (a simple splitter: risk is often halfway through).
    A long run-on sentence is split at its commas too, so that the context of one
    clause ("dad died in January") does not speak for another."""
    found = []
    for part in SENTENCE_END.split(text):
        part = part.strip()
        if len(part.split()) > LONG_SENTENCE:
            found += [clause.strip() for clause in CLAUSE_JOINT.split(part)]
        else:
            found.append(part)
    return [part for part in found if part]
