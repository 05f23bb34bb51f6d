"""Outages of the production profile's stores (issue 15: C2, H1): a Rasa server with
endpoints.prod.yml on a PostgreSQL and a Redis that this test starts on free ports and
stops, an action server keeping intakes in that PostgreSQL. While a store is down the
person never meets silence: a message gets an apology with the crisis line and 503
(it was not stored: the client or load balancer sends it again), a crisis message gets
the crisis response and is kept; when the store is back the kept turn is stored
exactly once, with risk_flag set, and the conversation goes on where it was."""

import json
import time
import urllib.error
import urllib.request
import uuid
from contextlib import ExitStack

import pytest

from tests.conftest import MODEL_PATH, ROOT
from tests.servers import ACTION_SERVER, RASA, free_port, get_json, process, signed, wait_for
from tests.store_servers import OwnPostgres, OwnRedis

CRISIS = "I want to kill myself"


def post(port, body, timeout=30):
    # A REST sender is signed (intake_channels/ownership.py); the conversation id is the sender.
    body = {**body, "sender": signed(body["sender"])}
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/webhooks/rest/webhook",
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
    )
    started = time.monotonic()
    try:
        with urllib.request.urlopen(request, timeout=timeout) as reply:
            return reply.status, json.loads(reply.read()), time.monotonic() - started
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read()), time.monotonic() - started


def ready(port):
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/ready", timeout=10) as reply:
            return reply.status, json.loads(reply.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def until(condition, seconds=60, what="condition"):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.3)
    raise AssertionError(f"{what} not reached within {seconds}s")


def texts(replies):
    return " ".join(reply.get("text", "") for reply in replies)


def user_texts(port, sender):
    events = get_json(port, f"/conversations/{sender}/tracker")["events"]
    return [event["text"] for event in events if event["event"] == "user"]


@pytest.fixture(scope="module")
def production(tmp_path_factory):
    if not MODEL_PATH.exists():
        pytest.fail("no trained model: run `make test`, which trains it first")
    work = tmp_path_factory.mktemp("outages")
    postgres, redis = OwnPostgres(work), OwnRedis(work)
    actions_port, rasa_port = free_port(), free_port()
    with ExitStack() as stack:
        stack.callback(postgres.remove)
        postgres.start()
        stack.callback(postgres.stop)
        redis.start()
        stack.callback(redis.stop)
        intake_url = postgres.create_database("intake")
        profile = {
            "INTAKE_ACTIONS_URL": f"http://127.0.0.1:{actions_port}/webhook",
            "INTAKE_POSTGRES_HOST": "127.0.0.1",
            "INTAKE_POSTGRES_PORT": str(postgres.port),
            "INTAKE_POSTGRES_DB": "postgres",
            "INTAKE_POSTGRES_USER": "postgres",
            "INTAKE_POSTGRES_PASSWORD": "",
            "INTAKE_REDIS_HOST": "127.0.0.1",
            "INTAKE_REDIS_PORT": str(redis.port),
            "INTAKE_REDIS_DB": "0",
            "INTAKE_REDIS_PASSWORD": "",
            "INTAKE_SPOOL_DIR": str(work / "spool"),
            "INTAKE_SPOOL_REPLAY_SECONDS": "1",
        }
        stack.enter_context(
            process(
                ACTION_SERVER + ["--port", str(actions_port)],
                work / "actions.log",
                extra_env={"INTAKE_DATABASE_URL": intake_url},
            )
        )
        stack.enter_context(
            process(
                [
                    RASA,
                    "run",
                    "--enable-api",
                    "-m",
                    str(MODEL_PATH),
                    "-p",
                    str(rasa_port),
                    "-i",
                    "127.0.0.1",
                    "--endpoints",
                    str(ROOT / "endpoints.prod.yml"),
                    "--credentials",
                    str(ROOT / "credentials.yml"),
                ],
                work / "rasa.log",
                extra_env=profile,
            )
        )
        wait_for(f"http://127.0.0.1:{actions_port}/health")
        wait_for(f"http://127.0.0.1:{rasa_port}/status")
        yield {"port": rasa_port, "postgres": postgres, "redis": redis, "work": work}


