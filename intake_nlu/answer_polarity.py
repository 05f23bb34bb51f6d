"""AnswerPolarity: a reply that opens with a plain "no" is not a yes, and "no one to talk
to" is not a request for someone to talk to.

The linear classifier reads a message's words as a bag: "no, work's fine, it's the one thing
going ok" has more of a yes's words than a no's, and came out `affirm`. A yes where the
person opened with "no" is the worst misreading an answer can get (a no to the safety check
taken as a yes is the crisis response), so a message read as `affirm` whose first word is a
plain no becomes `deny`, with the classifier's confidence. "No problem", "no worries" and
the like are yeses and keep theirs. The crisis detector runs after this and still reads the
whole message ("no, I'm not safe" stays a crisis).

Likewise "talk to" pulls "there's no one to talk to at work" towards `request_human`: a
statement whose someone is no one, without a question, is what they are going through
(`share_concern`), not a request for a person.
"""

import re
from typing import Any, Dict, List, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

AFFIRM, DENY = "affirm", "deny"
REQUEST_HUMAN, SHARE_CONCERN = "request_human", "share_concern"
NO_ONE_TO_TALK_TO = re.compile(
    r"(?:\bno ?one|\bno-one|\bnobody|(?:n't|\bnot) (?:really )?(?:have |got )?(?:any ?one|any ?body))"
    r"(?: (?:else|here|there|around))?"
    r" (?:to|(?:that |who )?i (?:can|could)(?: really)?)(?: \w+)? (?:talk|speak|chat|turn)\b"
)
OPENS_WITH_NO = re.compile(r"^\W*(?:no+|nope|nah|naw|not really|not at all|absolutely not|definitely not)\b")
YES_AFTER_ALL = re.compile(r"^\W*no+\s+(?:problem|prob|probs|worries|worry|doubt|question|bother)\b")


def no_one_to_talk_to(text: Text) -> bool:
    return "?" not in text and bool(NO_ONE_TO_TALK_TO.search(text.lower()))


def opens_with_no(text: Text) -> bool:
    lowered = text.lower()
    return bool(OPENS_WITH_NO.match(lowered)) and not YES_AFTER_ALL.match(lowered)


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class AnswerPolarity(GraphComponent):
    """After the intent classifier: `affirm` on a message that opens with "no" is `deny`;
    `request_human` on "no one to talk to" is `share_concern`."""

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "AnswerPolarity":
        return cls()

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            intent, text = message.get(INTENT) or {}, message.get("text") or ""
            if intent.get("name") == AFFIRM and opens_with_no(text):
                self._replace(message, AFFIRM, DENY)
            elif intent.get("name") == REQUEST_HUMAN and no_one_to_talk_to(text):
                self._replace(message, REQUEST_HUMAN, SHARE_CONCERN)
        return messages

    @staticmethod
    def _replace(message: Message, read: Text, meant: Text) -> None:
        intent = {"name": meant, "confidence": (message.get(INTENT) or {}).get("confidence", 0.0)}
        message.set(INTENT, intent, add_to_output=True)
        ranking = [r for r in message.get(INTENT_RANKING_KEY) or [] if r.get("name") not in (read, meant)]
        message.set(INTENT_RANKING_KEY, [intent] + ranking, add_to_output=True)
