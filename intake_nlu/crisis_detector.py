"""CrisisRuleDetector: the safety tier of a message (check, crisis, imminent), what the
risk is about, and which response fits, from the classifier's score and the reviewable
rules in patterns/ (crisis.yml, imminence.yml, check.yml, context.yml)."""

import re
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Set, Text, Tuple

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.utils.spacy_utils import SpacyModel
from rasa.shared.nlu.training_data.message import Message

from intake_nlu.intent_classifier import SENTENCE_RANKINGS
from intake_nlu.rule_component import RuleComponent
from intake_nlu.rule_matcher import RuleMatch, RuleMatcher, load_patterns
from intake_nlu.text_folding import fold, sentences

CRISIS_INTENT = "crisis"
CHECK_INTENT = "safety_check"
FALLBACK_INTENT = "nlu_fallback"
RANK = {None: 0, "check": 1, "crisis": 2, "imminent": 3}
# crisis.yml's values and the contract's risk_categories.
CATEGORY = {
    "suicidal_ideation": "suicide",
    "plan_or_means": "suicide",
    "self_harm": "self_harm",
    "harm_to_others": "harm_to_others",
    "danger_or_abuse": "abuse",
    "suicide": "suicide",
    "abuse": "abuse",
    "substance": "self_harm",
}
# The risk belongs to the person speaking unless the sentence is about someone else.
FIRST_PERSON = {"i", "i'm", "i've", "i'd", "i'll", "me", "myself", "im", "ive"}
THIRD_PERSON = {
    "he",
    "she",
    "they",
    "he's",
    "she's",
    "they're",
    "him",
    "her",
    "them",
    "friend",
    "son",
    "daughter",
    "sister",
    "brother",
    "mum",
    "mom",
    "dad",
    "father",
    "mother",
    "kid",
    "child",
    "partner",
    "husband",
    "wife",
    "boyfriend",
    "girlfriend",
    "roommate",
    "flatmate",
    "cousin",
    "student",
    "teenager",
    "colleague",
    "coworker",
    "someone",
    "somebody",
    "nephew",
    "niece",
}
NEGATIONS = {
    "not",
    "never",
    "n't",
    "no",
    "don't",
    "dont",
    "didn't",
    "doesn't",
    "isn't",
    "wasn't",
    "won't",
    "wouldn't",
    "aren't",
    "haven't",
    "hasn't",
    "nor",
}
SEEING = {"see", "find", "have", "got", "know", "think", "sure", "stop", "promise", "care"}
# Negate only harm done by others ("nobody's hurting me"): "nobody would care if I died" stays.
SUBJECT_NEGATIONS = {"nobody", "nobody's", "noone"}
AFTER_NEGATION = re.compile(r"^\W*(?:is|was|has|have|'s)?\s*(?:n't|not|never)\b")
NEGATION_WINDOW = 4
# Contexts that explain risk-like words well enough that the classifier alone only asks.
EXPLAINING = {"bereavement", "ordinary_ending", "accidental", "hypothetical", "past", "scoped", "rest"}
DEATH_WORDS = {"die", "died", "dies", "dying", "dead", "death"}
# Contexts that give hopelessness and goodbye words an ordinary sense in their sentence
# (grief, an ordinary ending, a trouble that names its object, a wish for rest): the
# check's `suicide` words there ask nothing, nor does the classifier's check alone.
ORDINARY = {"bereavement", "ordinary_ending", "scoped", "rest"}
# "no" denies what follows only across these ("no thoughts of self-harm"), not a clause ("no one would care if I died").
NO_SCOPE = {
    "thoughts",
    "thought",
    "urge",
    "urges",
    "intention",
    "intentions",
    "plans",
    "plan",
    "of",
    "to",
    "desire",
    "wish",
}
# A death named as an event: with bereavement words around it, grief rather than risk.
BEREAVEMENT_NOUNS = {
    "suicide",
    "overdose",
    "overdosed",
    "suicide attempt",
}  # words before a match that can negate it ("I'm not going to kill myself")


def _crisis_confidence(ranking: List[Dict[Text, Any]]) -> float:
    ranking = [r for r in ranking if r.get("name") != FALLBACK_INTENT]
    for entry in ranking[:2]:
        if entry.get("name") == CRISIS_INTENT:
            return float(entry.get("confidence") or 0.0)
    return 0.0


