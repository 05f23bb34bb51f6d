"""The base of the rule-driven NLU components: a RuleMatcher built once, from the spaCy
pipeline that SpacyNLP loaded."""

from typing import Any, Dict, List, Optional, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.utils.spacy_utils import SpacyModel, SpacyNLP
from rasa.shared.nlu.training_data.training_data import TrainingData

from intake_nlu.rule_matcher import RuleMatcher, load_patterns


class RuleComponent(GraphComponent):
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
    ) -> "RuleComponent":
        return cls(config)

    def __init__(self, config: Optional[Dict[Text, Any]] = None) -> None:
        self._config = {**self.get_default_config(), **(config or {})}
        self._matcher: Optional[RuleMatcher] = None

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {}

    def matcher(self, model: SpacyModel) -> RuleMatcher:
        if self._matcher is None:
            self._matcher = RuleMatcher(model.model, load_patterns(self.patterns_file), self.skip_negated)
        return self._matcher

    def process_training_data(self, training_data: TrainingData, model: SpacyModel) -> TrainingData:
        return training_data
