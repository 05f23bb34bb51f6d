"""Custom action calls share kept-alive connections (intake_rasa_patches/action_endpoint_session.py):
only the action endpoint, with Rasa's own request code (headers, auth, parameters, result,
errors, timeout), and nothing is sent twice."""

import asyncio
import json

import aiohttp
import pytest
from aiohttp import web
from rasa.core.utils import AvailableEndpoints
from rasa.utils.endpoints import ClientResponseError, EndpointConfig

from intake_rasa_patches.action_endpoint_session import KeptAliveEndpointConfig
from tests.fake_action_servers import answers_once_per_connection, webhook_server

pytestmark = pytest.mark.patched


@pytest.fixture
async def action_server():
    """A small HTTP server recording each request's client port, headers and body."""
    seen = []

    async def webhook(request: web.Request) -> web.Response:
        seen.append(
            {
                "peer": request.transport.get_extra_info("peername")[1],
                "headers": dict(request.headers),
                "query": dict(request.query),
                "body": await request.json(),
            }
        )
        if request.query.get("fail"):
            return web.json_response({"error": "no"}, status=404)
        if request.query.get("slow"):
            await asyncio.sleep(2)
        return web.json_response({"events": [], "responses": [{"response": "utter_ok"}]})

    async with webhook_server(webhook) as url:
        yield url, seen


def read_endpoints(tmp_path, url: str) -> AvailableEndpoints:
    endpoints = tmp_path / "endpoints.yml"
    endpoints.write_text(
        f"action_endpoint:\n  url: {url}\n  headers:\n    X-Practice: north\n"
        "nlg:\n  url: http://127.0.0.1:9/nlg\n"
        "tracker_store:\n  type: SQL\n  dialect: sqlite\n  db: tracker.db\n"
    )
    return AvailableEndpoints.read_endpoints(str(endpoints))


async def test_action_calls_from_endpoints_yml_reuse_one_connection(action_server, tmp_path):
    url, seen = action_server
    action = read_endpoints(tmp_path, url).action
    replies = [await action.request(json={"next_action": name}, method="post") for name in ("a", "b", "c")]
    await action.close()
    assert replies == [{"events": [], "responses": [{"response": "utter_ok"}]}] * 3
    assert [request["body"]["next_action"] for request in seen] == ["a", "b", "c"]
    assert len({request["peer"] for request in seen}) == 1  # one TCP connection for all three
    assert seen[0]["headers"]["X-Practice"] == "north"


def test_every_other_endpoint_keeps_rasas_own_class(tmp_path):
    endpoints = read_endpoints(tmp_path, "http://127.0.0.1:9/webhook")
    assert isinstance(endpoints.action, KeptAliveEndpointConfig)
    assert type(endpoints.nlg) is EndpointConfig and type(endpoints.tracker_store) is EndpointConfig
    assert endpoints.tracker_store.type == "SQL"


async def test_headers_auth_and_token_are_sent_as_rasa_sends_them(action_server):
    url, seen = action_server
    endpoint = KeptAliveEndpointConfig(
        url,
        headers={"X-Practice": "north"},
        basic_auth={"username": "u", "password": "p"},
        token="secret-token",
        token_name="token",
    )
    await endpoint.request(json={}, method="post")
    await endpoint.close()
    headers = seen[0]["headers"]
    assert headers["X-Practice"] == "north"
    assert headers["Content-Type"] == "application/json"
    assert headers["Authorization"] == aiohttp.BasicAuth("u", "p").encode()
    assert seen[0]["query"] == {"token": "secret-token"}


async def test_an_error_status_raises_rasas_error_with_the_status(action_server):
    url, _ = action_server
    endpoint = KeptAliveEndpointConfig(url)
    with pytest.raises(ClientResponseError) as error:
        await endpoint.request(json={}, method="post", params={"fail": "1"})
    await endpoint.close()
    assert error.value.status == 404


async def test_the_timeout_given_by_the_caller_is_kept(action_server):
    url, _ = action_server
    endpoint = KeptAliveEndpointConfig(url)
    with pytest.raises(asyncio.TimeoutError):
        await endpoint.request(json={}, method="post", params={"slow": "1"}, timeout=0.3)
    await endpoint.close()


async def test_a_call_whose_connection_is_dropped_fails_and_is_not_sent_again():
    """The server answers a connection's first request, then drops the connection on the
    next one without answering: that call fails (action_server_guard apologizes), and the
    action it asked for reached the server once, not twice."""
    requests = []
    async with answers_once_per_connection(requests, b'{"events": []}') as url:
        endpoint = KeptAliveEndpointConfig(url)
        try:
            assert await endpoint.request(json={"n": 1}, method="post") == {"events": []}
            with pytest.raises((aiohttp.ServerDisconnectedError, aiohttp.ClientOSError)):
                await endpoint.request(json={"n": 2}, method="post")
        finally:
            await endpoint.close()
    assert [json.loads(body) if body != b"dropped" else body for body in requests] == [{"n": 1}, b"dropped"]


async def test_the_action_server_reads_the_same_values_json_would_send(action_server):
    """The body is written with ujson: what the person typed (accents, emoji, markup,
    quotes, a lone surrogate) and the event timestamps arrive exactly as json sends them."""
    url, seen = action_server
    tracker = {
        "events": [
            {"event": "user", "text": 'café 😢 </script> "quoted" \\ a/b', "timestamp": 1795813218.1678543},
            {"event": "user", "text": "half a pair \ud800 here", "timestamp": 1795813219.5},
        ],
        "slots": {"concerns": ["work", "sleep"], "phq9_score": 11, "risk_flag": None},
    }
    endpoint = KeptAliveEndpointConfig(url)
    await endpoint.request(json={"tracker": tracker}, method="post")
    await endpoint.close()
    assert seen[0]["body"] == {"tracker": json.loads(json.dumps(tracker))}


def test_an_action_endpoint_with_a_ca_file_keeps_rasas_class(tmp_path):
    """Rasa makes a TLS context per request and aiohttp would not reuse the connection:
    such an endpoint is left as Rasa reads it."""
    endpoints = tmp_path / "endpoints.yml"
    endpoints.write_text("action_endpoint:\n  url: https://actions.internal/webhook\n  cafile: /etc/ssl/ca.pem\n")
    action = AvailableEndpoints.read_endpoints(str(endpoints)).action
    assert type(action) is EndpointConfig and action.cafile == "/etc/ssl/ca.pem"
