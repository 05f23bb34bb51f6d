"""Rasa's REST channel with its input checked before anything else runs.

Same URL (/webhooks/rest/webhook) and reply format as Rasa's RestInput, plus:
- a body that is not a JSON object, a missing `sender` or one that is not a
  conversation id (intake_channels/checks.py: 1 to 128 letters, digits, `_.:-`), or a
  `message` that is not a string is refused with 400 and a one-line reason (Rasa
  answers 500 for some, files a message without `sender` under one shared "default"
  conversation, and stopped the whole server for a lone surrogate in `sender`);
- the conversation belongs to its client (intake_channels/ownership.py): the request
  carries the HTTP API's token, or `sender` is signed (`<id>.<signature>`; POST
  /webhooks/rest/session hands out a new one); otherwise 401. The conversation is
  the sender itself, as with Rasa's REST channel, and a sender may not contain ':',
  so no REST client writes into a Telegram (`telegram:…`), Slack or web conversation;
- an empty message, or one longer than `max_message_chars` (default 2,000), gets a kind
  reply without NLU or storage (intake_channels/checks.py, as on every channel);
- an optional `message_id` makes a retried message idempotent, and an optional `after`
  (the previous message's id) keeps two messages in flight in the order sent: the
  wait is woken when this server stores a turn of the conversation (re-checked each
  second for turns stored by other servers), lasts at most ORDER_WAIT_SECONDS, and at
  most MAX_ORDER_WAITERS requests wait at once;
- with several Sanic workers, keep-alive clients are spread evenly over them
  (intake_channels/worker_balance.py);
- when a store is down: the crisis response or an apology with the crisis line, and 503
  for a message that was not stored (intake_channels/outage.py).
"""

import asyncio
import re
import time
from collections import defaultdict
from typing import Any, Dict, List, Optional, Text

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.rest import RestInput
from rasa.shared.core.events import BotUttered, UserUttered
from sanic import Blueprint, Sanic, response
from sanic.exceptions import InvalidUsage as BadRequest  # 400; named BadRequest in later Sanic
from sanic.exceptions import Unauthorized
from sanic.request import Request

from intake_channels import limits, outage, ownership, worker_balance
from intake_channels.checks import DEFAULT_MAX_CHARS, OnNewMessage, checked, conversation_id_problem, max_message_chars

CHANNEL = "rest"
MESSAGE_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
ORDER_WAIT_SECONDS = 30  # a message named in `after` that never arrives stops blocking
# (under load a turn can take seconds: 10 s let the second of two messages in flight
# overtake the first in tests/e2e/test_scale.py)
ORDER_RECHECK_SECONDS = 1.0  # for a turn stored by another server (no wake-up from there)
MAX_ORDER_WAITERS = 50  # more requests than that waiting at once: the rest do not wait


class IntakeRestInput(RestInput):
    @classmethod
    def name(cls) -> Text:
        return CHANNEL

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> "IntakeRestInput":
        return cls(max_message_chars(credentials))

    def __init__(self, max_message_chars: int = DEFAULT_MAX_CHARS) -> None:
        self.max_message_chars = max_message_chars
        ownership.secret()  # made now, in the main process, so forked workers share it

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
        # Rasa reads the sender first: a malformed body gets its 400 before any 401.
        self._extract_message(request)
        self.get_metadata(request)
        sender = self._body(request).get("sender")
        if sender is None or sender == "":
            raise BadRequest("'sender' is required: a string naming the conversation")
        problem = conversation_id_problem(sender)
        if problem:
            raise BadRequest(f"'sender' {problem}")
        client = ownership.verified(CHANNEL, sender)
        if client is None and ownership.has_api_token(request_token(request)):
            client = sender
        if client is None:
            raise Unauthorized(
                "this conversation needs the API token, or a signed 'sender' (POST /webhooks/rest/session gives one)"
            )
        if ownership.NAMESPACE_MARK in client:
            raise BadRequest("'sender' may not contain ':', which marks other channels' conversations")
        return ownership.conversation_id(CHANNEL, client)

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
        # outage_safe outside once_and_in_order: its look-up of a message id reads the store.
        handle = outage.outage_safe(once_and_in_order(on_new_message))
        blueprint = super().blueprint(checked(handle, self.max_message_chars))
        outage.answer_503_when_not_accepted(blueprint)

        @blueprint.route("/session", methods=["POST"])
        async def new_session(_: Request):
            return response.json({"sender": ownership.new_signed(CHANNEL)})

        @blueprint.exception(BadRequest, Unauthorized)
        async def refused(_: Request, error: Exception):
            # JSON whatever the request's content type (Sanic answers a form post in HTML).
            status = getattr(error, "status_code", 400)
            return response.json(
                {
                    "description": "Bad Request" if status == 400 else "Unauthorized",
                    "status": status,
                    "message": str(error),
                },
                status=status,
            )

        worker_balance.install(blueprint)
        limits.install(blueprint)
        return blueprint