@dataclass
class Assessment:
    tier: Optional[Text] = None
    categories: List[Text] = field(default_factory=list)
    response: Optional[Text] = None  # check, crisis, imminent, abuse, third_party
    layers: Set[Text] = field(default_factory=set)
    # A negated, fictional, resolved or idiomatic mention: the classifier alone may not raise it.
    quieted: bool = False
    # ...or words with an ordinary sense (ORDINARY): the classifier's check alone is not asked.
    ordinary: bool = False

    def raise_to(self, tier: Text, category: Text, layer: Text) -> None:
        if RANK[tier] > RANK[self.tier]:
            self.tier = tier
        if category not in self.categories:
            self.categories.append(category)
        self.layers.add(layer)


def _negated(sentence: Text, match: RuleMatch, category: Text = "") -> bool:
    after = sentence[match.end :].replace("n't", " n't").replace("isn't", "is n't")
    if AFTER_NEGATION.match(after.replace(" n't", "n't").replace("n't", " n't")):
        return True  # "self-harm isn't something I've done"
    if category in ("abuse", "harm_to_others"):
        before = sentence[: match.start].replace("'s", " 's").replace("no one", "noone").split()[-NEGATION_WINDOW:]
        if any(word in SUBJECT_NEGATIONS for word in before):
            return True
    if match.text.split()[0] in NEGATIONS or "n't" in match.text.split()[0]:
        return False  # the negation is part of the pattern ("don't want to live")
    before = sentence[: match.start].replace("n't", " n't").split()[-NEGATION_WINDOW:]
    negations = [
        i
        for i, word in enumerate(before)
        if word in NEGATIONS and (word != "no" or all(w in NO_SCOPE for w in before[i + 1 :]))
    ]
    if not negations:
        return False
    if len(negations) > 1:
        return False  # "I can't promise I won't": a double negation is no denial
    # "I don't see a way out", "she doesn't see the point", "I can't find a reason to live":
    # the negation is the risk.
    return not any(word in SEEING for word in before[negations[-1] + 1 :] + match.text.split()[:1])


