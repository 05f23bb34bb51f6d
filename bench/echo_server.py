"""The floor for the load benchmark: a trivial HTTP server that answers the REST
webhook's request with the message echoed, in the same JSON shape as Rasa."""

import sys

from aiohttp import web


async def webhook(request: web.Request) -> web.Response:
    body = await request.json()
    return web.json_response([{"recipient_id": body.get("sender"), "text": body.get("message")}])


async def status(_request: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})


if __name__ == "__main__":
    app = web.Application()
    app.router.add_post("/webhooks/rest/webhook", webhook)
    app.router.add_get("/status", status)
    web.run_app(app, host="127.0.0.1", port=int(sys.argv[1]), access_log=None, print=None)
