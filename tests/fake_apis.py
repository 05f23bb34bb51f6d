"""Local fakes of the Slack Web API and the Telegram Bot API (aiohttp apps on 127.0.0.1),
recording what the assistant sends, for the channel tests."""

import asyncio
import threading
import time
from typing import Any, Dict, List

from aiohttp import web


class FakeApi:
    """Runs an aiohttp app on its own thread; `calls` holds (method, payload) pairs."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.calls: List[tuple] = []
        self._loop = asyncio.new_event_loop()
        self._runner = None
        app = web.Application()
        app.router.add_post("/{path:.*}", self._handle)
        self._app = app

    async def _handle(self, request: web.Request) -> web.Response:
        if request.content_type == "application/json":
            payload: Dict[str, Any] = await request.json()
        else:
            payload = dict(await request.post())
        method = request.path.rsplit("/", 1)[-1]
        self.calls.append((method, payload, dict(request.headers)))
        return web.json_response({"ok": True, "result": True})

    def start(self) -> "FakeApi":
        async def serve() -> None:
            self._runner = web.AppRunner(self._app)
            await self._runner.setup()
            await web.TCPSite(self._runner, "127.0.0.1", self.port).start()

        threading.Thread(target=self._loop.run_forever, daemon=True).start()
        asyncio.run_coroutine_threadsafe(serve(), self._loop).result(10)
        return self

    def stop(self) -> None:
        asyncio.run_coroutine_threadsafe(self._runner.cleanup(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)

    def sent(self, method: str) -> List[Dict[str, Any]]:
        return [payload for name, payload, _ in self.calls if name == method]

    def wait_for(self, method: str, count: int, seconds: float = 30) -> List[Dict[str, Any]]:
        deadline = time.monotonic() + seconds
        while len(self.sent(method)) < count:
            assert time.monotonic() < deadline, f"{method}: {len(self.sent(method))} of {count} calls"
            time.sleep(0.1)
        return self.sent(method)
