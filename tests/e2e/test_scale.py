"""Horizontal scale with nothing lost (issue #6): two Rasa servers with the production
profile (endpoints.prod.yml: PostgreSQL tracker store, Redis lock store) and one action
server storing intakes in PostgreSQL, all on 127.0.0.1. 40 clients each run a complete
intake, sending turns alternately to either server, some with two messages in flight;
then one server is killed mid-run and clients retry on the other. Every user turn must
be stored exactly once, in the order sent, and every completed intake stored once."""

import asyncio
import os
import random
import signal
import uuid
from contextlib import ExitStack

import aiohttp
import pytest
import sqlalchemy as sa

from tests.conftest import MODEL_PATH, ROOT
from tests.servers import ACTION_SERVER, RASA, conversation, free_port, process, rest_id, signed, wait_for
from tests.test_intake_store import POSTGRES_URL, require_postgres

CLIENTS = 40
REQUEST_TIMEOUT = aiohttp.ClientTimeout(total=120)


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    if not MODEL_PATH.exists():
        pytest.fail("no trained model: run `make test`, which trains it first")
    require_postgres()
    work = tmp_path_factory.mktemp("scale")
    database = f"intake_scale_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f"CREATE DATABASE {database}"))
    database_url = POSTGRES_URL.rsplit("/", 1)[0] + "/" + database
    actions_port, ports = free_port(), [free_port(), free_port()]
    profile = {
        "INTAKE_ACTIONS_URL": f"http://127.0.0.1:{actions_port}/webhook",
        "INTAKE_POSTGRES_HOST": "127.0.0.1",
        "INTAKE_POSTGRES_PORT": "5432",
        "INTAKE_POSTGRES_DB": database,
        "INTAKE_POSTGRES_USER": "postgres",
        "INTAKE_POSTGRES_PASSWORD": "",
        "INTAKE_REDIS_HOST": "127.0.0.1",
        "INTAKE_REDIS_PORT": "6379",
        "INTAKE_REDIS_DB": "2",
        "INTAKE_REDIS_PASSWORD": "",
        # A killed server's conversation lock is released after 10 s instead of 60 s.
        "TICKET_LOCK_LIFETIME": "10",
    }
    servers = {}
    with ExitStack() as stack:
        stack.enter_context(
            process(
                ACTION_SERVER + ["--port", str(actions_port)],
                work / "actions.log",
                extra_env={"INTAKE_DATABASE_URL": database_url},
            )
        )
        for index, port in enumerate(ports):
            servers[port] = stack.enter_context(
                process(
                    [
                        RASA,
                        "run",
                        "--enable-api",
                        "-m",
                        str(MODEL_PATH),
                        "-p",
                        str(port),
                        "-i",
                        "127.0.0.1",
                        "--endpoints",
                        str(ROOT / "endpoints.prod.yml"),
                        "--credentials",
                        str(ROOT / "credentials.yml"),
                    ],
                    work / f"rasa-{index}.log",
                    extra_env=profile,
                )
            )
        wait_for(f"http://127.0.0.1:{actions_port}/health")
        for port in ports:
            wait_for(f"http://127.0.0.1:{port}/status")
        yield {"ports": ports, "servers": servers, "database_url": database_url, "work": work}
    sa.create_engine(database_url).dispose()
    with admin.connect() as connection:
        connection.execute(sa.text(f"DROP DATABASE IF EXISTS {database} WITH (FORCE)"))


async def post(session, port, sender, text, message_id, after=None):
    body = {"sender": signed(sender), "message": text, "message_id": message_id}
    if after:
        body["after"] = after
    async with session.post(f"http://127.0.0.1:{port}/webhooks/rest/webhook", json=body) as reply:
        reply.raise_for_status()
        return await reply.json()


async def send_with_retry(session, ports, first, sender, text, message_id, after=None):
    """Sends to ports[first]; when that server fails, the same message (same id) to the other."""
    for attempt in range(6):
        port = ports[(first + attempt) % len(ports)]
        try:
            return await post(session, port, sender, text, message_id, after)
        except (aiohttp.ClientError, asyncio.TimeoutError):
            await asyncio.sleep(0.5)
    raise AssertionError(f"{sender}: no server answered message {message_id}")


async def client(session, ports, sender, lines, two_in_flight):
    index = 0
    while index < len(lines):
        if two_in_flight and index in (2, 4):
            # Two disclosures sent without waiting for the first reply, one to each
            # server; the second names the first in `after`, so it is stored after it.
            first = send_with_retry(session, ports, index, sender, lines[index], f"{sender}-{index}")
            task = asyncio.ensure_future(first)
            second = send_with_retry(
                session, ports, index + 1, sender, lines[index + 1], f"{sender}-{index + 1}", after=f"{sender}-{index}"
            )
            await asyncio.gather(task, second)
            index += 2
        else:
            await send_with_retry(session, ports, index, sender, lines[index], f"{sender}-{index}")
            index += 1
        await asyncio.sleep(random.uniform(0, 0.05))


async def run_clients(ports, prefix, count, kill=None):
    lines = conversation()
    async with aiohttp.ClientSession(timeout=REQUEST_TIMEOUT) as session:
        clients = [client(session, ports, f"{prefix}-{n}", lines, two_in_flight=n % 4 == 0) for n in range(count)]
        if kill:
            clients.append(kill())
        await asyncio.gather(*clients)
    return [f"{prefix}-{n}" for n in range(count)], lines


def check_nothing_lost(database_url, senders, lines):
    engine = sa.create_engine(database_url)
    with engine.connect() as connection:
        for sender in senders:
            texts = [
                row[0]
                for row in connection.execute(
                    sa.text(
                        "SELECT data::json->>'text' FROM events WHERE sender_id = :s AND type_name = 'user' ORDER BY id"
                    ),
                    {"s": rest_id(sender)},
                )
            ]
            assert texts == lines, sender
            stored = connection.execute(
                sa.text("SELECT count(*) FROM intake_records WHERE conversation_id = :s"), {"s": rest_id(sender)}
            ).scalar()
            assert stored == 1, sender
    engine.dispose()


def test_forty_clients_on_two_servers_lose_nothing(cluster):
    senders, lines = asyncio.run(run_clients(cluster["ports"], f"scale-{uuid.uuid4().hex[:6]}", CLIENTS))
    check_nothing_lost(cluster["database_url"], senders, lines)


def test_a_server_killed_mid_run_loses_nothing(cluster):
    victim = cluster["servers"][cluster["ports"][1]]

    async def kill():
        await asyncio.sleep(4)
        os.kill(victim.pid, signal.SIGKILL)

    senders, lines = asyncio.run(run_clients(cluster["ports"], f"kill-{uuid.uuid4().hex[:6]}", CLIENTS, kill))
    assert victim.poll() is not None  # it really died mid-run
    check_nothing_lost(cluster["database_url"], senders, lines)