@pytest.mark.patched  # intake_rasa_patches/store_outage.py: /ready, and every channel outage-safe
def test_ready_reports_every_dependency(production):
    status, report = ready(production["port"])
    assert status == 200, report
    assert report == {
        "status": "ready",
        "tracker_store": "ok",
        "lock_store": "ok",
        "action_server": "ok",
        "intake_db": "ok",
        "spooled_turns": 0,
    }


@pytest.mark.patched  # intake_rasa_patches/store_outage.py: /ready, and every channel outage-safe
@pytest.mark.parametrize("outage", ["redis", "postgres"])
def test_an_outage_meets_nobody_with_silence_and_loses_no_accepted_turn(production, outage):
    port, store = production["port"], production[outage]
    sender = f"{outage}-{uuid.uuid4().hex[:8]}"
    status, replies, _ = post(port, {"sender": sender, "message": "hi"})
    assert status == 200 and replies

    store.stop()
    try:
        status, report = ready(port)
        down = "lock_store" if outage == "redis" else "tracker_store"
        assert status == 503 and report[down] == "unavailable" and report["status"] == "unavailable", report

        # An ordinary message: an apology with the crisis line, 503, quickly.
        status, replies, elapsed = post(port, {"sender": sender, "message": "I have been so stressed at work"})
        assert status == 503, replies
        assert "was not saved" in texts(replies) and "988" in texts(replies) and elapsed < 10, (elapsed, replies)

        # A crisis message: the crisis response, and the turn is kept (accepted).
        status, replies, elapsed = post(port, {"sender": sender, "message": CRISIS, "message_id": f"{sender}-c"})
        assert status == 200, replies
        assert "concerned for your safety" in texts(replies) and "988" in texts(replies) and elapsed < 10
        assert ready(port)[1]["spooled_turns"] == 1
        spooled = list((production["work"] / "spool").glob("*.json"))
        assert len(spooled) == 1 and oct(spooled[0].stat().st_mode & 0o777) == "0o600"
        assert oct((production["work"] / "spool").stat().st_mode & 0o777) == "0o700"
    finally:
        store.start()

    until(lambda: ready(port)[0] == 200, what="ready again")
    until(lambda: ready(port)[1].get("spooled_turns") == 0, what="the kept turn replayed")
    # The client sends the crisis message again (same id): it is not stored twice.
    status, replies, _ = post(port, {"sender": sender, "message": CRISIS, "message_id": f"{sender}-c"})
    assert status == 200 and "concerned for your safety" in texts(replies)

    # Stored exactly once, in the same conversation (not a new one), risk_flag set; the
    # message answered 503 is not stored (the person was told to send it again).
    assert user_texts(port, sender) == ["hi", CRISIS]
    tracker = get_json(port, f"/conversations/{sender}/tracker")
    assert tracker["slots"]["risk_flag"] is True

    # The conversation goes on: the crisis rules follow the replayed crisis response.
    status, replies, _ = post(port, {"sender": sender, "message": "yes, I'm safe right now"})
    assert status == 200 and "glad you're safe" in texts(replies), replies
    assert user_texts(port, sender) == ["hi", CRISIS, "yes, I'm safe right now"]


@pytest.mark.patched  # intake_rasa_patches/store_outage.py: /ready, and every channel outage-safe
def test_a_crisis_before_any_stored_turn_starts_its_conversation_when_replayed(production):
    port, redis = production["port"], production["redis"]
    sender = f"first-{uuid.uuid4().hex[:8]}"
    redis.stop()
    try:
        status, replies, _ = post(port, {"sender": sender, "message": CRISIS})
        assert status == 200 and "concerned for your safety" in texts(replies)
    finally:
        redis.start()
    until(lambda: ready(port)[1].get("spooled_turns") == 0, what="the kept turn replayed")
    tracker = get_json(port, f"/conversations/{sender}/tracker")
    assert [e["text"] for e in tracker["events"] if e["event"] == "user"] == [CRISIS]
    assert tracker["events"][0]["event"] == "action" and tracker["events"][0]["name"] == "action_session_start"
    assert tracker["slots"]["risk_flag"] is True


