"""Rasa's REST channel with its input checked before anything else runs.

Same URL (/webhooks/rest/webhook) and reply format as Rasa's RestInput, plus:
- a body that is not a JSON object, a missing or empty `sender`, or a `message` that is
  not a string is refused with 400 and a one-line reason (Rasa answers 500 for some,
  and files a message without `sender` under one shared "default" conversation);
- an empty message, or one longer than `max_message_chars` (default 2,000), gets a kind
  reply without NLU or storage (intake_channels/checks.py, as on every channel);
- an optional `message_id` makes a retried message idempotent, and an optional `after`
  (the previous message's id) keeps two messages in flight in the order sent;
- with several Sanic workers, keep-alive clients are spread evenly over them
  (intake_channels/worker_balance.py).
"""
import asyncio
import re
import time
from typing import Any, Dict, List, Optional, Text

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.rest import RestInput
from rasa.shared.core.events import BotUttered, UserUttered
from sanic import Blueprint, Sanic
from sanic.exceptions import InvalidUsage as BadRequest  # 400; named BadRequest in later Sanic
from sanic.request import Request

from intake_channels import worker_balance
from intake_channels.checks import DEFAULT_MAX_CHARS, OnNewMessage, checked, max_message_chars

MAX_SENDER_CHARS = 255
MESSAGE_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
ORDER_WAIT_SECONDS = 30  # a message named in `after` that never arrives stops blocking
ORDER_POLL_SECONDS = 0.05


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
        body = self._body(request)
        ids = {key: body.get(key) for key in ("message_id", "after") if body.get(key) is not None}
        for key, value in ids.items():
            if not isinstance(value, str) or not MESSAGE_ID.match(value):
                raise BadRequest(f"'{key}' must be 1 to 64 letters, digits, '-' or '_'")
        if "after" in ids and "message_id" not in ids:
            raise BadRequest("'after' needs a 'message_id'")
        return ids or None

    def blueprint(self, on_new_message: OnNewMessage) -> Blueprint:
        blueprint = super().blueprint(checked(once_and_in_order(on_new_message), self.max_message_chars))
        worker_balance.install(blueprint)
        return blueprint


def once_and_in_order(on_new_message: OnNewMessage) -> OnNewMessage:
    """Delivery guarantees for REST clients that ask for them.

    - `message_id`: a client that retries a message after a lost reply (a server died, a
      timeout) sends the same id; when that turn is already stored, its stored replies
      are returned instead of handling the message twice.
    - `after`: a client that sends a message before the reply to its previous one arrived
      names that previous message; this one waits (up to ORDER_WAIT_SECONDS, before
      taking the conversation's lock) until it is stored, so turns are stored in the order
      sent even when the two reach different servers, or one server in either order.
    """

    async def handle(message: UserMessage) -> None:
        ids = message.metadata or {}
        message_id, after = ids.pop("message_id", None), ids.pop("after", None)
        if message_id is None:
            return await on_new_message(message)
        message.message_id = message_id
        tracker_store = Sanic.get_app().ctx.agent.tracker_store
        if after is not None:
            await _stored(tracker_store, message.sender_id, after)
        replies = await _stored(tracker_store, message.sender_id, message_id, wait=False)
        if replies is None:
            return await on_new_message(message)
        for reply in replies:
            await message.output_channel.send_response(message.sender_id, reply)

    return handle


async def _stored(tracker_store: Any, sender_id: Text, message_id: Text,
                  wait: bool = True) -> Optional[List[Dict[Text, Any]]]:
    """The stored replies to that message; with `wait`, polls until it is stored."""
    deadline = time.monotonic() + ORDER_WAIT_SECONDS
    while True:
        tracker = await tracker_store.retrieve(sender_id)
        replies = stored_replies(tracker.events if tracker else [], message_id)
        if replies is not None or not wait or time.monotonic() > deadline:
            return replies
        await asyncio.sleep(ORDER_POLL_SECONDS)


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
