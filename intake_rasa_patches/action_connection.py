"""Calls to the action server over kept-alive connections.

Rasa 3.6 opens a new aiohttp session, and with it a new TCP connection, for every
custom action call (about two a turn) and closes it after the reply: each call pays a
connection set-up and tear-down on both servers (measured side by side: 0.8 ms of
Rasa's CPU and a third of the action server's a turn). Here the calls of one event
loop share one session. Its idle connections are dropped after KEEPALIVE_SECONDS,
before the action server drops them (Sanic: 5 s), so a connection is not reused just
as the server closes it. A request that finds its connection closed or reset anyway (the
server restarted) is sent once more on a new connection; were an action to run twice that way,
it is harmless: intake storage keeps one record a conversation.
"""
import asyncio
import os
import ssl
import weakref
from typing import Any, Dict, Optional, Text

import aiohttp
from rasa.shared.exceptions import FileNotFoundException
from rasa.utils import endpoints
from rasa.utils.endpoints import ClientResponseError, EndpointConfig, concat_url

KEEPALIVE_SECONDS = 2.0
_sessions: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()  # one per event loop


def _session() -> aiohttp.ClientSession:
    loop = asyncio.get_running_loop()
    session = _sessions.get(loop)
    if session is None or session.closed:
        connector = aiohttp.TCPConnector(keepalive_timeout=KEEPALIVE_SECONDS)
        session = _sessions[loop] = aiohttp.ClientSession(connector=connector)
    return session


async def request(self: EndpointConfig, method: Text = "post", subpath: Optional[Text] = None,
                  content_type: Optional[Text] = "application/json", compress: bool = False,
                  **kwargs: Any) -> Optional[Any]:
    """Rasa's EndpointConfig.request (same headers, auth, parameters, timeout, errors and
    result) on the shared session."""
    headers: Dict[Text, Text] = {"Content-Type": content_type} if content_type else {}
    headers.update(kwargs.pop("headers", None) or {})
    headers.update(self.headers or {})
    auth = aiohttp.BasicAuth(self.basic_auth["username"], self.basic_auth["password"]) if self.basic_auth else None
    timeout = kwargs.pop("timeout", None)
    if not isinstance(timeout, aiohttp.ClientTimeout):
        timeout = aiohttp.ClientTimeout(total=endpoints.DEFAULT_REQUEST_TIMEOUT if timeout is None else timeout)
    options = dict(headers=headers, auth=auth, params=self.combine_parameters(kwargs), compress=compress,
                   ssl=_ssl_context(self.cafile), timeout=timeout, **kwargs)
    url = concat_url(self.url, subpath)
    try:
        return await _send(_session(), method, url, options)
    except (aiohttp.ServerDisconnectedError, aiohttp.ClientOSError):
        return await _send(_session(), method, url, options)


def _ssl_context(cafile: Optional[Text]) -> Optional[ssl.SSLContext]:
    if not cafile:
        return None
    try:
        return ssl.create_default_context(cafile=cafile)
    except FileNotFoundError as error:
        raise FileNotFoundException(f"Failed to find certificate file, '{os.path.abspath(cafile)}' does not exist.") \
            from error


async def _send(session: aiohttp.ClientSession, method: Text, url: Text, options: Dict[Text, Any]) -> Optional[Any]:
    async with session.request(method, url, **options) as response:
        if response.status >= 400:
            raise ClientResponseError(response.status, response.reason, await response.content.read())
        try:
            return await response.json()
        except aiohttp.ContentTypeError:
            return None


def install() -> None:
    EndpointConfig.request = request
