"""Issue 15, input and ownership: each attack of the report against real servers on
loopback (Rasa with the HTTP API token, the action server, throwaway SQLite stores),
and the fixed behaviour asserted."""

import asyncio
import json
import subprocess
import threading
import time
import urllib.error
import urllib.request
import uuid

import pytest

from tests.conftest import MODEL_PATH, ROOT
from tests.servers import (
    RASA,
    assistant,
    free_port,
    get_json,
    post_raw,
    process,
    rest_id,
    send,
    signed,
    wait_for,
)

TOKEN = "hardening-test-token"
PAGE = "http://127.0.0.1:8080"
RATE = (6, 10)  # messages per seconds per conversation, low so that the test is quick
SLOW_DOWN = "faster than I can read them"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    if not MODEL_PATH.exists():
        pytest.fail("no trained model: run `make test`, which trains it first")
    work = tmp_path_factory.mktemp("hardening")
    web_api = ["--auth-token", TOKEN, "--credentials", str(ROOT / "credentials.yml"), "--cors", PAGE]
    with assistant(work, rasa_args=web_api, env={"INTAKE_RATE_LIMIT": f"{RATE[0]}/{RATE[1]}"}) as running:
        port = running.port
        yield {
            "port": port,
            "rasa": running.rasa,
            "actions": running.actions,
            "work": work,
            "url": f"http://127.0.0.1:{port}",
        }


def texts(replies):
    return " ".join(r.get("text", "") for r in replies)


def api(server, path):
    separator = "&" if "?" in path else "?"
    return get_json(server["port"], f"{path}{separator}token={TOKEN}")


def user_turns(server, conversation):
    return [e["text"] for e in api(server, f"/conversations/{conversation}/tracker")["events"] if e["event"] == "user"]


def still_serving(server):
    assert server["rasa"].poll() is None, "the Rasa server exited"
    bystander = f"bystander-{uuid.uuid4().hex[:8]}"
    assert "Fees depend" in texts(send(server["port"], bystander, "how much does it cost?"))


def post_json(server, body, **headers):
    return post_raw(server["port"], json.dumps(body).encode(), headers=headers)


# C1: no input stops a process --------------------------------------------------------


@pytest.mark.parametrize(
    "sender",
    [
        "x\ud800",
        "nul\x00here",
        "a" * 10_000,
        "with space",
        "semi;colon",
        "émigré",
        42,
        4.5,
        True,
        {"id": "x"},
        ["x"],
    ],
    ids=["lone-surrogate", "nul", "10kb", "space", "semicolon", "accents", "int", "float", "bool", "object", "list"],
)
def test_a_sender_no_store_can_keep_gets_a_clear_400_and_the_server_stays_up(server, sender):
    status, reply = post_json(server, {"sender": sender, "message": "hello"})
    assert status == 400 and "'sender' must be" in reply["message"]
    still_serving(server)


def test_a_store_error_in_one_conversation_fails_that_request_alone(server):
    """Past the channels (the HTTP API, with its token): an event no SQLite text column
    can hold used to end in Rasa's 'Exiting application'."""
    body = json.dumps([{"event": "action", "name": "x\ud800"}]).encode()
    request = urllib.request.Request(
        f"{server['url']}/conversations/api-bad/tracker/events?token={TOKEN}",
        data=body,
        method="PUT",
        headers={"Content-Type": "application/json"},
    )
    try:
        urllib.request.urlopen(request, timeout=30).read()
    except urllib.error.HTTPError:
        pass  # refused is fine too: what matters is that everybody else is still served
    time.sleep(1)
    still_serving(server)
    assert "Exiting application" not in (server["work"] / "rasa.log").read_text()


# L1: a lone surrogate or a NUL inside a message ----------------------------------------


def test_a_message_with_a_lone_surrogate_is_answered(server):
    reply = texts(send(server["port"], "broken-emoji", "I want to kill myself \ud83d"))
    assert "988" in reply and "Are you safe right now?" in reply  # still the crisis response
    reply = texts(send(server["port"], "nul-text", "how much \x00does it cost?"))
    assert "Fees depend" in reply
    assert user_turns(server, rest_id("nul-text")) == ["how much does it cost?"]


# H2: a conversation belongs to its client -------------------------------------------------


