"""Keep-alive clients spread evenly over a server's Sanic worker processes.

With SANIC_WORKERS > 1 the workers share one listening socket and the kernel hands
each new connection to whichever accepts first; a keep-alive client then stays with
that worker for good. 20 clients split 13/7 give one worker nearly twice the queue of
the other, and its clients wait nearly twice as long (measured at 20 clients: mean
latency 186 ms for the 13, 100 ms for the 7; the p95 of all turns follows the 13).

Each worker counts the connections it holds (Sanic's connection signals) in memory
shared by the workers (created before Sanic forks them). A worker holding more than
its fair share (ceil(all connections / live workers)) answers the current webhook
request with `Connection: close`; the client reconnects for its next message, and the
new connection goes to whichever worker accepts it first, usually the less busy one.
Nothing changes with one worker, and no request is refused or delayed: only the
connection after the reply is closed.
"""

import math
import multiprocessing
import os
from typing import Any, Tuple

MAX_WORKERS = 64
# Slot i: (pid, connections) of one worker, pid 0 when free. Created when this module
# is imported, which is in the main process before the workers are forked (channels are
# loaded first), so all workers share it.
_slots = multiprocessing.RawArray("q", 2 * MAX_WORKERS)
_claim = multiprocessing.Lock()


def _my_slot() -> int:
    pid = os.getpid()
    for slot in range(MAX_WORKERS):
        if _slots[2 * slot] == pid:
            return slot
    with _claim:
        for slot in range(MAX_WORKERS):
            if _slots[2 * slot] in (0, pid):
                _slots[2 * slot] = pid
                return slot
    return -1


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)  # signal 0: only asks whether the process exists
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # it exists (another user's)
    return True


def publish(connections: int) -> Tuple[int, int]:
    """Records this worker's connection count; returns (all connections, live workers)."""
    slot = _my_slot()
    if slot >= 0:
        _slots[2 * slot + 1] = connections
    total = workers = 0
    for index in range(MAX_WORKERS):
        pid = _slots[2 * index]
        if pid and (index == slot or _alive(pid)):  # a worker that died no longer counts
            workers += 1
            total += _slots[2 * index + 1]
    return total, max(workers, 1)


def over_fair_share(connections: int) -> bool:
    total, workers = publish(connections)
    return connections > math.ceil(total / workers)


_open_connections = 0  # this worker's (each worker process has its own copy)


async def _connection_opened(**_context: Any) -> None:
    global _open_connections
    _open_connections += 1
    publish(_open_connections)


async def _connection_closed(**_context: Any) -> None:
    global _open_connections
    _open_connections -= 1
    publish(_open_connections)


async def _register(_app: Any, _loop: Any) -> None:
    """The worker counts from its start, before any connection (else the others,
    holding every connection, would not know it is there to take some)."""
    publish(_open_connections)


async def _close_if_over_share(request: Any, _response: Any) -> None:
    if over_fair_share(_open_connections):
        request.stream.keep_alive = False  # sanic.http.Http: answers `Connection: close`


def install(blueprint: Any) -> None:
    """On a channel's blueprint: Sanic's connection signals keep the count; the
    blueprint's replies say `Connection: close` while this worker holds too many."""
    blueprint.signal("http.lifecycle.begin")(_connection_opened)
    blueprint.signal("http.lifecycle.complete")(_connection_closed)
    blueprint.listener("after_server_start")(_register)
    blueprint.middleware(_close_if_over_share, "response")
