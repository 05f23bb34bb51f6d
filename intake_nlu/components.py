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
        return cls()

    def __init__(self) -> None:
        self._matcher: Optional[RuleMatcher] = None

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
    """Safety layer 2: raises the `crisis` intent when a crisis rule matches.

    Placed after the classifier and the FallbackClassifier. It also keeps the
    classifier's own `crisis` prediction (layer 1) when the FallbackClassifier
    replaced it for low confidence: for safety, a low-confidence crisis is a crisis.
    """

    patterns_file = "crisis.yml"
    skip_negated = False

    def crisis_matches(self, text: Text, model: SpacyModel) -> List:
        return self.matcher(model).find(text)

    @staticmethod
    def classifier_said_crisis(message: Message) -> bool:
        ranking = [
            r for r in message.get("intent_ranking") or [] if r.get("name") != FALLBACK_INTENT
        ]
        return bool(ranking) and ranking[0].get("name") == CRISIS_INTENT

    def process(self, messages: List[Message], model: SpacyModel) -> List[Message]:
        for message in messages:
            text = message.get("text") or ""
            if self.crisis_matches(text, model) or self.classifier_said_crisis(message):
                crisis = {"name": CRISIS_INTENT, "confidence": 1.0}
                ranking = [
                    r for r in message.get("intent_ranking") or [] if r.get("name") != CRISIS_INTENT
                ]
                message.set("intent", crisis, add_to_output=True)
                message.set("intent_ranking", [crisis] + ranking, add_to_output=True)
        return messages
