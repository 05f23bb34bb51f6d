"""Typed `/intent` commands may not bypass understanding (or the safety layer).

Rasa treats any message that starts with `/` as a forced intent: its final NLU node,
`RegexMessageHandler`, overwrites whatever the pipeline predicted. Here a `/` message
is taken as a command only when it is exactly a payload of one of the bot's own
buttons, or the web widget's opening payload (/greet, web/chat.js); anything else a user types with `/` keeps the pipeline's understanding, the
crisis rules included. Rasa 3.6 hard-codes that node in its recipe, so the guard wraps
its `process` method instead of replacing the node.

A button's title typed as text ("Yes, let's do it") means what pressing the button means:
the payload's intent is given to the message, whose text stays as typed. Only titles that
every button using them maps to the same `/intent` count, and never over a crisis.
"""

import re
from typing import Dict, List, Optional, Set, Text

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


def _title_key(text: Text) -> Text:
    """Titles compared without case, punctuation or extra spaces ("yes lets do it")."""
    return " ".join(re.sub(r"[^\w\s]", "", (text or "").lower().replace("’", "'")).split())


def button_titles(domain: Optional[Domain]) -> Dict[Text, Text]:
    """Typed title -> the `/intent` payload its buttons send, for unambiguous titles."""
    seen: Dict[Text, Set[Text]] = {}
    for variations in (domain.responses if domain else {}).values():
        for variation in variations:
            for button in variation.get("buttons") or []:
                payload, title = button.get("payload"), button.get("title")
                if isinstance(payload, str) and payload.startswith("/") and isinstance(title, str):
                    seen.setdefault(_title_key(title), set()).add(payload.strip())
    return {title: next(iter(payloads)) for title, payloads in seen.items() if len(payloads) == 1 and title}


def _as_pressed(self, message: Message, payload: Text, domain: Optional[Domain]) -> Message:
    if (message.get("intent") or {}).get("name") == "crisis":
        return message
    pressed = _ORIGINAL_PROCESS(self, [Message(data={"text": payload})], domain)[0]
    for key in ("intent", "intent_ranking"):
        message.set(key, pressed.get(key), add_to_output=True)
    return message


def _guarded_process(self, messages: List[Message], domain: Optional[Domain] = None) -> List[Message]:
    # The domain of a loaded model never changes, so its payloads are collected once.
    if getattr(self, "_allowed_payloads", None) is None:
        self._allowed_payloads = button_payloads(domain) | {WIDGET_OPENING_PAYLOAD}
        self._titles = button_titles(domain)
    processed = []
    for message in messages:
        text = (message.get("text") or "").strip()
        if text in self._allowed_payloads:
            processed.append(_ORIGINAL_PROCESS(self, [message], domain)[0])
        elif _title_key(text) in self._titles:
            processed.append(_as_pressed(self, message, self._titles[_title_key(text)], domain))
        else:
            processed.append(message)
    return processed


def install() -> None:
    RegexMessageHandler.process = _guarded_process
