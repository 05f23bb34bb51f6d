"""ConcernExtractor: concern, coping_strategy and worry entities from the rule patterns
(patterns/concerns.yml)."""

from typing import Dict, List, Text

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.nlu.utils.spacy_utils import SpacyModel
from rasa.shared.nlu.training_data.message import Message

from intake_nlu.concern_scope import ConcernReader
from intake_nlu.rule_component import RuleComponent
from intake_nlu.rule_matcher import RuleMatcher

EXTRACTOR_NAME = "ConcernExtractor"


def concern_entities(matcher: RuleMatcher, text: Text) -> List[Dict]:
    """The entities one message carries (also used by bench/concerns_dev.py)."""
    return [m.as_rasa_entity(EXTRACTOR_NAME) for m in ConcernReader(matcher).read(text)]


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR], is_trainable=False, model_from="SpacyNLP")
class ConcernExtractor(RuleComponent, EntityExtractorMixin):
    """Emits `concern`, `coping_strategy` and `worry` entities with canonical values.

    Runs on every message whatever its intent: people mention sleep while answering a
    yes/no question. What is a concern of the person's is decided in its sentence
    (intake_nlu/concern_scope.py): "I'm not anxious" is not a disclosure, "work isn't the
    issue" comes back as a `denied_concern`, "how does it work?" as nothing.
    """

    patterns_file = "concerns.yml"

    def process(self, messages: List[Message], model: SpacyModel) -> List[Message]:
        matcher = self.matcher(model)
        for message in messages:
            text = message.get("text") or ""
            found = concern_entities(matcher, text)
            if found:
                message.set("entities", message.get("entities", []) + found, add_to_output=True)
        return messages
