"""How a message is put, whatever its intent: a question or a statement."""

import re
from typing import List, Text

_OPENERS = r"^(?:(?:so|and|but|ok|okay|right|sorry|wait|hmm|um|also|yes|yeah|ya|cool|great|fine|alright)\s+)*"
_CLAUSE_IS_QUESTION = re.compile(
    # A question word opening the clause ("how does it work").
    rf"{_OPENERS}(?:what|whats|how|when|where|who|why|which|any idea|i wonder|i was wondering)\b"
    # An auxiliary verb before its subject ("is it weekly", "could my partner come"), not
    # an imperative or a short reply ("do it", "will do", "is fine").
    rf"|{_OPENERS}(?:can|could|would|will|should|do|does|did|is|are|am|may|shall|have|has)\s+"
    r"(?!(?:it|that|this)\s*$)(?:i|you|we|they|he|she|it|there|that|this|my|your|our|the|someone|anyone|a|an)\b"
)


def is_question(text: Text) -> bool:
    """A question mark, or a clause that opens as a question does ("sounds good, how long
    is it")."""
    text = (text or "").lower().strip()
    if "?" in text:
        return True
    clauses = (c.strip(" \t\"'()-") for c in re.split(r"[.,;:!\n]+", text))
    return any(_CLAUSE_IS_QUESTION.match(c) for c in clauses if c)


# The practical questions, by their words, and the responses that answer them: a safety net
# under the classifier, which can read "sounds right, how often would we meet?" as a question
# about IPT in general, or "ok so is it every week?" as a yes.
PRACTICAL_QUESTIONS = {
    "ask_duration": re.compile(r"\bhow long\b|\bhow many (?:sessions|weeks|months|appointments)\b"),
    "ask_frequency": re.compile(r"\bhow often\b|\bevery week\b|\bweekly\b|\bhow frequent|\bhow many times a\b"),
    "ask_cost": re.compile(r"\bhow much\b|\bcosts?\b|\bfees?\b|\binsurance\b|\bprice\b|\bafford\b"),
}
PRACTICAL_ANSWERS = {
    "ask_duration": "utter_ipt_duration",
    "ask_frequency": "utter_ipt_frequency",
    "ask_cost": "utter_cost",
}


def practical_questions(text: Text) -> List[Text]:
    """The practical questions a message asks in so many words (intent names)."""
    lowered = (text or "").lower()
    if not is_question(lowered):
        return []
    return [name for name, words in PRACTICAL_QUESTIONS.items() if words.search(lowered)]
