"""Which of the concern phrases in a message are the person's own concerns.

A keyword is not a disclosure. This reads each match in its sentence, NegEx-style:
- negation: a trigger ("not", "no", "nothing to do with") denies the concerns after it
  in its clause, when only small words (or other concerns) stand between them ("not
  stressed about work" denies both; "can't shake this sadness" denies nothing);
  "but", "however", commas and sentence ends close the scope; pseudo-negations such as
  "can't stop" are not triggers;
- denial after the fact: "work isn't the issue", "the divorce was years ago", "the job
  itself is fine" take back the nearest concern before them in the sentence;
- topics: "my boss", "my son" are concerns only with a sign of difficulty in the same
  sentence ("my boss screams", "arguing with my son"); a bare "work" as the whole
  answer counts too;
- whose concern: an inner state said of someone else ("my son is depressed", "my mum's
  health") is not the person's; a child's difficulty is the parent's `parenting`;
- questions: what someone asks about ("does it work for anxiety?") is not a disclosure,
  unless they ask about themselves ("why do I feel so low?"); coping is never read from
  a question.
What is denied comes back as `denied_concern`, so a correction can take a concern out
(actions/slot_mappings.py).
"""

from dataclasses import dataclass
from typing import Dict, List, Optional, Set, Text, Tuple

from spacy.tokens import Doc, Span

from intake_nlu.rule_matcher import RuleMatcher

CONCERN = "concern"
DENIED = "denied_concern"
CORRECTION = "correction"

SENTENCE_ENDS = {".", "!", "?", ";", "...", "…", "\n", "\n\n"}
CLAUSE_ENDS = {
    ",",
    "but",
    "however",
    "though",
    "although",
    "except",
    "yet",
    "whereas",
    "-",
    "–",
    "—",
    ":",
    "(",
    ")",
    "because",
    "cos",
    "cause",
    "while",
    "whilst",
}
# Words that may stand between a negation and what it negates.
BRIDGE = {
    "be",
    "am",
    "is",
    "are",
    "was",
    "were",
    "been",
    "being",
    "'m",
    "’m",
    "'re",
    "’re",
    "'s",
    "’s",
    "feel",
    "feeling",
    "felt",
    "really",
    "that",
    "so",
    "too",
    "very",
    "at",
    "all",
    "particularly",
    "actually",
    "even",
    "a",
    "an",
    "the",
    "about",
    "any",
    "much",
    "of",
    "my",
    "our",
    "have",
    "has",
    "had",
    "got",
    "having",
    "get",
    "getting",
    "it",
    "this",
    "more",
    "overly",
    "super",
    "massively",
    "especially",
    "exactly",
    "to",
    "do",
    "with",
    "because",
    "over",
    "by",
    "'ve",
    "’ve",
    "i",
    "sure",
    "honestly",
    "tbh",
    "for",
    "me",
    "or",
    "anything",
    "like",
    "much",
    "remotely",
    "seem",
    "seems",
    "in",
    "any",
    "issue",
    "problem",
    "due",
    "real",
}
NEGATION_REACH = 6  # tokens between a trigger and the concern, at most
DENIAL_REACH = 12  # tokens back from "isn't the issue" to the concern it takes back

# Inner states belong to whoever they are said of.
INNER_STATES = {
    "stress",
    "anxiety",
    "sleep",
    "isolation",
    "low_mood",
    "health",
    "substance_use",
    "self_harm",
    "trauma",
    "anger",
}
FIRST_PERSON = {"i", "me", "we", "us", "myself", "i'm", "im", "ive", "id"}
CHILDREN = {
    "son",
    "daughter",
    "kid",
    "kids",
    "child",
    "children",
    "teenager",
    "teen",
    "toddler",
    "twins",
    "boy",
    "girl",
    "stepson",
    "stepdaughter",
    "baby",
    "4yo",
    "little",
}
OTHERS = CHILDREN | {
    "he",
    "she",
    "they",
    "him",
    "her",
    "his",
    "their",
    "them",
    "mum",
    "mom",
    "mother",
    "dad",
    "father",
    "parents",
    "brother",
    "sister",
    "friend",
    "friends",
    "partner",
    "husband",
    "wife",
    "boyfriend",
    "girlfriend",
    "bf",
    "gf",
    "nan",
    "gran",
    "grandma",
    "grandad",
    "grandpa",
    "grandmother",
    "grandfather",
    "aunt",
    "uncle",
    "cousin",
    "flatmate",
    "roommate",
    "colleague",
    "coworker",
    "boss",
    "manager",
    "fiance",
    "fiancee",
    "sibling",
    "siblings",
    "family",
}
OWNER_REACH = 5
QUESTION_STARTS = {
    "how",
    "what",
    "why",
    "when",
    "where",
    "who",
    "which",
    "does",
    "do",
    "will",
    "would",
    "can",
    "could",
    "should",
    "shall",
    "is",
    "are",
    "may",
    "might",
}
SHORT_ANSWER_TOKENS = 3


