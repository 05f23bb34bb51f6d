"""GET /ready: whether this Rasa server can take a turn, and what it depends on.

200 when the tracker store and the lock store answer, 503 otherwise (a turn would be
answered with the outage apology). The action server and the intake database (asked
through the action server's own /ready) are reported too; without them the
conversation still goes on (intake_rasa_patches/action_server_guard.py), so they do not
make the server unready. Each check gives up after CHECK_SECONDS. Nothing about any
conversation is in the answer, so it needs no token (probes have none).
"""

import asyncio
from typing import Any, Dict, Optional, Text

import aiohttp
import sqlalchemy as sa
from sanic import Sanic, response

from intake_stores.spool import OutageSpool

CHECK_SECONDS = 2.0
OK, UNAVAILABLE, UNKNOWN = "ok", "unavailable", "unknown"


def _unwrapped(store: Any) -> Any:
    """The configured store inside Rasa's wrappers (FailSafe-, AwaitableTrackerStore)."""
    while hasattr(store, "_tracker_store"):
        store = store._tracker_store
    return store


def _tracker_store_answers(store: Any) -> bool:
    engine = getattr(_unwrapped(store), "engine", None)
    if engine is None:
        return True  # in memory
    with engine.connect() as connection:
        connection.execute(sa.text("SELECT 1"))
    return True


def _lock_store_answers(store: Any) -> bool:
    client = getattr(store, "red", None)
    return True if client is None else bool(client.ping())


async def _check(function: Any, *args: Any) -> Text:
    loop = asyncio.get_running_loop()
    try:
        answered = await asyncio.wait_for(loop.run_in_executor(None, function, *args), CHECK_SECONDS)
        return OK if answered else UNAVAILABLE
    except Exception:
        return UNAVAILABLE


async def _action_server(endpoint: Optional[Any]) -> Dict[Text, Text]:
    if endpoint is None or not endpoint.url:
        return {"action_server": UNKNOWN, "intake_db": UNKNOWN}
    url = endpoint.url.rsplit("/webhook", 1)[0] + "/ready"
    try:
        timeout = aiohttp.ClientTimeout(total=CHECK_SECONDS)
        async with aiohttp.ClientSession(timeout=timeout) as session:
            async with session.get(url) as answer:
                body = await answer.json(content_type=None) if answer.status in (200, 503) else {}
                database = body.get("intake_db", UNKNOWN) if isinstance(body, dict) else UNKNOWN
                return {"action_server": OK, "intake_db": database}
    except Exception:
        return {"action_server": UNAVAILABLE, "intake_db": UNKNOWN}


async def readiness(agent: Any, spool: Optional[OutageSpool] = None) -> Dict[Text, Any]:
    if agent is None or not agent.is_ready():
        return {"status": "loading"}
    tracker, lock, actions = await asyncio.gather(
        _check(_tracker_store_answers, agent.tracker_store),
        _check(_lock_store_answers, agent.lock_store),
        _action_server(agent.action_endpoint),
    )
    report = {
        "tracker_store": tracker,
        "lock_store": lock,
        **actions,
        "spooled_turns": len((spool or OutageSpool()).pending()),
    }
    report["status"] = "ready" if tracker == OK and lock == OK else "unavailable"
    return report


def add_route(app: Sanic, spool: Optional[OutageSpool] = None) -> None:
    async def ready(request):
        report = await readiness(getattr(request.app.ctx, "agent", None), spool)
        return response.json(report, status=200 if report["status"] == "ready" else 503)

    app.add_route(ready, "/ready", methods=["GET"], name="intake_ready")
