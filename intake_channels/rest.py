"""Rasa's REST channel with its input checked before anything else runs.

Same URL (/webhooks/rest/webhook) and reply format as Rasa's RestInput, plus:
- a body that is not a JSON object, a missing or empty `sender`, or a `message` that is
  not a string is refused with 400 and a one-line reason (Rasa answers 500 for some,
  and files a message without `sender` under one shared "default" conversation);
- an empty message, or one longer than `max_message_chars` (default 2,000), gets a kind
  reply without NLU or storage (intake_channels/checks.py, as on every channel);
- an optional `message_id` makes a retried message idempotent: the stored turn's
  replies are returned instead of handling it twice.
"""
import re
from typing import Any, Dict, List, Optional, Text

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.rest import RestInput
from rasa.shared.core.events import BotUttered, UserUttered
from sanic import Blueprint, Sanic
from sanic.exceptions import InvalidUsage as BadRequest  # 400; named BadRequest in later Sanic
from sanic.request import Request

from intake_channels.checks import DEFAULT_MAX_CHARS, OnNewMessage, checked, max_message_chars

MAX_SENDER_CHARS = 255
MESSAGE_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


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

    def get_metadata(self, request: Request) -> Optional[Dict[Text, Any]]:
        message_id = self._body(request).get("message_id")
        if message_id is None:
            return None
        if not isinstance(message_id, str) or not MESSAGE_ID.match(message_id):
            raise BadRequest("'message_id' must be 1 to 64 letters, digits, '-' or '_'")
        return {"message_id": message_id}

    def blueprint(self, on_new_message: OnNewMessage) -> Blueprint:
        return super().blueprint(checked(once_per_message_id(on_new_message), self.max_message_chars))


def once_per_message_id(on_new_message: OnNewMessage) -> OnNewMessage:
    """A client that retries a message after a lost reply (a server died, a timeout) sends
    the same `message_id`; when that turn is already stored, its stored replies are
    returned instead of handling the message twice."""

    async def handle(message: UserMessage) -> None:
        message_id = (message.metadata or {}).pop("message_id", None)
        if message_id is None:
            return await on_new_message(message)
        message.message_id = message_id
        agent = Sanic.get_app().ctx.agent
        tracker = await agent.tracker_store.retrieve(message.sender_id)
        replies = stored_replies(tracker.events if tracker else [], message_id)
        if replies is None:
            return await on_new_message(message)
        for reply in replies:
            await message.output_channel.send_response(message.sender_id, reply)

    return handle


def stored_replies(events: Any, message_id: Text) -> Optional[List[Dict[Text, Any]]]:
    """The bot's replies to the stored user turn with this id, or None if there is none."""
    replies: Optional[List[Dict[Text, Any]]] = None
    for event in events:
        if isinstance(event, UserUttered):
            if replies is not None:
                break
            if event.message_id == message_id:
                replies = []
        elif isinstance(event, BotUttered) and replies is not None:
            replies.append({"text": event.text, **{k: v for k, v in (event.data or {}).items() if v}})
    return replies
