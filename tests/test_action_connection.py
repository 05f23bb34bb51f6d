"""Action server calls share kept-alive connections (intake_rasa_patches/action_connection.py)
and behave as Rasa's EndpointConfig.request: same headers, auth, parameters, result,
errors and timeout."""
import asyncio

import aiohttp
import pytest
from aiohttp import web
from rasa.utils.endpoints import ClientResponseError, EndpointConfig

import intake_rasa_patches
from tests.servers import free_port

pytestmark = pytest.mark.patched


@pytest.fixture
async def action_server():
    """A small HTTP server recording each request's client port and headers."""
    seen = []

    async def webhook(request: web.Request) -> web.Response:
        seen.append({"peer": request.transport.get_extra_info("peername")[1], "headers": dict(request.headers),
                     "query": dict(request.query), "body": await request.json()})
        if request.query.get("fail"):
            return web.json_response({"error": "no"}, status=404)
        if request.query.get("slow"):
            await asyncio.sleep(2)
        return web.json_response({"events": [], "responses": [{"response": "utter_ok"}]})

    app = web.Application()
    app.router.add_post("/webhook", webhook)
    runner = web.AppRunner(app)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    yield f"http://127.0.0.1:{port}/webhook", seen
    await runner.cleanup()


async def test_calls_reuse_one_connection_and_return_the_reply(action_server):
    url, seen = action_server
    endpoint = EndpointConfig(url)
    replies = [await endpoint.request(json={"next_action": name}, method="post") for name in ("a", "b", "c")]
    assert replies == [{"events": [], "responses": [{"response": "utter_ok"}]}] * 3
    assert [request["body"]["next_action"] for request in seen] == ["a", "b", "c"]
    assert len({request["peer"] for request in seen}) == 1  # one TCP connection for all three


async def test_headers_auth_and_token_are_sent_as_rasa_sends_them(action_server):
    url, seen = action_server
    endpoint = EndpointConfig(url, headers={"X-Practice": "north"}, basic_auth={"username": "u", "password": "p"},
                              token="secret-token", token_name="token")
    await endpoint.request(json={}, method="post")
    headers = seen[0]["headers"]
    assert headers["X-Practice"] == "north"
    assert headers["Content-Type"] == "application/json"
    assert headers["Authorization"] == aiohttp.BasicAuth("u", "p").encode()
    assert seen[0]["query"] == {"token": "secret-token"}


async def test_an_error_status_raises_rasas_error_with_the_status(action_server):
    url, _ = action_server
    with pytest.raises(ClientResponseError) as error:
        await EndpointConfig(url).request(json={}, method="post", params={"fail": "1"})
    assert error.value.status == 404


async def test_the_timeout_given_by_the_caller_is_kept(action_server):
    url, _ = action_server
    with pytest.raises(asyncio.TimeoutError):
        await EndpointConfig(url).request(json={}, method="post", params={"slow": "1"}, timeout=0.3)


async def test_a_connection_the_server_closed_is_replaced_and_the_call_still_answers():
    """The server answers each connection's first request, then closes it without
    answering the next (as a restarting server does): the call is sent again on a new
    connection."""
    connections = []

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        connections.append(writer.get_extra_info("peername")[1])
        head = await reader.readuntil(b"\r\n\r\n")
        length = int(next(line.split(b":")[1] for line in head.split(b"\r\n") if line.lower().startswith(b"content-length")))
        await reader.readexactly(length)
        body = b'{"events": []}'
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n"
                     b"Connection: keep-alive\r\n\r\n%s" % (len(body), body))
        await writer.drain()
        await reader.readuntil(b"\r\n\r\n")  # the next request on this connection: dropped
        writer.close()

    port = free_port()
    server = await asyncio.start_server(handle, "127.0.0.1", port)
    endpoint = EndpointConfig(f"http://127.0.0.1:{port}/webhook")
    try:
        assert await endpoint.request(json={"n": 1}, method="post") == {"events": []}
        assert await endpoint.request(json={"n": 2}, method="post") == {"events": []}
    finally:
        server.close()
    assert len(connections) == 2
