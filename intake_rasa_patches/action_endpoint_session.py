"""Custom action calls over kept-alive connections: the action endpoint only, sent once.

Rasa 3.6 opens a new aiohttp session, and with it a new TCP connection, for every call
to the action server, and closes it after the reply (EndpointConfig.request): each call
pays a connection set-up and tear-down on both servers (its share of a turn:
bench/patch_shares.py, bench/RESULTS.md).

Here the action endpoint that Rasa reads from endpoints.yml is a KeptAliveEndpointConfig:
Rasa's own `request()`, whose `async with self.session()` gets one session per event loop
instead of a new one. Every other endpoint (the callback channel, an NLG server, the
stores) keeps Rasa's class, and so does an action endpoint with a CA file (Rasa builds a
TLS context per request, and aiohttp reuses a connection only for the same context).

The request body (the whole conversation) is written with ujson, a Rasa dependency,
about 2.5x faster than json on a conversation's events: the same JSON values, and json
itself for anything ujson refuses. Nothing is sent twice: a call whose connection fails
is a failed call, as in Rasa, and action_server_guard answers it. Idle connections are
dropped after KEEPALIVE_SECONDS, before the action server drops them (Sanic's
keep-alive: 5 s), so a request is rarely written on a connection the server is closing;
when one is (the server restarted), that call alone fails.
"""

import asyncio
import atexit
import contextlib
import json
import weakref
from typing import Any, Dict, Optional, Text

import aiohttp
import rasa.core.utils
import ujson
from rasa.utils import endpoints
from rasa.utils.endpoints import EndpointConfig

KEEPALIVE_SECONDS = 2.0


def json_body(value: Any) -> str:
    try:
        return ujson.dumps(value, escape_forward_slashes=False)
    except (TypeError, ValueError, OverflowError):
        return json.dumps(value)


def _close_quietly(session: aiohttp.ClientSession) -> None:
    """Closes a session's connections without awaiting (its event loop may be closed),
    and without aiohttp's report of a session left open."""
    connector = session.connector
    session.detach()
    if connector is not None:
        with contextlib.suppress(Exception):
            connector._close()


_open_sessions: "weakref.WeakSet[aiohttp.ClientSession]" = weakref.WeakSet()


@atexit.register
def _close_at_exit() -> None:
    for session in list(_open_sessions):
        _close_quietly(session)


class _Borrowed:
    """`async with` on a shared session without closing it at the end."""

    def __init__(self, session: aiohttp.ClientSession) -> None:
        self._session = session

    async def __aenter__(self) -> aiohttp.ClientSession:
        return self._session

    async def __aexit__(self, *exc_info) -> None:
        return None


class KeptAliveEndpointConfig(EndpointConfig):
    """The action endpoint: one aiohttp session per event loop (a Sanic worker has one),
    made as Rasa makes each of its sessions (headers, basic auth, default timeout), with
    no cookie jar (a cookie set by a proxy must not follow every conversation)."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._sessions: Dict[asyncio.AbstractEventLoop, aiohttp.ClientSession] = {}

    def session(self) -> _Borrowed:  # type: ignore[override]
        loop = asyncio.get_running_loop()
        shared = self._sessions.get(loop)
        if shared is None or shared.closed:
            for old_loop in [old for old in self._sessions if old.is_closed()]:
                _close_quietly(self._sessions.pop(old_loop))  # a finished asyncio.run (tests)
            auth = (
                aiohttp.BasicAuth(self.basic_auth["username"], self.basic_auth["password"]) if self.basic_auth else None
            )
            shared = self._sessions[loop] = aiohttp.ClientSession(
                headers=self.headers,
                auth=auth,
                timeout=aiohttp.ClientTimeout(total=endpoints.DEFAULT_REQUEST_TIMEOUT),
                connector=aiohttp.TCPConnector(keepalive_timeout=KEEPALIVE_SECONDS),
                cookie_jar=aiohttp.DummyCookieJar(),
                json_serialize=json_body,
            )
            _open_sessions.add(shared)
        return _Borrowed(shared)

    async def close(self) -> None:
        """Closes this event loop's session (at shutdown; the next call opens another)."""
        shared = self._sessions.pop(asyncio.get_running_loop(), None)
        if shared is not None:
            await shared.close()

    @classmethod
    def of(cls, config: EndpointConfig) -> "KeptAliveEndpointConfig":
        kept = cls(
            config.url,
            config.params,
            config.headers,
            config.basic_auth,
            config.token,
            config.token_name,
            config.cafile,
            **config.kwargs,
        )
        kept.type = config.type
        return kept


_read_endpoint_config = rasa.core.utils.read_endpoint_config


def read_endpoint_config(filename: Text, endpoint_type: Text) -> Optional[EndpointConfig]:
    config = _read_endpoint_config(filename, endpoint_type)
    if config is None or endpoint_type != "action_endpoint" or isinstance(config, KeptAliveEndpointConfig):
        return config
    if config.cafile:
        # Rasa builds a new TLS context for every request, and aiohttp reuses a connection
        # only for the same context: with a CA file, Rasa's own class.
        return config
    return KeptAliveEndpointConfig.of(config)


def install() -> None:
    global _read_endpoint_config
    if rasa.core.utils.read_endpoint_config is not read_endpoint_config:
        _read_endpoint_config = rasa.core.utils.read_endpoint_config
        rasa.core.utils.read_endpoint_config = read_endpoint_config