def test_rest_needs_the_token_or_a_signed_sender(server):
    status, reply = post_json(server, {"sender": "victim", "message": "hello"})
    assert status == 401 and "signed" in reply["message"]
    forged = signed("victim", secret="guessed-secret")
    assert post_json(server, {"sender": forged, "message": "hello"})[0] == 401
    assert post_json(server, {"sender": signed("victim", channel="web"), "message": "hello"})[0] == 401
    status, reply = post_json(server, {"sender": "integration-7", "message": "hello"}, Authorization=f"Bearer {TOKEN}")
    assert status == 200 and reply and reply[0]["recipient_id"] == "integration-7"
    status, issued = post_raw(server["port"], b"", path="/webhooks/rest/session")
    assert status == 200 and issued["sender"] != signed("victim")
    status, reply = post_json(server, {"sender": issued["sender"], "message": "hello"})
    assert status == 200 and reply


def test_a_rest_post_cannot_write_into_a_telegram_conversation(server):
    status, reply = post_json(
        server, {"sender": "telegram:1001", "message": "delete my data"}, Authorization=f"Bearer {TOKEN}"
    )
    assert status == 400 and "':'" in reply["message"]
    assert user_turns(server, "telegram:1001") == []


def test_a_message_id_replay_answers_only_the_owner(server):
    owner = {"sender": signed("owner-1"), "message": "I keep fighting with my sister Qwertz", "message_id": "m-1"}
    status, first = post_json(server, owner)
    assert status == 200 and post_json(server, owner) == (200, first)  # the owner's retry: the same replies
    thief = {"sender": signed("thief-1"), "message": "hello", "message_id": "m-1"}
    status, stolen = post_json(server, thief)
    assert status == 200 and "Qwertz" not in json.dumps(stolen) and stolen != first
    assert post_json(server, {**thief, "sender": "owner-1"})[0] == 401
    assert user_turns(server, rest_id("owner-1")) == [owner["message"]]


async def socket_client(url, origin=None):
    import socketio

    client = socketio.AsyncClient(reconnection=False)
    events = {"confirm": asyncio.Queue(), "bot": asyncio.Queue(), "error": asyncio.Queue()}
    client.on("session_confirm", lambda data: events["confirm"].put_nowait(data))
    client.on("bot_uttered", lambda data: events["bot"].put_nowait(data))
    client.on("error", lambda data: events["error"].put_nowait(data))
    headers = {"Origin": origin} if origin else {}
    await client.connect(url, socketio_path="/socket.io", transports=["polling"], headers=headers)
    return client, events


async def confirm(client, events, data):
    await client.emit("session_request", data)
    return await asyncio.wait_for(events["confirm"].get(), 10)


def test_socketio_ids_are_server_signed_and_a_session_cannot_be_taken_over(server):
    async def scenario():
        victim, victim_events = await socket_client(server["url"])
        thief, thief_events = await socket_client(server["url"])
        try:
            victim_session = await confirm(victim, victim_events, {"session_id": "a1b2c3d4e5f60718293a4b5c6d7e8f90"})
            assert victim_session != "a1b2c3d4e5f60718293a4b5c6d7e8f90" and "." in victim_session
            raw_id = victim_session.split(".")[0]
            await victim.emit("user_uttered", {"message": "hello", "session_id": victim_session})
            assert await asyncio.wait_for(victim_events["bot"].get(), 30)
            # The thief names the victim's conversation in every way but the signed id.
            for forged in (raw_id, f"{raw_id}.{'A' * 43}", 42, {"id": raw_id}, "x" * 10_000, "x\ud800"):
                assert await confirm(thief, thief_events, {"session_id": forged}) != victim_session
            await thief.emit("user_uttered", {"message": "delete my data", "session_id": victim_session})
            refusal = await asyncio.wait_for(thief_events["error"].get(), 10)
            assert "another" in refusal["message"]
            await asyncio.sleep(2)
            assert thief_events["bot"].empty() and victim_events["bot"].qsize() <= 3  # the greeting's parts only
            # The victim's own reconnect keeps the conversation.
            assert await confirm(victim, victim_events, {"session_id": victim_session}) == victim_session
            return raw_id
        finally:
            await victim.disconnect()
            await thief.disconnect()

    raw_id = asyncio.run(scenario())
    assert user_turns(server, f"web:{raw_id}") == ["hello"]


# M4 / L5: socket.io gets the same checks, and upgrades only from the page -------------


