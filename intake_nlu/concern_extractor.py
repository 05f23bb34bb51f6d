"""ConcernExtractor: concern, coping_strategy and worry entities from the rule patterns
(patterns/concerns.yml)."""
from typing import List

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.nlu.utils.spacy_utils import SpacyModel
from rasa.shared.nlu.training_data.message import Message

from intake_nlu.rule_component import RuleComponent


@DefaultV1Recipe.register(
    [DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR], is_trainable=False, model_from="SpacyNLP"
)
class ConcernExtractor(RuleComponent, EntityExtractorMixin):
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
