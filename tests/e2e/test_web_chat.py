"""`make serve` as a practice runs it (python -m intake.serve): the page with the
chat widget in headless Chromium over socket.io, the auth token, CORS limited to the page."""

import json
import time
import urllib.error
import urllib.request
from contextlib import ExitStack
from pathlib import Path

import pytest

from tests.conftest import MODEL_PATH, ROOT
from tests.servers import PYTHON, SEED_PATIENT_LINES, free_port, process, wait_for, write_endpoints

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = ROOT / "tests" / "artifacts"


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    if not MODEL_PATH.exists():
        pytest.fail("no trained model: run `make test`, which trains it first")
    work = tmp_path_factory.mktemp("serve")
    rasa_port, actions_port, web_port = free_port(), free_port(), free_port()
    endpoints = write_endpoints(work / "endpoints.yml", actions_port, work / "tracker.db")
    token_file = work / "auth_token"
    log = work / "serve.log"
    with ExitStack() as stack:
        stack.enter_context(
            process(
                [
                    PYTHON,
                    "-m",
                    "intake.serve",
                    "--port",
                    str(rasa_port),
                    "--actions-port",
                    str(actions_port),
                    "--web-port",
                    str(web_port),
                    "--endpoints",
                    str(endpoints),
                ],
                log,
                extra_env={
                    "INTAKE_AUTH_TOKEN_FILE": str(token_file),
                    "RASA_AUTH_TOKEN": "",
                    "INTAKE_DATABASE_URL": f"sqlite:///{work}/intake.db",
                },
            )
        )
        wait_for(f"http://127.0.0.1:{rasa_port}/")
        wait_for(f"http://127.0.0.1:{actions_port}/health")
        wait_for(f"http://127.0.0.1:{web_port}/")
        yield {
            "rasa": f"http://127.0.0.1:{rasa_port}",
            "page": f"http://127.0.0.1:{web_port}",
            "token_file": token_file,
            "log": log,
        }


def status(url, headers=None):
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers or {}), timeout=30) as reply:
            return reply.status, dict(reply.headers)
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers)


def test_the_api_needs_the_generated_token_which_is_never_printed(served):
    token = served["token_file"].read_text().strip()
    assert len(token) >= 32 and oct(served["token_file"].stat().st_mode & 0o777) == "0o600"
    assert status(served["rasa"] + "/status")[0] == 401
    assert status(served["rasa"] + "/status?token=wrong")[0] == 401
    assert status(served["rasa"] + f"/status?token={token}")[0] == 200
    assert token not in served["log"].read_text()
    assert "HTTP API token: in" in served["log"].read_text()


def test_cors_is_limited_to_the_page(served):
    _, headers = status(served["rasa"] + "/", {"Origin": served["page"]})
    assert headers.get("Access-Control-Allow-Origin") == served["page"]
    _, headers = status(served["rasa"] + "/", {"Origin": "http://evil.example"})
    assert headers.get("Access-Control-Allow-Origin") is None


def test_the_page_is_served_locally_with_the_notice(served):
    with urllib.request.urlopen(served["page"] + "/", timeout=30) as reply:
        page = reply.read().decode()
        policy = reply.headers["Content-Security-Policy"]
    assert "not an emergency service" in page and "988" in page
    assert "https://" not in page and "default-src 'self'" in policy  # nothing from a CDN
    assert status(served["page"] + "/vendor/webchat.js")[0] == 200
    assert status(served["page"] + "/node_modules/rasa-webchat/package.json")[0] == 404


def texts(page, selector):
    return [t.strip() for t in page.locator(selector).all_inner_texts() if t.strip()]


def bot_messages(page):
    return texts(page, ".rw-response")  # the typing indicator has no text


def wait_for_count(page, selector, count, seconds=60):
    # Polling from here, not wait_for_function: the page's CSP forbids evaluating strings.
    deadline = time.monotonic() + seconds
    while len(texts(page, selector)) < count:
        assert time.monotonic() < deadline, f"fewer than {count} '{selector}': {texts(page, selector)}"
        time.sleep(0.2)
    time.sleep(1)  # let the widget finish showing a multi-message reply


