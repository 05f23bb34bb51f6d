"""Small action servers on 127.0.0.1 for the tests of custom action calls."""

import asyncio
from contextlib import asynccontextmanager
from typing import AsyncIterator, Callable, List

from aiohttp import web

from tests.servers import free_port


@asynccontextmanager
async def webhook_server(handler: Callable) -> AsyncIterator[str]:
    """An aiohttp app answering POST /webhook with `handler`; yields the webhook URL."""
    app = web.Application()
    app.router.add_post("/webhook", handler)
    runner = web.AppRunner(app)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    try:
        yield f"http://127.0.0.1:{port}/webhook"
    finally:
        await runner.cleanup()


@asynccontextmanager
async def answers_once_per_connection(received: List[bytes], reply: bytes) -> AsyncIterator[str]:
    """Answers a connection's first call with `reply`, then drops the connection on its
    next call without answering, as a restarting server does. `received` gets each
    answered body, and b"dropped" for each dropped call."""

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = await reader.readuntil(b"\r\n\r\n")
        length = int(
            next(line.split(b":")[1] for line in head.split(b"\r\n") if line.lower().startswith(b"content-length"))
        )
        received.append(await reader.readexactly(length))
        writer.write(
            b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n"
            b"Connection: keep-alive\r\n\r\n%s" % (len(reply), reply)
        )
        await writer.drain()
        await reader.readuntil(b"\r\n\r\n")
        received.append(b"dropped")
        writer.close()

    port = free_port()
    server = await asyncio.start_server(handle, "127.0.0.1", port)
    try:
        yield f"http://127.0.0.1:{port}/webhook"
    finally:
        server.close()