def test_socketio_refuses_malformed_messages_without_a_session(server):
    async def scenario():
        client, events = await socket_client(server["url"])
        try:
            await client.emit("user_uttered", {"message": "hello"})  # no session_request first
            assert "session_request" in (await asyncio.wait_for(events["error"].get(), 10))["message"]
            session = await confirm(client, events, {})
            for bad in ([1, 2], "text", 7):
                await client.emit("user_uttered", bad)
                assert "object" in (await asyncio.wait_for(events["error"].get(), 10))["message"]
            await client.emit("user_uttered", {"message": {"x": 1}, "session_id": session})
            assert "string" in (await asyncio.wait_for(events["error"].get(), 10))["message"]
            await client.emit("user_uttered", {"message": "how much \ud800does it cost?", "session_id": session})
            reply = await asyncio.wait_for(events["bot"].get(), 30)
            return reply.get("text", "")
        finally:
            await client.disconnect()

    assert asyncio.run(scenario())
    still_serving(server)


def handshake(server, origin):
    request = urllib.request.Request(f"{server['url']}/socket.io/?EIO=4&transport=polling", headers={"Origin": origin})
    try:
        with urllib.request.urlopen(request, timeout=10) as reply:
            return reply.status, dict(reply.headers)
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers)


def test_socketio_accepts_only_the_pages_origin(server):
    assert handshake(server, "http://evil.example")[0] == 400
    status, headers = handshake(server, PAGE)
    assert status == 200
    assert headers.get("Access-Control-Allow-Origin") == PAGE  # once, from Rasa's CORS

    async def evil_websocket():
        import aiohttp

        async with aiohttp.ClientSession() as session:
            try:
                async with session.ws_connect(
                    f"{server['url']}/socket.io/?EIO=4&transport=websocket", headers={"Origin": "http://evil.example"}
                ):
                    return True
            except aiohttp.WSServerHandshakeError:
                return False

    assert asyncio.run(evil_websocket()) is False


# L3: `after` waits without polling, and not for long -----------------------------------


def test_after_a_message_that_never_comes_is_bounded_and_does_not_slow_others(server):
    finished = []

    def wait_for_nothing(number):
        post_json(
            server,
            {"sender": signed(f"waiter-{number}"), "message": "hello", "message_id": "m-2", "after": "never-sent"},
        )
        finished.append(time.monotonic())

    baseline = []
    for _ in range(3):
        start = time.monotonic()
        send(server["port"], "timed", "is this confidential?")
        baseline.append(time.monotonic() - start)
    waiters = [threading.Thread(target=wait_for_nothing, args=(n,)) for n in range(40)]
    started = time.monotonic()
    for waiter in waiters:
        waiter.start()
    time.sleep(1)
    during = []
    for _ in range(3):
        start = time.monotonic()
        send(server["port"], "timed", "how often would we meet?")
        during.append(time.monotonic() - start)
    for waiter in waiters:
        waiter.join()
    # Every waiter is answered: after ORDER_WAIT_SECONDS (30) and its turn, not never.
    assert min(finished) - started < 36 and len(finished) == len(waiters)
    assert sorted(during)[1] < 2 * sorted(baseline)[1] + 0.5, (baseline, during)


def test_after_is_woken_when_the_named_message_is_stored(server):
    second = {"sender": signed("ordered"), "message": "is this confidential?", "message_id": "o-2", "after": "o-1"}
    result = {}

    def send_second():
        result["reply"] = post_json(server, second)
        result["at"] = time.monotonic()

    thread = threading.Thread(target=send_second)
    thread.start()
    time.sleep(1.5)
    post_json(server, {"sender": signed("ordered"), "message": "how much does it cost?", "message_id": "o-1"})
    first_done = time.monotonic()
    thread.join()
    assert result["reply"][0] == 200 and "confidential" in texts(result["reply"][1])
    assert result["at"] - first_done < 3
    assert user_turns(server, rest_id("ordered")) == ["how much does it cost?", "is this confidential?"]


# L4: a per-conversation rate limit answering kindly; bodies capped at 64 KB -------------


def test_a_flood_in_one_conversation_is_told_to_slow_down_and_others_are_not(server):
    replies = [texts(send(server["port"], "flood", f"message number {n}")) for n in range(RATE[0] + 4)]
    slowed = [reply for reply in replies if SLOW_DOWN in reply]
    assert len(slowed) == 4 and all("988" in reply for reply in slowed)
    assert all(reply for reply in replies)  # every message got an answer, none silence
    assert len(user_turns(server, rest_id("flood"))) == RATE[0]  # the slowed ones are not stored
    assert SLOW_DOWN not in texts(send(server["port"], "flood-neighbour", "hello"))


