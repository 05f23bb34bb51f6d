"""Phrase and token-pattern matching over lowercase lemmas, shared by the rule components.

Pattern files are YAML: `{entity: {value: [pattern, ...]}}` plus an optional `exclude`
list. A pattern is either a phrase (matched by lemma, so inflections match too) or a
spaCy Matcher token pattern (a list of token dicts) for phrases with gaps.
"""

from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, Iterable, List, Text, Tuple

import yaml
from spacy.language import Language
from spacy.matcher import Matcher, PhraseMatcher
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

EXCLUDE = "exclude"
NEGATIONS = {"not", "no", "never", "n't", "without", "nor"}
PATTERNS_DIR = Path(__file__).parent / "patterns"


@dataclass(frozen=True)
class RuleMatch:
    entity: Text
    value: Text
    start: int
    end: int
    text: Text

    def as_rasa_entity(self, extractor: Text) -> Dict:
        return {
            "entity": self.entity,
            "value": self.value,
            "start": self.start,
            "end": self.end,
            "confidence_entity": 1.0,
            "extractor": extractor,
        }


def load_patterns(filename: Text) -> Dict:
    with open(PATTERNS_DIR / filename, encoding="utf-8") as handle:
        return yaml.safe_load(handle)


_RECENT_DOCS: "OrderedDict[Tuple[int, Text], Tuple[Language, Doc]]" = OrderedDict()
RECENT_DOCS = 16


def _shared_doc(nlp: Language, text: Text) -> Doc:
    """The concern and crisis matchers read the same lowercased text of each message:
    it goes through spaCy once. (Matching only reads a Doc.)"""
    key = (id(nlp), text)
    cached = _RECENT_DOCS.get(key)
    if cached is not None and cached[0] is nlp:
        return cached[1]
    doc = nlp(text)
    _RECENT_DOCS[key] = (nlp, doc)
    while len(_RECENT_DOCS) > RECENT_DOCS:
        _RECENT_DOCS.popitem(last=False)
    return doc


class RuleMatcher:
    """Finds the labelled phrases of one pattern file in a text; the longest match wins."""

    def __init__(self, nlp: Language, patterns: Dict, skip_negated: bool) -> None:
        self._nlp = nlp
        self._skip_negated = skip_negated
        self._phrases = PhraseMatcher(nlp.vocab, attr="LEMMA")
        self._tokens = Matcher(nlp.vocab)
        for label, items in self._labelled(patterns):
            phrases = [p.lower() for p in items if isinstance(p, str)]
            token_patterns = [p for p in items if isinstance(p, list)]
            if phrases:
                self._phrases.add(label, list(nlp.pipe(phrases)))
            if token_patterns:
                self._tokens.add(label, token_patterns)

    @staticmethod
    def _labelled(patterns: Dict) -> Iterable[Tuple[Text, List]]:
        for entity, values in patterns.items():
            if entity == EXCLUDE:
                yield EXCLUDE, values
                continue
            for value, items in values.items():
                yield f"{entity}:{value}", items

    def _doc(self, text: Text) -> Doc:
        lowered = text.lower()
        # Offsets must stay valid for the original text; a few Unicode letters change
        # length when lowercased, and then the original casing is matched instead.
        return _shared_doc(self._nlp, lowered if len(lowered) == len(text) else text)

    def _negated(self, span: Span) -> bool:
        before = span.doc[max(span.start - 2, 0) : span.start]
        return any(t.lower_ in NEGATIONS or t.lemma_ in NEGATIONS for t in before)

    def spans(self, text: Text) -> Tuple[Doc, List[Span]]:
        """The labelled spans of a text, longest first among overlaps, in text order;
        exclusions included (for readers that need the tokens around a match)."""
        doc = self._doc(text)
        spans = [
            Span(doc, start, end, label=label)
            for label, start, end in (
                (self._nlp.vocab.strings[m_id], s, e)
                for m_id, s, e in list(self._phrases(doc)) + list(self._tokens(doc))
            )
        ]
        return doc, sorted(filter_spans(spans), key=lambda span: span.start)

    def find(self, text: Text) -> List[RuleMatch]:
        found = []
        for span in self.spans(text)[1]:
            if span.label_ == EXCLUDE:
                continue
            if self._skip_negated and self._negated(span):
                continue
            entity, value = span.label_.split(":", 1)
            found.append(
                RuleMatch(entity, value, span.start_char, span.end_char, text[span.start_char : span.end_char])
            )
        return found
