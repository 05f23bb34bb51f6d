"""Rasa's REST channel with its input checked before anything else runs.

Same URL (/webhooks/rest/webhook) and reply format as Rasa's RestInput, plus:
- a body that is not a JSON object, a missing or empty `sender`, or a `message` that is
  not a string is refused with 400 and a one-line reason (Rasa answers 500 for some,
  and files a message without `sender` under one shared "default" conversation);
- an empty message, or one longer than `max_message_chars` (default 2,000), gets a kind
  reply without NLU or storage, so one huge message cannot stall everybody.
"""
import os
from typing import Any, Awaitable, Callable, Dict, Optional, Text

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint
from sanic.exceptions import InvalidUsage as BadRequest  # 400; named BadRequest in later Sanic
from sanic.request import Request

from intake.practice import practice_settings

MAX_CHARS_VARIABLE = "INTAKE_MAX_MESSAGE_CHARS"
DEFAULT_MAX_CHARS = 2000
MAX_SENDER_CHARS = 255

EMPTY_REPLY = "I didn't receive any text. Could you type your message again?"
TOO_LONG_REPLY = (
    "Thank you for writing so much. That message is longer than I can take in at once "
    "({limit} characters): could you send it in a few shorter parts? If you're in danger "
    "right now, {crisis_line}, or call {emergency_number}."
)


class IntakeRestInput(RestInput):
    @classmethod
    def name(cls) -> Text:
        return "rest"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> "IntakeRestInput":
        configured = (credentials or {}).get("max_message_chars")
        return cls(int(os.environ.get(MAX_CHARS_VARIABLE) or configured or DEFAULT_MAX_CHARS))

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

    def blueprint(
        self, on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> Blueprint:
        async def handle_checked(message: UserMessage) -> None:
            text = message.text or ""
            if not text.strip():
                await message.output_channel.send_text_message(message.sender_id, EMPTY_REPLY)
            elif len(text) > self.max_message_chars:
                reply = TOO_LONG_REPLY.format(limit=self.max_message_chars, **practice_settings())
                await message.output_channel.send_text_message(message.sender_id, reply)
            else:
                await on_new_message(message)

        return super().blueprint(handle_checked)