def test_bodies_over_64_kb_get_413_and_long_messages_a_kind_reply(server):
    start = time.monotonic()
    status, reply = post_json(server, {"sender": signed("big"), "message": "x" * 100_000})
    assert status == 413 and "shorter parts" in reply["message"] and time.monotonic() - start < 2
    status, reply = post_json(server, {"sender": signed("big"), "message": "word " * 12_000})
    assert status == 200 and "shorter parts" in texts(reply)


# L6, L9 and `make run` ----------------------------------------------------------------


def test_the_story_endpoint_returns_the_story(server):
    send(server["port"], "story", "how much does it cost?")
    with urllib.request.urlopen(
        f"{server['url']}/conversations/{rest_id('story')}/story?token={TOKEN}", timeout=30
    ) as reply:
        story = reply.read().decode()
    assert reply.status == 200 and "how much does it cost?" in story and "intent:" in story


def test_no_conversation_id_in_body_not_consumed_lines(server):
    request = urllib.request.Request(
        f"{server['url']}/conversations/{rest_id('secret-id-77')}/tracker?token={TOKEN}", data=b'{"x": 1}', method="GET"
    )
    with urllib.request.urlopen(request, timeout=30) as reply:
        assert reply.status == 200
    time.sleep(0.5)
    log = (server["work"] / "rasa.log").read_text()
    assert "A GET request's body was not consumed." in log  # Sanic's line, without the path
    assert "secret-id-77" not in log


def test_make_run_opens_the_shell_on_loopback():
    dry_run = subprocess.run(["make", "-n", "run", "MODEL=Makefile"], cwd=ROOT, capture_output=True, text=True)
    shell = [line for line in dry_run.stdout.splitlines() if " shell " in line]
    assert shell and "-i 127.0.0.1" in shell[0], dry_run.stdout


@pytest.mark.patched  # intake_rasa_patches/store_outage.py
def test_on_postgresql_a_nul_in_one_conversation_fails_that_request_alone(tmp_path):
    """C1 on the production store: psycopg2 refuses a NUL with ValueError, which Rasa's
    session_scope turned into 'Exiting application'. A database of its own on the shared
    PostgreSQL (created and dropped here)."""
    import sqlalchemy as sa

    from tests.test_intake_store import POSTGRES_URL, require_postgres

    require_postgres()
    database = f"intake_nul_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f"CREATE DATABASE {database}"))
    url = sa.engine.make_url(POSTGRES_URL)
    endpoints = tmp_path / "endpoints.yml"
    endpoints.write_text(
        f"action_endpoint:\n  url: http://127.0.0.1:{free_port()}/webhook\n"
        f"tracker_store:\n  type: intake_stores.tracker_store.CachedSQLTrackerStore\n  dialect: postgresql\n"
        f"  url: {url.host}\n  port: {url.port or 5432}\n  db: {database}\n  username: {url.username}\n"
        f"  password: '{url.password or ''}'\n"
        "nlg:\n  type: intake_dialogue.response_generator.PracticeResponseGenerator\n"
    )
    port = free_port()
    try:
        with process(
            [
                RASA,
                "run",
                "--enable-api",
                "--auth-token",
                TOKEN,
                "-m",
                str(MODEL_PATH),
                "-p",
                str(port),
                "-i",
                "127.0.0.1",
                "--endpoints",
                str(endpoints),
                "--credentials",
                str(ROOT / "credentials.yml"),
            ],
            tmp_path / "rasa.log",
        ) as rasa:
            wait_for(f"http://127.0.0.1:{port}/")
            status, _ = post_json({"port": port}, {"sender": "nul\x00id", "message": "hello"})
            assert status == 400
            body = json.dumps([{"event": "action", "name": "x\x00y"}]).encode()
            request = urllib.request.Request(
                f"http://127.0.0.1:{port}/conversations/api-nul/tracker/events?token={TOKEN}",
                data=body,
                method="PUT",
                headers={"Content-Type": "application/json"},
            )
            try:
                urllib.request.urlopen(request, timeout=30).read()
            except urllib.error.HTTPError:
                pass
            time.sleep(1)
            assert rasa.poll() is None
            assert texts(send(port, "after-nul", "how much does it cost?"))
            assert "Exiting application" not in (tmp_path / "rasa.log").read_text()
    finally:
        sa.create_engine(POSTGRES_URL).dispose()
        with admin.connect() as connection:
            connection.execute(sa.text(f"DROP DATABASE IF EXISTS {database} WITH (FORCE)"))
