"""Rasa's socket.io channel, fixed for session persistence, with the common input checks.

With `session_persistence: true` the web widget keeps one conversation across page
reloads: it sends its session id, the server puts the socket in that session's room,
and replies go to the room. Rasa 3.6 calls `sio.enter_room(...)` without `await`; since
python-socketio 5.x made it a coroutine (5.18 is pinned here), the socket never joins
the room and no reply is delivered (RasaHQ/rasa#13027). This subclass registers its own
`session_request` handler that awaits it, and accepts only a well-formed session id
(the widget's uuid4 hex), making a new one otherwise.
"""
import re
import uuid
from typing import Any, Dict, Optional, Text

from rasa.core.channels.socketio import SocketIOInput
from sanic import Blueprint

from intake_channels.checks import DEFAULT_MAX_CHARS, OnNewMessage, checked, max_message_chars

SESSION_ID = re.compile(r"^[A-Za-z0-9_-]{8,64}$")


def session_id_from(data: Any) -> Text:
    session_id = data.get("session_id") if isinstance(data, dict) else None
    if isinstance(session_id, str) and SESSION_ID.match(session_id):
        return session_id
    return uuid.uuid4().hex


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

    def blueprint(self, on_new_message: OnNewMessage) -> Blueprint:
        blueprint = super().blueprint(checked(on_new_message, self.max_message_chars))
        sio = self.sio

        @sio.on("session_request", namespace=self.namespace)
        async def session_request(sid: Text, data: Optional[Dict]) -> None:
            session_id = session_id_from(data)
            if self.session_persistence:
                await sio.enter_room(sid, session_id, namespace=self.namespace)
            await sio.emit("session_confirm", session_id, room=sid, namespace=self.namespace)

        return blueprint