def storage_items(page, origin, local):
    """The page's session or local storage, read over the DevTools protocol (no eval)."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("DOMStorage.enable")
    reply = cdp.send(
        "DOMStorage.getDOMStorageItems", {"storageId": {"securityOrigin": origin, "isLocalStorage": local}}
    )
    return reply["entries"]


def test_the_seed_opening_in_headless_chromium_survives_a_reload(served):
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: `make test` installs it (make browser)")
    from playwright.sync_api import sync_playwright

    lines = SEED_PATIENT_LINES[:3]
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            page = browser.new_page()
            requests = []
            page.on("request", lambda request: requests.append(request.url))
            page.goto(served["page"] + "/")
            wait_for_count(page, ".rw-response", 1)
            assert "intake assistant" in " ".join(bot_messages(page))  # the greeting
            for line in lines:
                before = len(bot_messages(page))
                page.fill(".rw-new-message", line)
                page.keyboard.press("Enter")
                wait_for_count(page, ".rw-response", before + 1)
            replies = bot_messages(page)
            assert len(replies) >= 3 + 1
            assert any("overwhelmed" in reply or "a lot to carry" in reply for reply in replies)
            assert texts(page, ".rw-client")[-3:] == lines

            page.reload()
            wait_for_count(page, ".rw-client", len(lines))
            assert texts(page, ".rw-client")[-3:] == lines
            assert len(bot_messages(page)) == len(replies)
            page.screenshot(path=str(ARTIFACTS / "web_chat.png"), full_page=True)
            session = storage_items(page, served["page"], local=False)
            assert any(lines[0] in value for _, value in session)  # the history is in session storage
            assert not any(lines[0] in value for _, value in storage_items(page, served["page"], local=True))
            outside = [u for u in requests if not u.startswith(("http://127.0.0.1", "ws://127.0.0.1", "data:"))]
            assert outside == []
        finally:
            browser.close()


def test_socketio_with_session_persistence_delivers_replies_across_reconnects(served):
    """RasaHQ/rasa#13027: with session_persistence on, Rasa 3.6 never joins the session's
    room and no reply arrives. Two connections with the session id the server signed for
    the first: one conversation."""
    import asyncio

    import socketio

    async def exchange(text, session_id=None):
        client = socketio.AsyncClient()
        replies, confirmed = asyncio.Queue(), asyncio.Queue()
        client.on("session_confirm", lambda session: confirmed.put_nowait(session))
        client.on("bot_uttered", lambda message: replies.put_nowait(message))
        await client.connect(served["rasa"], socketio_path="/socket.io", transports=["polling"])
        try:
            await client.emit("session_request", {"session_id": session_id})
            session_id = await asyncio.wait_for(confirmed.get(), 10)
            await client.emit("user_uttered", {"message": text, "session_id": session_id})
            first = await asyncio.wait_for(replies.get(), 30)
            return first.get("text", ""), session_id
        finally:
            await client.disconnect()

    greeting, session_id = asyncio.run(exchange("hello"))
    assert "not an emergency service" in greeting
    reply, again = asyncio.run(exchange("I've been so lonely lately", session_id))
    assert again == session_id and "you've been dealing with" in reply
    conversation = "web:" + session_id.split(".")[0]
    token = served["token_file"].read_text().strip()
    expected = ["hello", "I've been so lonely lately"]
    deadline = time.monotonic() + 15  # replies are emitted before Rasa saves the turn
    while True:
        with urllib.request.urlopen(
            f"{served['rasa']}/conversations/{conversation}/tracker?token={token}", timeout=30
        ) as reply:
            tracker = json.load(reply)
        turns = [e["text"] for e in tracker["events"] if e["event"] == "user"]
        if turns == expected or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert turns == expected
    assert "isolation" in tracker["slots"]["concerns"]
