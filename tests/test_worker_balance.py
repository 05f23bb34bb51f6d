"""With several Sanic workers, keep-alive clients end up spread evenly over them
(intake_channels/worker_balance.py)."""

import asyncio
import collections
import multiprocessing
import time
import urllib.request

import aiohttp

from intake_channels import worker_balance
from tests.servers import PYTHON, ROOT, free_port, process, signed, wait_for


async def _rounds(session: aiohttp.ClientSession, url: str, clients: int, rounds: int) -> list:
    """Each client sends `rounds` messages one after another; the workers of the last round."""
    last = [None] * clients

    async def client(number: int) -> None:
        for turn in range(rounds):
            async with session.post(url, json={"sender": signed(f"c{number}"), "message": f"turn {turn}"}) as reply:
                assert reply.status == 200
                last[number] = (await reply.json())[0]["text"]

    await asyncio.gather(*(client(number) for number in range(clients)))
    return last


def _wait_for_both_workers(port: int) -> None:
    """Each request on a new connection, until both workers have answered."""
    seen, deadline = set(), time.monotonic() + 30
    while len(seen) < 2:
        assert time.monotonic() < deadline, "the second worker did not start"
        seen.add(urllib.request.urlopen(f"http://127.0.0.1:{port}/worker", timeout=5).read())
        time.sleep(0.01)


def test_clients_that_all_connected_to_one_worker_are_spread_over_both(tmp_path):
    port = free_port()
    # Many rounds per conversation within seconds: no per-conversation rate limit here.
    with process(
        [PYTHON, str(ROOT / "tests" / "balance_server.py"), str(port)],
        tmp_path / "server.log",
        extra_env={"INTAKE_RATE_LIMIT": "100000/1"},
    ):
        wait_for(f"http://127.0.0.1:{port}/webhooks/rest/")
        _wait_for_both_workers(port)

        async def scenario() -> tuple:
            url = f"http://127.0.0.1:{port}/webhooks/rest/webhook"
            async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=20)) as clients:
                async with aiohttp.ClientSession() as blocker:
                    busy = asyncio.create_task(blocker.get(f"http://127.0.0.1:{port}/block"))
                    await asyncio.sleep(0.3)  # one worker is blocked: the other accepts every connection
                    first = await _rounds(clients, url, 20, 1)
                    (await busy).close()
                # The same 20 keep-alive connections go on.
                return first, await _rounds(clients, url, 20, 40)

        first, last = asyncio.run(scenario())
    assert len(set(first)) == 1, f"the set-up did not pin the clients to one worker: {collections.Counter(first)}"
    counts = collections.Counter(last)
    assert len(counts) == 2 and min(counts.values()) >= 8, f"clients per worker at the end: {counts}"


def _publish_from_another_worker(connections: int, done) -> None:
    worker_balance.publish(connections)
    done.set()
    time.sleep(2)  # stays alive, as a worker does, while the other reads


def test_a_worker_over_its_fair_share_is_told_so_and_one_at_or_under_it_is_not():
    """Two workers share the counts (forked after the module was loaded)."""
    context = multiprocessing.get_context("fork")  # as Sanic starts its workers
    done = context.Event()
    other = context.Process(target=_publish_from_another_worker, args=(13, done))
    other.start()
    try:
        assert done.wait(10)
        assert worker_balance.publish(7) == (20, 2)
        assert not worker_balance.over_fair_share(7)
        assert not worker_balance.over_fair_share(13)  # 13 of 26: its share
        assert worker_balance.over_fair_share(15)  # 15 of 28: one more than its share
    finally:
        other.terminate()
        other.join()
    assert worker_balance.publish(7) == (7, 1)  # the other worker is gone
    assert not worker_balance.over_fair_share(20)
