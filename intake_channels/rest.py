"""Rasa's REST channel with its input checked before anything else runs.

Same URL (/webhooks/rest/webhook) and reply format as Rasa's RestInput, plus:
- a body that is not a JSON object, a missing or empty `sender`, or a `message` that is
  not a string is refused with 400 and a one-line reason (Rasa answers 500 for some,
  and files a message without `sender` under one shared "default" conversation);
- an empty message, or one longer than `max_message_chars` (default 2,000), gets a kind
  reply without NLU or storage (intake_channels/checks.py, as on every channel).
"""
from typing import Any, Dict, Optional, Text

from rasa.core.channels.rest import RestInput
from sanic import Blueprint
from sanic.exceptions import InvalidUsage as BadRequest  # 400; named BadRequest in later Sanic
from sanic.request import Request

from intake_channels.checks import DEFAULT_MAX_CHARS, OnNewMessage, checked, max_message_chars

MAX_SENDER_CHARS = 255


class IntakeRestInput(RestInput):
    @classmethod
    def name(cls) -> Text:
        return "rest"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> "IntakeRestInput":
        return cls(max_message_chars(credentials))

    def __init__(self, max_message_chars: int = DEFAULT_MAX_CHARS) -> None:
        self.max_message_chars = max_message_chars

    @staticmethod
    def _body(request: Request) -> Dict[Text, Any]:
        try:
            body = request.json
        except Exception:
            raise BadRequest("the body must be a JSON object") from None
        if not isinstance(body, dict):
            raise BadRequest("the body must be a JSON object with 'sender' and 'message'")
        return body

    async def _extract_sender(self, request: Request) -> Text:
        sender = self._body(request).get("sender")
        if not isinstance(sender, str) or not sender.strip():
            raise BadRequest("'sender' is required: a non-empty string naming the conversation")
        if len(sender) > MAX_SENDER_CHARS:
            raise BadRequest(f"'sender' is longer than {MAX_SENDER_CHARS} characters")
        return sender

    def _extract_message(self, request: Request) -> Text:
        message = self._body(request).get("message")
        if not isinstance(message, str):
            raise BadRequest("'message' is required and must be a string")
        return message

    def blueprint(self, on_new_message: OnNewMessage) -> Blueprint:
        return super().blueprint(checked(on_new_message, self.max_message_chars))
