"""The same input checks on every channel, before anything touches a store.

- A conversation id (REST `sender`, socket.io `session_id`, a Slack user, a Telegram
  chat) is letters, digits and `_ . : -`, 1 to 128 of them: anything else (a lone
  surrogate, a NUL, 10 KB, a number, an object) is refused by the channel with a clear
  reason, because one such id reaching the SQL tracker store used to stop the server.
- Text a person typed is cleaned of what no store can keep: a lone surrogate (half an
  emoji from a broken client) becomes U+FFFD, NUL and other control characters go. The
  rest of the message is answered as usual (a crisis message with a broken emoji is
  still a crisis message).
- An empty message, or one longer than the limit, gets a kind reply before any NLU and
  is not stored, so one huge message cannot stall everybody.
- More than `rate_limit` messages within `rate_window` seconds in one conversation: the
  extra ones get a short "slow down" reply saying they were not read, and are neither
  processed nor stored. No person types that fast; a script flooding one conversation
  does, and it would hold the conversation's lock for everybody's turns behind it.
"""

import os
import re
import time
from collections import OrderedDict, deque
from typing import Any, Awaitable, Callable, Deque, Dict, Optional, Text

from rasa.core.channels.channel import UserMessage

from intake.practice import practice_settings

MAX_CHARS_VARIABLE = "INTAKE_MAX_MESSAGE_CHARS"
DEFAULT_MAX_CHARS = 2000
RATE_VARIABLE = "INTAKE_RATE_LIMIT"  # "<messages>/<seconds>", e.g. "30/10"
DEFAULT_RATE_LIMIT = (30, 10.0)

CONVERSATION_ID = re.compile(r"[A-Za-z0-9_.:-]{1,128}")
CONVERSATION_ID_RULE = "1 to 128 letters, digits, '_', '.', ':' or '-'"
# Lone surrogates (U+D800-U+DFFF) cannot be encoded in UTF-8; C0 controls other than
# tab, newline and carriage return are never typed (NUL breaks PostgreSQL text).
_SURROGATE = re.compile("[\ud800-\udfff]")
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

EMPTY_REPLY = "I didn't receive any text. Could you type your message again?"
TOO_LONG_REPLY = (
    "Thank you for writing so much. That message is longer than I can take in at once "
    "({limit} characters): could you send it in a few shorter parts? If you're in danger "
    "right now, {crisis_line}, or call {emergency_number}."
)
SLOW_DOWN_REPLY = (
    "You're sending messages faster than I can read them, so I haven't read your last "
    "message. Please wait a few seconds and send it again. If you're in danger right now, "
    "{crisis_line}, or call {emergency_number}."
)

OnNewMessage = Callable[[UserMessage], Awaitable[Any]]


def conversation_id_problem(value: Any) -> Optional[Text]:
    """Why this cannot name a conversation, or None when it can."""
    if not isinstance(value, str):
        return f"must be a string of {CONVERSATION_ID_RULE}"
    if not CONVERSATION_ID.fullmatch(value):
        return f"must be {CONVERSATION_ID_RULE}"
    return None


def is_conversation_id(value: Any) -> bool:
    return conversation_id_problem(value) is None


def clean_text(text: Any) -> Text:
    """What a store can keep of a typed message (see the module docstring)."""
    if not isinstance(text, str):
        return ""
    return _CONTROL.sub("", _SURROGATE.sub("\ufffd", text))


def max_message_chars(credentials: Optional[Dict[Text, Any]]) -> int:
    configured = (credentials or {}).get("max_message_chars")
    return int(os.environ.get(MAX_CHARS_VARIABLE) or configured or DEFAULT_MAX_CHARS)


def rate_limit() -> tuple:
    configured = os.environ.get(RATE_VARIABLE, "")
    try:
        count, seconds = configured.split("/")
        return int(count), float(seconds)
    except ValueError:
        return DEFAULT_RATE_LIMIT


class RateLimiter:
    """Arrivals per conversation in a sliding window, for the most recent conversations
    (bounded memory: a flood of new ids pushes out the oldest)."""

    def __init__(self, limit: int, window: float, conversations: int = 10_000) -> None:
        self.limit, self.window, self.conversations = limit, window, conversations
        self._arrivals: "OrderedDict[Text, Deque[float]]" = OrderedDict()

    def allow(self, conversation_id: Text) -> bool:
        now = time.monotonic()
        arrivals = self._arrivals.pop(conversation_id, None) or deque()
        while arrivals and now - arrivals[0] > self.window:
            arrivals.popleft()
        allowed = len(arrivals) < self.limit
        if allowed:
            arrivals.append(now)
        self._arrivals[conversation_id] = arrivals
        while len(self._arrivals) > self.conversations:
            self._arrivals.popitem(last=False)
        return allowed


def checked(on_new_message: OnNewMessage, limit: int, limiter: Optional[RateLimiter] = None) -> OnNewMessage:
    limiter = limiter or RateLimiter(*rate_limit())

    async def handle(message: UserMessage) -> None:
        if not is_conversation_id(message.sender_id):
            # Every channel checks its ids first; this is the last guard before the stores.
            raise ValueError("a conversation id that no store can keep reached the checks")
        text = clean_text(message.text)
        message.text = text
        if not limiter.allow(message.sender_id):
            reply = SLOW_DOWN_REPLY.format(**practice_settings())
            await message.output_channel.send_text_message(message.sender_id, reply)
        elif not text.strip():
            await message.output_channel.send_text_message(message.sender_id, EMPTY_REPLY)
        elif len(text) > limit:
            reply = TOO_LONG_REPLY.format(limit=limit, **practice_settings())
            await message.output_channel.send_text_message(message.sender_id, reply)
        else:
            await on_new_message(message)

    return handle
