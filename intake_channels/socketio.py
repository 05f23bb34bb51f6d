"""Rasa's socket.io channel, fixed for session persistence, with the common input checks,
signed session ids and WebSocket upgrades only from the page's origins.

With `session_persistence: true` the web widget keeps one conversation across page
reloads: it sends its session id, the server puts the socket in that session's room,
and replies go to the room. Rasa 3.6 calls `sio.enter_room(...)` without `await`; since
python-socketio 5.x made it a coroutine (5.18 is pinned here), the socket never joins
the room and no reply is delivered (RasaHQ/rasa#13027). This subclass registers its own
`session_request` handler that awaits it.

A conversation belongs to its client (intake_channels/ownership.py): the session id the
server confirms is signed (`<random hex>.<signature>`), and a `session_request` with an
id this server did not sign (someone else's guessed or stolen raw id, 10 KB, a number,
an object) gets a new session, never someone else's replies. A `user_uttered` is taken
only from a socket whose session the server confirmed, for that session: one naming
another session id is refused with an `error` event. The conversation is
`web:<random hex>`, so a socket cannot write into a REST, Slack or Telegram one.

Browsers send an Origin with every WebSocket and polling request; only the page's
origins are accepted (ownership.page_origins(): the server's `--cors` list, or
INTAKE_PAGE_ORIGINS). Clients that send no Origin (not a browser) are not affected.
A socket.io packet is capped at the server's body limit (intake_channels/limits.py).
"""

import json
from typing import Any, Dict, Optional, Text

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.socketio import SocketIOInput, SocketIOOutput
from sanic import Blueprint

from intake_channels import limits, ownership
from intake_channels.checks import DEFAULT_MAX_CHARS, OnNewMessage, checked, max_message_chars

CHANNEL = "web"
ERROR_EVENT = "error"


def session_id_from(data: Any) -> Text:
    """The signed session id to confirm: the client's own when this server signed it,
    else a new one."""
    session_id = data.get("session_id") if isinstance(data, dict) else None
    if ownership.verified(CHANNEL, session_id) is not None:
        return session_id
    return ownership.new_signed(CHANNEL)


class IntakeSocketIOInput(SocketIOInput):
    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> "IntakeSocketIOInput":
        credentials = credentials or {}
        return cls(
            credentials.get("user_message_evt", "user_uttered"),
            credentials.get("bot_message_evt", "bot_uttered"),
            credentials.get("namespace"),
            credentials.get("session_persistence", False),
            credentials.get("socketio_path", "/socket.io"),
            credentials.get("jwt_key"),
            credentials.get("jwt_method", "HS256"),
            credentials.get("metadata_key", "metadata"),
            max_message_chars=max_message_chars(credentials),
        )

    def __init__(self, *args: Any, max_message_chars: int = DEFAULT_MAX_CHARS, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.max_message_chars = max_message_chars
        self.confirmed: Dict[Text, Text] = {}  # socket id -> its conversation id
        ownership.secret()  # made now, in the main process, so forked workers share it

    def blueprint(self, on_new_message: OnNewMessage) -> Blueprint:
        handle = checked(on_new_message, self.max_message_chars)
        blueprint = super().blueprint(handle)
        sio = self.sio
        origins = ownership.page_origins()
        # python-engineio checks the Origin only when its list is not empty (Rasa passes
        # []); None means the server's own origin only. Its CORS headers stay off: Rasa's
        # CORS (sanic-cors, the same origins) sets them, and two would void both.
        sio.eio.cors_allowed_origins = origins or None
        sio.eio._cors_headers = lambda environ: []
        sio.eio.max_http_buffer_size = limits.max_body_bytes()
        limits.install(blueprint)

        async def refuse(sid: Text, reason: Text) -> None:
            await sio.emit(ERROR_EVENT, {"message": reason}, room=sid, namespace=self.namespace)

        @sio.on("session_request", namespace=self.namespace)
        async def session_request(sid: Text, data: Optional[Dict]) -> None:
            session_id = session_id_from(data)
            conversation = ownership.conversation_id(CHANNEL, ownership.verified(CHANNEL, session_id))
            previous = self.confirmed.get(sid)
            if previous and previous != conversation:
                await sio.leave_room(sid, previous, namespace=self.namespace)
            self.confirmed[sid] = conversation
            if self.session_persistence:
                await sio.enter_room(sid, conversation, namespace=self.namespace)
            await sio.emit("session_confirm", session_id, room=sid, namespace=self.namespace)

        @sio.on("disconnect", namespace=self.namespace)
        async def disconnect(sid: Text) -> None:
            self.confirmed.pop(sid, None)

        @sio.on(self.user_message_evt, namespace=self.namespace)
        async def handle_message(sid: Text, data: Any) -> None:
            if not isinstance(data, dict):
                return await refuse(sid, "a message must be an object with 'message' and 'session_id'")
            conversation = self.confirmed.get(sid)
            if conversation is None:
                return await refuse(sid, "send session_request first")
            if self.session_persistence and data.get("session_id") not in (None, ""):
                if ownership.verified(CHANNEL, data.get("session_id")) != ownership.client_id(CHANNEL, conversation):
                    return await refuse(sid, "this socket's session is another one")
            text = data.get("message", "")
            if not isinstance(text, str):
                return await refuse(sid, "'message' must be a string")
            metadata = data.get(self.metadata_key) or {}
            if isinstance(metadata, str):
                try:
                    metadata = json.loads(metadata)
                except ValueError:
                    metadata = {}
            if not isinstance(metadata, dict):
                metadata = {}
            recipient = conversation if self.session_persistence else sid
            output = SocketIOOutput(sio, self.bot_message_evt)
            if not self.session_persistence:
                conversation = ownership.conversation_id(CHANNEL, sid)
            message = UserMessage(
                text, _RoomOutput(output, recipient), conversation, input_channel=self.name(), metadata=metadata
            )
            await handle(message)

        return blueprint


class _RoomOutput(SocketIOOutput):
    """Replies go to the session's room (or the socket, without persistence), whatever
    recipient id Rasa passes (the conversation id)."""

    def __init__(self, output: SocketIOOutput, room: Text) -> None:
        super().__init__(output.sio, output.bot_message_evt)
        self.room = room

    async def _send_message(self, socket_id: Text, response: Any) -> None:
        await super()._send_message(self.room, response)
