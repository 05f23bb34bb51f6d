"""CrisisRuleDetector: where a crisis is detected (the classifier's score and the rules
in patterns/crisis.yml)."""
from typing import Any, Dict, List, Text

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.utils.spacy_utils import SpacyModel
from rasa.shared.nlu.training_data.message import Message

from intake_nlu.rule_component import RuleComponent

CRISIS_INTENT = "crisis"
FALLBACK_INTENT = "nlu_fallback"



@DefaultV1Recipe.register(
    [DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False, model_from="SpacyNLP"
)
class CrisisRuleDetector(RuleComponent):
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