@dataclass(frozen=True)
class Mention:
    entity: Text
    value: Text
    start: int  # character offsets in the original text
    end: int

    def as_rasa_entity(self, extractor: Text) -> Dict:
        return {
            "entity": self.entity,
            "value": self.value,
            "start": self.start,
            "end": self.end,
            "confidence_entity": 1.0,
            "extractor": extractor,
        }


def _kind(span: Span) -> Tuple[Text, Text]:
    kind, _, value = span.label_.partition(":")
    return kind, value


class _Sentence:
    """The labelled spans of one sentence, with its clause boundaries."""

    def __init__(self, doc: Doc, start: int, end: int, spans: List[Span]) -> None:
        self.doc, self.start, self.end, self.spans = doc, start, end, spans
        words = [t.lower_ for t in doc[start:end] if not t.is_punct and not t.is_space]
        self.question = doc[end - 1].text == "?" or bool(words) and words[0] in QUESTION_STARTS
        self.first_person = any(w in FIRST_PERSON for w in words)

    def clause_break_between(self, left: int, right: int) -> bool:
        return any(t.lower_ in CLAUSE_ENDS for t in self.doc[left:right])


def _sentences(doc: Doc, spans: List[Span]) -> List[_Sentence]:
    bounds, start = [], 0
    for token in doc:
        if token.text.strip() == "" and "\n" in token.text or token.text in SENTENCE_ENDS:
            bounds.append((start, token.i + 1))
            start = token.i + 1
    if start < len(doc):
        bounds.append((start, len(doc)))
    return [_Sentence(doc, s, e, [sp for sp in spans if s <= sp.start < e]) for s, e in bounds if e > s]