def _about_someone_else(sentence: Text, match: RuleMatch) -> bool:
    if any(word in match.text for word in ("myself", "my life", "me", " i ")):
        return False
    if any(word in match.text for word in ("himself", "herself", "themselves", "their life", "his life", "her life")):
        return True
    before = sentence[: match.start].replace("'s", " 's").split()
    for word in reversed(before):
        word = word.strip(",.!?;:")
        if word in FIRST_PERSON:
            return False
        if word in THIRD_PERSON:
            return True
    return False


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False, model_from="SpacyNLP")
class CrisisRuleDetector(RuleComponent):
    """Decides the safety tier from two independent layers, sentence by sentence.

    Layer 1 is the intent classifier: its `crisis` score from `classifier_threshold` up
    is a crisis; from `check_threshold` up (first or second in its ranking) it is never
    thrown away but asks the safety check, as does its own `safety_check` from there. Layer 2 is the deterministic rules in
    patterns/, read on the folded text (text_folding.py) one sentence at a time, so that
    negation, fiction, professional talk, bereavement and resolved past risk are judged
    where they are said. Placed after the classifier and the FallbackClassifier; sets
    the intent (`crisis` for crisis and imminent, `safety_check` for the check) and the
    entities `risk_level`, `risk_category` and `risk_response` the slots read.
    """

    patterns_file = "crisis.yml"
    skip_negated = False

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {"classifier_threshold": 0.8, "check_threshold": 0.6, "fallback_threshold": 0.25}

    def _matchers(self, model: SpacyModel) -> Dict[Text, RuleMatcher]:
        if getattr(self, "_by_file", None) is None:
            exclude = load_patterns("crisis.yml").get("exclude", [])
            self._by_file = {
                "crisis": self.matcher(model),
                **{
                    name: RuleMatcher(model.model, {**load_patterns(f"{name}.yml"), "exclude": exclude}, False)
                    for name in ("imminence", "check")
                },
                "context": RuleMatcher(model.model, load_patterns("context.yml"), False),
                # crisis.yml's idioms on their own: where one is said, the classifier's
                # reading of the same words can at most ask the check.
                "idiom": RuleMatcher(model.model, {"idiom": {"phrase": exclude}}, False),
            }
        return self._by_file

    def _means_words(self, model: SpacyModel) -> Set[Text]:
        """The single words of imminence.yml's `means` (pills, knife, rope...)."""
        if getattr(self, "_means", None) is None:
            means = load_patterns("imminence.yml")["imminent"]["means"]
            self._means = {m for m in means if isinstance(m, str) and " " not in m}
        return self._means

    def crisis_matches(self, text: Text, model: SpacyModel) -> List:
        return self.matcher(model).find(fold(text))

    def assess(
        self, text: Text, model: SpacyModel, classifier_score: float = 0.0, sentence_score: float = 0.0
    ) -> Assessment:
        matchers = self._matchers(model)
        found = Assessment()
        quieted = False  # a negated, fictional or resolved mention: the classifier is not asked
        folded = fold(text)
        explained = bool(matchers["idiom"].find(folded))  # the classifier at most asks the check
        ordinary = False  # an ordinary sense was found: the classifier's check alone does not ask
        message_time = False
        # Each sentence ends with a stop, so that patterns can tell a clause's end ("that's when.").
        parts = [part if part[-1] in ".!?;" else part + " ." for part in sentences(folded)]
        contexts = [{m.value for m in matchers["context"].find(part)} for part in parts]
        # Risk resolved long ago is judged over the whole message: the past and its
        # resolution are often said in different clauses. Anything present undoes it.
        everywhere = set().union(*contexts) if contexts else set()
        resolved_message = {"past", "resolved"} <= everywhere and "present" not in everywhere
        for sentence, context in zip(parts, contexts):
            explained |= bool(context & EXPLAINING)
            ordinary |= bool(context & ORDINARY)
            if context & {"fiction", "professional"}:
                quieted = True
                continue
            resolved = resolved_message
            demote = "hypothetical" in context or ("past" in context and not resolved)
            mentioned = matchers["crisis"].find(sentence)
            risks = [m for m in mentioned if not _negated(sentence, m, CATEGORY[m.value])]
            quieted |= len(risks) < len(mentioned)
            imminence = [m for m in matchers["imminence"].find(sentence) if not _negated(sentence, m)]
            checks = [m for m in matchers["check"].find(sentence) if not _negated(sentence, m)]
            if resolved:
                quieted = True
                continue
            message_time |= any(m.value == "time" for m in imminence)
            if any(m.value == "decided" for m in imminence) and any(m.value == "time" for m in imminence):
                if not demote and not context & {"bereavement", "accidental"}:
                    found.raise_to("imminent", "suicide", "rules")  # a plan with its time: the act left unsaid
            for match in risks:
                category = CATEGORY[match.value]
                someone_else = category in ("suicide", "self_harm") and _about_someone_else(sentence, match)
                if "bereavement" in context and (someone_else or match.text in BEREAVEMENT_NOUNS):
                    quieted = True
                    continue
                if someone_else and demote:
                    found.raise_to("check", "third_party", "rules")
                    continue
                if someone_else:
                    found.raise_to("crisis", "third_party", "rules")
                elif demote:
                    found.raise_to("check", category, "rules")
                else:
                    found.raise_to("crisis", category, "rules")
            means_named = any(m.value == "means" for m in imminence) or bool(
                self._means_words(model) & set(sentence.replace(",", " ").split())
            )
            standalone = [m for m in imminence if m.value in ("act", "means_at_hand", "place")]
            if risks or checks:
                standalone += [m for m in imminence if m.value == "dose"]
            if risks:
                standalone += [m for m in imminence if m.value == "place_with_risk"]
            if standalone and not context & {"bereavement", "accidental"} and not demote:
                strong = (
                    [m for m in standalone if m.value not in ("means_at_hand", "dose")]
                    or means_named
                    or ([m for m in standalone if m.value == "dose"])
                )
                if strong:
                    category = "self_harm" if any(c in found.categories for c in ("self_harm",)) else "suicide"
                    if "third_party" in found.categories and not [
                        m for m in risks if not _about_someone_else(sentence, m)
                    ]:
                        category = "third_party"
                    if category != "third_party":
                        found.raise_to("imminent", category, "rules")
            # One hopelessness or goodbye word in an ordinary context is ordinary; several
            # warning signs together ("quit my job, gave my cat away, said my goodbyes") are not.
            # (A death word is the grief itself where someone died.)
            warning_signs = {m.text for m in checks if m.value == "suicide" and m.text not in DEATH_WORDS}
            for match in checks:
                if context & ORDINARY and match.value == "suicide" and len(warning_signs) < 2:
                    continue
                found.raise_to("check", CATEGORY.get(match.value, match.value), "rules")
        if found.tier == "crisis" and message_time and any(c in found.categories for c in ("suicide", "self_harm")):
            found.raise_to("imminent", found.categories[0], "rules")
        if not quieted or found.tier:
            if classifier_score >= self._config["classifier_threshold"] and not explained:
                found.raise_to("crisis", found.categories[0] if found.categories else "suicide", "classifier")
            elif classifier_score >= self._config["classifier_threshold" if explained else "check_threshold"]:
                # Where an idiom or ordinary sense explains the words ("thrown myself into
                # work"), the classifier's reading of them asks the check only from the
                # crisis threshold.
                found.raise_to("check", found.categories[0] if found.categories else "suicide", "classifier")
            elif sentence_score >= self._config["classifier_threshold"]:
                # One sentence read alone, without the rest of the message: at most the check,
                # and only from the crisis threshold.
                found.raise_to("check", found.categories[0] if found.categories else "suicide", "classifier")
        found.response = self._response(found)
        found.quieted = quieted or explained
        found.ordinary = ordinary or found.quieted
        return found

    @staticmethod
    def _response(found: Assessment) -> Optional[Text]:
        if found.tier is None:
            return None
        if found.tier == "imminent":
            return "imminent"
        if found.tier == "crisis" and "abuse" in found.categories:
            return "abuse"
        if found.tier == "crisis" and found.categories == ["third_party"]:
            return "third_party"
        return found.tier

    @staticmethod
    def classifier_crisis_confidence(message: Message) -> float:
        """The classifier's confidence in `crisis` when it ranked crisis first or second."""
        return _crisis_confidence(message.get("intent_ranking") or [])

    @staticmethod
    def sentence_crisis_confidence(message: Message) -> float:
        """The highest such confidence over the sentences of a message of several
        (intent_classifier.py scores each), so that a long message does not dilute one risk."""
        return max((_crisis_confidence(ranking) for ranking in message.get(SENTENCE_RANKINGS) or []), default=0.0)

    @staticmethod
    def classifier_check_confidence(message: Message) -> float:
        """The classifier's confidence in `safety_check` when it ranked it first."""
        intent = message.get("intent") or {}
        return float(intent.get("confidence") or 0.0) if intent.get("name") == CHECK_INTENT else 0.0

    def process(self, messages: List[Message], model: SpacyModel) -> List[Message]:
        for message in messages:
            text = message.get("text") or ""
            score = self.classifier_crisis_confidence(message)
            # The classifier's own scores, kept in the parse data for bench/crisis_eval.py.
            message.set(
                "crisis_scores",
                {
                    "crisis": round(score, 4),
                    "sentence": round(self.sentence_crisis_confidence(message), 4),
                    "check": round(self.classifier_check_confidence(message), 4),
                },
                add_to_output=True,
            )
            found = self.assess(text, model, score, self.sentence_crisis_confidence(message))
            check_score = self.classifier_check_confidence(message)
            if found.tier is None and check_score > 0:
                if found.ordinary or check_score < self._config["check_threshold"]:
                    # The classifier alone, and unsure, or the rules found the words' ordinary
                    # sense (ORDINARY) or a quieted mention: the check is not asked.
                    self._demote(message, also_skip=(CHECK_INTENT,))
                    continue
                # The classifier's first choice is the check, from the check threshold: asked.
                found.raise_to("check", "suicide", "classifier")  # the classifier alone
                found.response = "check"
            if found.tier is None and (message.get("intent") or {}).get("name") == CRISIS_INTENT:
                self._demote(message, also_skip=(CHECK_INTENT,) if found.quieted else ())
                if self.classifier_check_confidence(message) > 0 and not found.quieted:
                    # Crisis, then the check, ranked first: the check is asked, and its tier
                    # recorded (an intent `safety_check` without it would leave a yes unheard).
                    found.raise_to("check", "suicide", "classifier")
                    found.response = "check"
            if found.tier is None:
                continue
            # Kept in the parse data (and so in the tracker) for audit and the benches.
            message.set("crisis_layers", sorted(found.layers), add_to_output=True)
            name = CHECK_INTENT if found.tier == "check" else CRISIS_INTENT
            intent = {"name": name, "confidence": 1.0}
            ranking = [r for r in message.get("intent_ranking") or [] if r.get("name") != name]
            message.set("intent", intent, add_to_output=True)
            message.set("intent_ranking", [intent] + ranking, add_to_output=True)
            entities = list(message.get("entities") or [])
            whole = {"start": 0, "end": len(text), "confidence_entity": 1.0, "extractor": type(self).__name__}
            entities.append({"entity": "risk_level", "value": found.tier, **whole})
            entities.append({"entity": "risk_response", "value": found.response, **whole})
            entities += [{"entity": "risk_category", "value": c, **whole} for c in found.categories]
            message.set("entities", entities, add_to_output=True)
        return messages

    def _demote(self, message: Message, also_skip: Tuple[Text, ...] = ()) -> None:
        """A classifier crisis the rules and scores did not confirm takes the next-best intent
        (never the check when the rules quieted the mention: negated, fiction, an idiom...)."""
        skipped = (CRISIS_INTENT, *also_skip)
        ranking = [r for r in message.get("intent_ranking") or [] if r.get("name") not in skipped]
        best = ranking[0] if ranking else None
        if best is None or best.get("confidence", 0.0) < self._config["fallback_threshold"]:
            best = {"name": FALLBACK_INTENT, "confidence": self._config["fallback_threshold"]}
        message.set("intent", best, add_to_output=True)