@pytest.mark.patched  # intake_rasa_patches/store_outage.py: /ready, and every channel outage-safe
def test_ready_reports_the_intake_database_through_the_action_server(production):
    postgres, port = production["postgres"], production["port"]
    import sqlalchemy as sa

    admin = sa.create_engine(postgres.url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text("ALTER DATABASE intake ALLOW_CONNECTIONS false"))
        connection.execute(sa.text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = 'intake'"))
    try:
        status, report = ready(port)
        # The conversation still goes on without the intake database: the server is ready.
        assert status == 200 and report["intake_db"] == "unavailable" and report["action_server"] == "ok", report
    finally:
        with admin.connect() as connection:
            connection.execute(sa.text("ALTER DATABASE intake ALLOW_CONNECTIONS true"))
        admin.dispose()
    assert ready(port)[1]["intake_db"] == "ok"


def test_the_intake_database_down_gets_an_apology_with_the_crisis_line(production):
    """With only the intake database down, the conversation goes on; submitting the intake
    says it could not be saved, with the crisis line, and a crisis message still gets
    the crisis response."""
    import sqlalchemy as sa

    from tests.servers import conversation

    port, postgres = production["port"], production["postgres"]
    sender = f"intake-db-{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(postgres.url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text("ALTER DATABASE intake ALLOW_CONNECTIONS false"))
        connection.execute(sa.text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = 'intake'"))
    try:
        said = []
        for line in conversation():
            status, replies, _ = post(port, {"sender": sender, "message": line})
            assert status == 200, replies
            said.append(texts(replies))
        failed = [reply for reply in said if "couldn't save your details" in reply]
        assert failed and "988" in failed[0], said
        status, replies, _ = post(port, {"sender": sender, "message": CRISIS})
        assert status == 200 and "concerned for your safety" in texts(replies)
    finally:
        with admin.connect() as connection:
            connection.execute(sa.text("ALTER DATABASE intake ALLOW_CONNECTIONS true"))
        admin.dispose()


@pytest.mark.patched  # intake_rasa_patches/store_outage.py: /ready, and every channel outage-safe
def test_the_web_chat_socket_gets_the_apology_and_the_crisis_response(production):
    """The same on socket.io (the web widget): no silence while Redis is down."""
    import asyncio

    import socketio

    port, redis = production["port"], production["redis"]

    async def talk(messages):
        client, replies = socketio.AsyncClient(), asyncio.Queue()
        client.on("bot_uttered", replies.put_nowait)
        await client.connect(f"http://127.0.0.1:{port}", transports=["polling"])
        confirmed = asyncio.get_running_loop().create_future()
        client.on("session_confirm", lambda signed_id: confirmed.done() or confirmed.set_result(signed_id))
        # No session id yet: the server confirms a new one it signed (`<hex>.<signature>`).
        await client.emit("session_request", {"session_id": None})
        session_id = await asyncio.wait_for(confirmed, 20)
        answers = []
        for message in messages:
            await client.emit("user_uttered", {"message": message, "session_id": session_id})
            answers.append((await asyncio.wait_for(replies.get(), 30)).get("text", ""))
        await client.disconnect()
        return session_id, answers

    redis.stop()
    try:
        session_id, (apology, crisis) = asyncio.run(talk(["hello there", CRISIS]))
    finally:
        redis.start()
    assert "was not saved" in apology and "988" in apology
    assert "concerned for your safety" in crisis
    until(lambda: ready(port)[1].get("spooled_turns") == 0, what="the kept turn replayed")
    assert user_texts(port, "web:" + session_id.split(".")[0]) == [CRISIS]