class ConcernReader:
    """Mentions (concern, denied_concern, coping_strategy, worry, correction) of a text."""

    def __init__(self, matcher: RuleMatcher) -> None:
        self._matcher = matcher

    def read(self, text: Text) -> List[Mention]:
        # Typographic apostrophes as plain ones (same length: offsets stay valid).
        doc, spans = self._matcher.spans(text.replace("’", "'"))
        spans = [s for s in spans if _kind(s)[0] != "exclude"]
        words = [t for t in doc if not t.is_punct and not t.is_space]
        short_answer = len(words) <= SHORT_ANSWER_TOKENS
        found: List[Mention] = []
        for sentence in _sentences(doc, spans):
            found += self._read_sentence(sentence, short_answer)
        return _resolve(found)

    def _read_sentence(self, sentence: _Sentence, short_answer: bool) -> List[Mention]:
        out: List[Mention] = []
        negated = self._negated(sentence)
        denied = self._denied_after(sentence) | negated
        theirs = {id(s): self._owner(sentence, s) for s in sentence.spans}
        for span in sentence.spans:
            kind, value = _kind(span)
            at = (span.start_char, span.end_char)
            if kind == CORRECTION:
                out.append(Mention(CORRECTION, value, *at))
            elif kind == "denied":
                out.append(Mention(DENIED, value, *at))
            elif kind in (CONCERN, "topic"):
                owner = theirs[id(span)]
                if id(span) in denied:
                    if owner is None:
                        out.append(Mention(DENIED, value, *at))
                    continue
                if sentence.question and (value == "work" or not sentence.first_person):
                    continue
                if kind == "topic" and not (self._cue_for(sentence, span, denied) or short_answer):
                    continue
                if owner is not None and (value in INNER_STATES or kind == "topic" and value == "work"):
                    if owner in CHILDREN:
                        out.append(Mention(CONCERN, "parenting", *at))
                    continue
                out.append(Mention(CONCERN, value, *at))
            elif kind == "coping_strategy":
                if sentence.question or id(span) in negated:
                    continue
                out.append(Mention(kind, value, *at))
            elif kind == "worry" and id(span) not in negated:
                out.append(Mention(kind, value, *at))
        return out

    @staticmethod
    def _cue_for(sentence: _Sentence, topic: Span, denied: Set[int]) -> bool:
        """A cue or another concern, other than the topic itself, in the sentence."""
        topic_value = _kind(topic)[1]
        for span in sentence.spans:
            kind, value = _kind(span)
            if span is topic or id(span) in denied or kind not in ("cue", CONCERN, "worry") or value == topic_value:
                continue
            return True
        return False

    @staticmethod
    def _negated(sentence: _Sentence) -> Set[int]:
        """Spans a negation trigger reaches within its clause."""
        out: Set[int] = set()
        spans = sentence.spans
        for i, trigger in enumerate(spans):
            if _kind(trigger) != ("negation", "before"):
                continue
            reach_from = trigger.end
            for span in spans[i + 1 :]:
                gap = sentence.doc[reach_from : span.start]
                if sentence.clause_break_between(reach_from, span.start):
                    break
                if len(gap) > NEGATION_REACH or any(t.lower_ not in BRIDGE for t in gap):
                    break
                kind = _kind(span)[0]
                if kind in ("negation", "correction", "cue"):
                    break
                out.add(id(span))
                reach_from = span.end  # "not stressed about work": the chain goes on
        return out

    @staticmethod
    def _denied_after(sentence: _Sentence) -> Set[int]:
        """The nearest concern before "isn't the issue", "was years ago", "is fine"."""
        out: Set[int] = set()
        spans = sentence.spans
        doc = sentence.doc
        for span in spans:
            # "work is fine": the topic's own pattern ("work is") holds the verb, so the
            # denial phrase cannot match; the word after it says the same.
            if (
                _kind(span)[0] == "topic"
                and doc[span.end - 1].lower_ in ("is", "'s", "s", "was")
                and span.end < len(doc)
                and doc[span.end].lower_ in FINE_WORDS
            ):
                out.add(id(span))
        for i, denial in enumerate(spans):
            if _kind(denial) != ("denial", "after"):
                continue
            for span in reversed(spans[:i]):
                if _kind(span)[0] not in (CONCERN, "topic"):
                    continue
                gap_has_but = any(
                    t.lower_ in {"but", "however", "though", "although", "except"}
                    for t in sentence.doc[span.end : denial.start]
                )
                if gap_has_but or denial.start - span.end > DENIAL_REACH:
                    break
                out.add(id(span))
                # "the job itself is fine": a topic with its own concern words denies both
                break
        return out

    @staticmethod
    def _owner(sentence: _Sentence, span: Span) -> Optional[Text]:
        """Who an inner state is said of: None for the person, else the word for the other.

        Looks back within the clause for the nearest subject-like word."""
        doc = sentence.doc
        if any(t.lower_ in FIRST_PERSON for t in span):  # "leaving me out"
            return None
        for token in reversed(doc[max(sentence.start, span.start - OWNER_REACH) : span.start]):
            word = token.lower_
            if word in CLAUSE_ENDS or word in {"and", "then"}:  # "so" is mostly "so anxious"
                return None
            if word in FIRST_PERSON:
                return None
            if word in OTHERS:
                return word
            if _looks_like_possessive(token):
                return doc[token.i - 1].lower_ if token.i > 0 and doc[token.i - 1].lower_ in OTHERS else None
        return None


# What "work is ..." is when it is not the problem.
FINE_WORDS = {"fine", "ok", "okay", "good", "great", "alright", "grand", "lovely", "chill", "flexible", "manageable"}


def _looks_like_possessive(token) -> bool:
    return token.text in ("'s", "’s") and token.i > 0 and token.doc[token.i - 1].lower_ in OTHERS


def _resolve(found: List[Mention]) -> List[Mention]:
    """A value both affirmed and denied in one message counts as affirmed; each value of
    each entity once, first mention first."""
    affirmed = {m.value for m in found if m.entity == CONCERN}
    seen: Set[Tuple[Text, Text]] = set()
    out = []
    for mention in found:
        if mention.entity == DENIED and mention.value in affirmed:
            continue
        key = (mention.entity, mention.value)
        if key in seen:
            continue
        seen.add(key)
        out.append(mention)
    return out
