"""AtomicRedisLockStore (intake_stores/lock_store.py) against the Redis at 127.0.0.1:6379: the
messages of one conversation are handled one at a time, in the order their tickets
were issued, by any number of servers; a crashed holder's ticket expires."""

import asyncio
import os
import uuid

import pytest
import redis
from rasa.core.lock_store import LockError, LockStore
from rasa.utils.endpoints import EndpointConfig

from intake_stores.lock_store import AtomicRedisLockStore

REDIS_DB = 5


@pytest.fixture
def stores():
    """Two stores, as two servers would have, sharing one Redis."""
    try:
        redis.Redis(host="127.0.0.1", port=6379, db=REDIS_DB, socket_timeout=2).ping()
    except redis.exceptions.ConnectionError:
        if os.environ.get("CI") or os.environ.get("INTAKE_REQUIRE_POSTGRES"):
            pytest.fail("Redis at 127.0.0.1:6379 is required in CI but unreachable")
        pytest.skip("Redis at 127.0.0.1:6379 is not reachable")
    prefix = "test" + uuid.uuid4().hex[:8]
    made = [AtomicRedisLockStore(host="127.0.0.1", port=6379, db=REDIS_DB, key_prefix=prefix) for _ in range(2)]
    yield made
    for key in made[0].red.scan_iter(made[0].key_prefix + "*"):
        made[0].red.delete(key)


async def test_one_message_of_a_conversation_at_a_time_in_ticket_order(stores):
    inside, order = [], []

    async def handle(number):
        store = stores[number % 2]  # alternate servers
        async with store.lock("conversation", wait_time_in_seconds=0.01):
            inside.append(number)
            assert len(inside) == 1, "two messages of one conversation at once"
            order.append(number)
            await asyncio.sleep(0.005)
            inside.remove(number)

    tasks = []
    for number in range(30):
        tasks.append(asyncio.create_task(handle(number)))
        await asyncio.sleep(0)  # each issues its ticket before the next starts
    await asyncio.gather(*tasks)
    assert order == list(range(30))


async def hold_and_release(store, conversation, **options):
    """Takes the conversation's lock and gives it back; returns the seconds it waited."""
    loop = asyncio.get_running_loop()
    started = loop.time()
    async with store.lock(conversation, **options):
        return loop.time() - started


async def test_other_conversations_do_not_wait(stores):
    async with stores[0].lock("first"):
        # Waiting for "first", held until this block ends, would never end: the timeout
        # turns that regression into a failure instead of a hang.
        waited = await asyncio.wait_for(hold_and_release(stores[1], "second", wait_time_in_seconds=5), timeout=3)
    assert waited < 1  # one poll would already take 5 s


async def test_a_crashed_holders_ticket_expires(stores):
    store = stores[0]
    store.issue("conversation", lock_lifetime=0.3)  # a server that died holding it
    started = asyncio.get_running_loop().time()
    async with stores[1].lock("conversation", wait_time_in_seconds=0.05):
        waited = asyncio.get_running_loop().time() - started
    assert 0.2 < waited < 2


async def test_a_ticket_that_expired_while_waiting_is_an_error(stores):
    stores[0].issue("conversation", lock_lifetime=5)
    with pytest.raises(LockError):
        async with stores[1].lock("conversation", lock_lifetime=0.1, wait_time_in_seconds=0.2):
            pass


async def test_nothing_is_left_queued(stores):
    async with stores[0].lock("conversation"):
        pass
    queue = stores[0]._keys("conversation")[1]
    assert not stores[0].red.exists(queue)


def test_it_is_made_from_the_endpoints_file():
    config = EndpointConfig(
        url="127.0.0.1",
        type="intake_stores.lock_store.AtomicRedisLockStore",
        port=6379,
        db=REDIS_DB,
        key_prefix="intake",
    )
    store = LockStore.create(config)
    assert isinstance(store, AtomicRedisLockStore) and store.key_prefix == "intake:lock:"


async def test_a_message_waiting_longer_than_the_lifetime_is_still_served(stores):
    """Behind a ticket of a server that died: the waiting ticket, issued later, must not
    expire while it waits (it is renewed at every check)."""
    stores[0].issue("conversation", lock_lifetime=1.0)  # the dead server's
    await asyncio.sleep(0.3)
    waited = await asyncio.wait_for(
        hold_and_release(stores[1], "conversation", lock_lifetime=1.0, wait_time_in_seconds=0.6), timeout=10
    )
    assert 0.5 < waited < 5  # served once the dead server's ticket expired (0.7 s later), not before


async def test_a_message_that_need_not_wait_takes_two_round_trips(stores, monkeypatch):
    """Issue-and-check, then return: each turn waits on Redis twice, not three times."""
    store = stores[0]
    async with store.lock("warm-up"):
        pass  # Redis has the scripts from now on (the first call may load them)
    sent = []
    execute = store.red.execute_command
    monkeypatch.setattr(store.red, "execute_command", lambda *args, **kw: sent.append(args[0]) or execute(*args, **kw))
    async with store.lock("quiet"):
        assert sent == ["EVALSHA"]
    assert sent == ["EVALSHA", "EVALSHA"]
    assert not list(store.red.scan_iter(store.key_prefix + "quiet:queue"))
