"""Telegram, on only when TELEGRAM_TOKEN and TELEGRAM_SECRET_TOKEN are set.

Rasa 3.6's connector calls the Telegram API while the server starts (a server that
cannot reach Telegram does not start), and accepts any request to its webhook. This
one talks to the Bot API over aiohttp at TELEGRAM_API_URL (default
https://api.telegram.org; tests point it at a local fake), registers the webhook in the
background after start-up (a failure is logged, the server runs on), and refuses with
401 any update whose X-Telegram-Bot-Api-Secret-Token header is not the configured
secret, before reading it. Button presses arrive as callback queries. Conversations
are `telegram:<chat id>` (intake_channels/ownership.py), so no other channel can write
into them; an update whose chat id is not a conversation id is acknowledged and dropped.
"""

import asyncio
import hmac
import logging
import os
from typing import Any, Dict, List, Optional, Text

import aiohttp
from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request

from intake_channels import ownership
from intake_channels.checks import OnNewMessage, checked, is_conversation_id, max_message_chars
from intake_channels.off import ChannelOff

logger = logging.getLogger(__name__)

DEFAULT_API_URL = "https://api.telegram.org"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
REQUEST_TIMEOUT = aiohttp.ClientTimeout(total=10)
CHANNEL = "telegram"


class TelegramBotApi:
    def __init__(self, api_url: Text, token: Text) -> None:
        self.base = f"{api_url.rstrip('/')}/bot{token}"

    async def call(self, method: Text, payload: Dict[Text, Any]) -> Dict[Text, Any]:
        async with aiohttp.ClientSession(timeout=REQUEST_TIMEOUT) as session:
            async with session.post(f"{self.base}/{method}", json=payload) as reply:
                body = await reply.json(content_type=None)
                if reply.status != 200 or not body.get("ok"):
                    raise RuntimeError(f"Telegram {method} answered {reply.status}")
                return body


class TelegramOutput(OutputChannel):
    @classmethod
    def name(cls) -> Text:
        return "telegram"

    def __init__(self, api: TelegramBotApi) -> None:
        self.api = api

    async def _send(self, payload: Dict[Text, Any]) -> None:
        try:
            await self.api.call("sendMessage", payload)
        except (aiohttp.ClientError, asyncio.TimeoutError, RuntimeError, ValueError) as error:
            # The turn is stored; the reply could not be delivered. No user text logged.
            logger.error("Sending a Telegram reply failed: %s", type(error).__name__)

    async def send_text_message(self, recipient_id: Text, text: Text, **kwargs: Any) -> None:
        for part in text.strip().split("\n\n"):
            await self._send({"chat_id": ownership.client_id(CHANNEL, recipient_id), "text": part})

    async def send_text_with_buttons(
        self, recipient_id: Text, text: Text, buttons: List[Dict[Text, Any]], **kwargs: Any
    ) -> None:
        keyboard = [[{"text": b["title"], "callback_data": b["payload"][:64]}] for b in buttons]
        await self._send(
            {
                "chat_id": ownership.client_id(CHANNEL, recipient_id),
                "text": text,
                "reply_markup": {"inline_keyboard": keyboard},
            }
        )


class IntakeTelegramInput(InputChannel):
    @classmethod
    def name(cls) -> Text:
        return "telegram"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> InputChannel:
        token, secret = os.environ.get("TELEGRAM_TOKEN"), os.environ.get("TELEGRAM_SECRET_TOKEN")
        if not token or not secret:
            return ChannelOff("telegram", "TELEGRAM_TOKEN, TELEGRAM_SECRET_TOKEN")
        return cls(
            token,
            secret,
            api_url=os.environ.get("TELEGRAM_API_URL") or DEFAULT_API_URL,
            webhook_url=os.environ.get("TELEGRAM_WEBHOOK_URL"),
            max_message_chars=max_message_chars(credentials),
        )

    def __init__(
        self,
        token: Text,
        secret: Text,
        api_url: Text = DEFAULT_API_URL,
        webhook_url: Optional[Text] = None,
        max_message_chars: int = 2000,
    ) -> None:
        self.api = TelegramBotApi(api_url, token)
        self.secret = secret
        self.webhook_url = webhook_url
        self.max_message_chars = max_message_chars

    def get_output_channel(self) -> OutputChannel:
        return TelegramOutput(self.api)

    async def register_webhook(self) -> None:
        if not self.webhook_url:
            return
        try:
            await self.api.call(
                "setWebhook",
                {
                    "url": self.webhook_url,
                    "secret_token": self.secret,
                    "allowed_updates": ["message", "callback_query"],
                },
            )
            logger.info("Telegram webhook registered")
        except Exception as error:  # unreachable, refused: the server runs on
            logger.error("Registering the Telegram webhook failed: %s", type(error).__name__)

    @staticmethod
    def _text_and_chat(update: Any) -> Optional[tuple]:
        if not isinstance(update, dict):
            return None
        if isinstance(update.get("callback_query"), dict):
            query = update["callback_query"]
            chat = ((query.get("message") or {}).get("chat") or {}).get("id")
            return query.get("data"), chat
        message = update.get("message") or update.get("edited_message")
        if isinstance(message, dict):
            return message.get("text"), (message.get("chat") or {}).get("id")
        return None

    def blueprint(self, on_new_message: OnNewMessage) -> Blueprint:
        telegram = Blueprint("telegram_webhook", __name__)
        handle = checked(on_new_message, self.max_message_chars)

        @telegram.listener("after_server_start")
        async def register(_app, _loop) -> None:
            asyncio.ensure_future(self.register_webhook())

        @telegram.route("/", methods=["GET"])
        async def health(_: Request):
            return response.json({"status": "ok"})

        @telegram.route("/webhook", methods=["POST"])
        async def webhook(request: Request):
            sent = request.headers.get(SECRET_HEADER, "")
            if not hmac.compare_digest(sent.encode(), self.secret.encode()):
                return response.json({"error": "wrong or missing secret token"}, status=401)
            try:
                found = self._text_and_chat(request.json)
            except Exception:
                found = None
            if not found or found[1] is None:
                return response.json({"ok": True, "ignored": "not a text message"})
            text, chat_id = found
            if isinstance(chat_id, bool) or not isinstance(chat_id, (int, str)) or not is_conversation_id(str(chat_id)):
                return response.json({"ok": True, "ignored": "not a chat id"})
            await handle(
                UserMessage(
                    text if isinstance(text, str) else "",
                    self.get_output_channel(),
                    ownership.conversation_id(CHANNEL, str(chat_id)),
                    input_channel=self.name(),
                )
            )
            return response.json({"ok": True})

        return telegram