def request_token(request: Request) -> Optional[Text]:
    header = request.headers.get("Authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip()
    return request.args.get("token")


class _TurnsStored:
    """Wakes the requests waiting for a conversation's next stored turn (`after`)."""

    def __init__(self) -> None:
        self.events: Dict[Text, asyncio.Event] = defaultdict(asyncio.Event)
        self.waiting = 0

    def stored(self, sender_id: Text) -> None:
        event = self.events.pop(sender_id, None)
        if event is not None:
            event.set()

    async def next_turn(self, sender_id: Text, seconds: float) -> None:
        try:
            await asyncio.wait_for(self.events[sender_id].wait(), seconds)
        except asyncio.TimeoutError:
            pass


TURNS = _TurnsStored()


def once_and_in_order(on_new_message: OnNewMessage) -> OnNewMessage:
    """Delivery guarantees for REST clients that ask for them.

    - `message_id`: a client that retries a message after a lost reply (a server died, a
      timeout) sends the same id; when that turn is already stored, its stored replies
      are returned instead of handling the message twice. Only to the conversation's
      owner: the conversation id is the authorised sender's (see ownership.py).
    - `after`: a client that sends a message before the reply to its previous one arrived
      names that previous message; this one waits (up to ORDER_WAIT_SECONDS, before
      taking the conversation's lock) until it is stored, so turns are stored in the order
      sent even when the two reach different servers, or one server in either order.
    """

    async def handle(message: UserMessage) -> None:
        ids = message.metadata or {}
        message_id, after = ids.pop("message_id", None), ids.pop("after", None)
        try:
            if message_id is None:
                return await on_new_message(message)
            message.message_id = message_id
            tracker_store = Sanic.get_app().ctx.agent.tracker_store
            if after is not None and TURNS.waiting < MAX_ORDER_WAITERS:
                await _stored(tracker_store, message.sender_id, after)
            replies = await _stored(tracker_store, message.sender_id, message_id, wait=False)
            if replies is None:
                return await on_new_message(message)
            for reply in replies:
                await message.output_channel.send_response(message.sender_id, reply)
        finally:
            TURNS.stored(message.sender_id)

    return handle


async def _stored(
    tracker_store: Any, sender_id: Text, message_id: Text, wait: bool = True
) -> Optional[List[Dict[Text, Any]]]:
    """The stored replies to that message; with `wait`, until it is stored (woken by
    this server's turns, re-checked every ORDER_RECHECK_SECONDS) or the time is up."""
    deadline = time.monotonic() + ORDER_WAIT_SECONDS
    TURNS.waiting += wait
    try:
        while True:
            tracker = await tracker_store.retrieve(sender_id)
            replies = stored_replies(tracker.events if tracker else [], message_id)
            left = deadline - time.monotonic()
            if replies is not None or not wait or left <= 0:
                return replies
            await TURNS.next_turn(sender_id, min(left, ORDER_RECHECK_SECONDS))
    finally:
        TURNS.waiting -= wait


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
