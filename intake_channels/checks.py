"""The same input checks on every channel: an empty message, or one longer than the
limit, gets a kind reply before any NLU and is not stored, so one huge message cannot
stall everybody. Everything else goes to Rasa unchanged."""
import os
from typing import Any, Awaitable, Callable, Dict, Optional, Text

from rasa.core.channels.channel import UserMessage

from intake.practice import practice_settings

MAX_CHARS_VARIABLE = "INTAKE_MAX_MESSAGE_CHARS"
DEFAULT_MAX_CHARS = 2000

EMPTY_REPLY = "I didn't receive any text. Could you type your message again?"
TOO_LONG_REPLY = (
    "Thank you for writing so much. That message is longer than I can take in at once "
    "({limit} characters): could you send it in a few shorter parts? If you're in danger "
    "right now, {crisis_line}, or call {emergency_number}."
)

OnNewMessage = Callable[[UserMessage], Awaitable[Any]]


def max_message_chars(credentials: Optional[Dict[Text, Any]]) -> int:
    configured = (credentials or {}).get("max_message_chars")
    return int(os.environ.get(MAX_CHARS_VARIABLE) or configured or DEFAULT_MAX_CHARS)


def checked(on_new_message: OnNewMessage, limit: int) -> OnNewMessage:
    async def handle(message: UserMessage) -> None:
        text = message.text if isinstance(message.text, str) else ""
        if not text.strip():
            await message.output_channel.send_text_message(message.sender_id, EMPTY_REPLY)
        elif len(text) > limit:
            reply = TOO_LONG_REPLY.format(limit=limit, **practice_settings())
            await message.output_channel.send_text_message(message.sender_id, reply)
        else:
            await on_new_message(message)

    return handle
