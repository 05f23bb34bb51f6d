"""Rasa graph components: concern/coping extraction and the crisis rule layer."""
from typing import Any, Dict, List, Optional, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.nlu.utils.spacy_utils import SpacyModel, SpacyNLP
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from intake_nlu.rule_matcher import RuleMatcher, load_patterns

CRISIS_INTENT = "crisis"
FALLBACK_INTENT = "nlu_fallback"


class _RuleComponent(GraphComponent):
    """Builds its RuleMatcher once, from the spaCy pipeline that SpacyNLP loaded."""

    patterns_file: Text = ""
    skip_negated: bool = False

    @classmethod
    def required_components(cls) -> List:
        return [SpacyNLP]

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "_RuleComponent":
        return cls(config)

    def __init__(self, config: Optional[Dict[Text, Any]] = None) -> None:
        self._config = {**self.get_default_config(), **(config or {})}
        self._matcher: Optional[RuleMatcher] = None

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {}

    def matcher(self, model: SpacyModel) -> RuleMatcher:
        if self._matcher is None:
            self._matcher = RuleMatcher(
                model.model, load_patterns(self.patterns_file), self.skip_negated
            )
        return self._matcher

    def process_training_data(
        self, training_data: TrainingData, model: SpacyModel
    ) -> TrainingData:
        return training_data


@DefaultV1Recipe.register(
    [DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR], is_trainable=False, model_from="SpacyNLP"
)
class ConcernExtractor(_RuleComponent, EntityExtractorMixin):
    """Emits `concern`, `coping_strategy` and `worry` entities with canonical values.

    Runs on every message whatever its intent: people mention sleep while answering a
    yes/no question. "I'm not anxious" is not a disclosure, so negated phrases are
    skipped.
    """

    patterns_file = "concerns.yml"
    skip_negated = True

    def process(self, messages: List[Message], model: SpacyModel) -> List[Message]:
        matcher = self.matcher(model)
        for message in messages:
            text = message.get("text") or ""
            found = [m.as_rasa_entity(self.name) for m in matcher.find(text)]
            if found:
                message.set("entities", message.get("entities", []) + found, add_to_output=True)
        return messages


@DefaultV1Recipe.register(
    [DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False, model_from="SpacyNLP"
)
class CrisisRuleDetector(_RuleComponent):
    """Decides `crisis` from two independent layers.

    Layer 1 is the intent classifier: its `crisis` counts from `classifier_threshold`
    up, even where the FallbackClassifier replaced it. Below that the classifier
    mostly reacts to shared words ("my dad died when I was young"), measured by the
    safety suite, and the message keeps its next-best intent. Layer 2 is the
    deterministic rules in patterns/crisis.yml: a match is a crisis whatever the
    classifier said. Placed after the classifier and the FallbackClassifier.
    """

    patterns_file = "crisis.yml"
    skip_negated = False

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {"classifier_threshold": 0.8, "fallback_threshold": 0.25}

    def crisis_matches(self, text: Text, model: SpacyModel) -> List:
        return self.matcher(model).find(text)

    @staticmethod
    def classifier_crisis_confidence(message: Message) -> float:
        """The classifier's confidence in `crisis` when it ranked crisis first, else 0."""
        ranking = [
            r for r in message.get("intent_ranking") or [] if r.get("name") != FALLBACK_INTENT
        ]
        if ranking and ranking[0].get("name") == CRISIS_INTENT:
            return float(ranking[0].get("confidence") or 0.0)
        return 0.0

    def process(self, messages: List[Message], model: SpacyModel) -> List[Message]:
        for message in messages:
            text = message.get("text") or ""
            layers = [
                layer
                for layer, fired in (
                    ("classifier", self.classifier_crisis_confidence(message) >= self._config["classifier_threshold"]),
                    ("rules", bool(self.crisis_matches(text, model))),
                )
                if fired
            ]
            if layers:
                # Kept in the parse data (and so in the tracker) for audit and bench/safety.
                message.set("crisis_layers", layers, add_to_output=True)
                crisis = {"name": CRISIS_INTENT, "confidence": 1.0}
                ranking = [
                    r for r in message.get("intent_ranking") or [] if r.get("name") != CRISIS_INTENT
                ]
                message.set("intent", crisis, add_to_output=True)
                message.set("intent_ranking", [crisis] + ranking, add_to_output=True)
            elif (message.get("intent") or {}).get("name") == CRISIS_INTENT:
                self._demote(message)
        return messages

    def _demote(self, message: Message) -> None:
        """A sub-threshold classifier crisis takes the next-best intent instead."""
        ranking = [r for r in message.get("intent_ranking") or [] if r.get("name") != CRISIS_INTENT]
        best = ranking[0] if ranking else None
        if best is None or best.get("confidence", 0.0) < self._config["fallback_threshold"]:
            best = {"name": FALLBACK_INTENT, "confidence": self._config["fallback_threshold"]}
        message.set("intent", best, add_to_output=True)
