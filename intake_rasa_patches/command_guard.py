"""Typed `/intent` commands may not bypass understanding (or the safety layer).

Rasa treats any message that starts with `/` as a forced intent: its final NLU node,
`RegexMessageHandler`, overwrites whatever the pipeline predicted. Here a `/` message
is taken as a command only when it is exactly a payload of one of the bot's own
buttons, or the web widget's opening payload (/greet, web/chat.js); anything else a user types with `/` keeps the pipeline's understanding, the
crisis rules included. Rasa 3.6 hard-codes that node in its recipe, so the guard wraps
its `process` method instead of replacing the node.
"""
from typing import List, Optional, Set, Text

from rasa.nlu.classifiers.regex_message_handler import RegexMessageHandler
from rasa.shared.core.domain import Domain
from rasa.shared.nlu.training_data.message import Message

_ORIGINAL_PROCESS = RegexMessageHandler.process
WIDGET_OPENING_PAYLOAD = "/greet"


def button_payloads(domain: Optional[Domain]) -> Set[Text]:
    """Every payload that a button in the domain's responses can send."""
    payloads: Set[Text] = set()
    for variations in (domain.responses if domain else {}).values():
        for variation in variations:
            for button in variation.get("buttons") or []:
                payload = button.get("payload")
                if isinstance(payload, str) and payload.startswith("/"):
                    payloads.add(payload.strip())
    return payloads


def _guarded_process(
    self, messages: List[Message], domain: Optional[Domain] = None
) -> List[Message]:
    # The domain of a loaded model never changes, so its payloads are collected once.
    if getattr(self, "_allowed_payloads", None) is None:
        self._allowed_payloads = button_payloads(domain) | {WIDGET_OPENING_PAYLOAD}
    return [
        _ORIGINAL_PROCESS(self, [message], domain)[0]
        if (message.get("text") or "").strip() in self._allowed_payloads
        else message
        for message in messages
    ]


def install() -> None:
    RegexMessageHandler.process = _guarded_process
