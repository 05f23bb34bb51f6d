"""A store that does not answer fails the turn, visibly; it never loses it silently.

Rasa 3.6 wraps the tracker store in a FailSafeTrackerStore: when the database does not
answer, a read returns nothing (the turn starts a new conversation) and a save goes to
memory (lost), and the error is logged with the database's message, which can quote
the SQL with the person's words. Here each of its calls raises StoreUnavailable (the
error's type only) instead, and the channels answer the person
(intake_channels/outage.py).

Every channel Rasa registers gets its messages through intake_channels.outage.outage_safe
(the crisis response or the apology, never silence), the server gets GET /ready
(intake_channels/readiness.py), and, once started, replays crisis turns kept during an
outage every few seconds.
"""

import logging
from typing import Any, List, Optional, Text
from urllib.parse import urljoin

from rasa.core import tracker_store as rasa_tracker_store
from rasa.core.channels import channel as rasa_channel

from intake_channels import readiness
from intake_channels.outage import StoreUnavailable, keep_replaying, outage_safe

logger = logging.getLogger(__name__)

FailSafe = rasa_tracker_store.FailSafeTrackerStore


def _unavailable(error: Exception) -> StoreUnavailable:
    logger.error("The tracker store did not answer (%s)", type(error).__name__)
    return StoreUnavailable(f"tracker store unavailable ({type(error).__name__})")


async def retrieve(self: Any, sender_id: Text) -> Optional[Any]:
    try:
        return await self._tracker_store.retrieve(sender_id)
    except Exception as error:
        raise _unavailable(error) from None


async def retrieve_full_tracker(self: Any, sender_id: Text) -> Optional[Any]:
    try:
        return await self._tracker_store.retrieve_full_tracker(sender_id)
    except Exception as error:
        raise _unavailable(error) from None


async def save(self: Any, tracker: Any) -> None:
    try:
        await self._tracker_store.save(tracker)
    except Exception as error:
        raise _unavailable(error) from None


async def keys(self: Any) -> Any:
    try:
        return await self._tracker_store.keys()
    except Exception as error:
        raise _unavailable(error) from None


def register(input_channels: List[Any], app: Any, route: Optional[Text]) -> None:
    """Rasa's channel.register, with every channel's messages outage-safe, /ready and
    the replay of kept turns."""

    async def handler(message: Any) -> None:
        await app.ctx.agent.handle_message(message)

    safe_handler = outage_safe(handler)
    for input_channel in input_channels:
        prefix = urljoin(route, input_channel.url_prefix()) if route else None
        app.blueprint(input_channel.blueprint(safe_handler), url_prefix=prefix)
    app.ctx.input_channels = input_channels

    readiness.add_route(app)

    async def start_replaying(app: Any, loop: Any) -> None:
        app.ctx.intake_replaying = loop.create_task(keep_replaying(app))

    async def stop_replaying(app: Any, _loop: Any) -> None:
        task = getattr(app.ctx, "intake_replaying", None)
        if task is not None:
            task.cancel()

    app.register_listener(start_replaying, "after_server_start")
    app.register_listener(stop_replaying, "before_server_stop")


def install() -> None:
    FailSafe.retrieve = retrieve
    FailSafe.retrieve_full_tracker = retrieve_full_tracker
    FailSafe.save = save
    FailSafe.keys = keys
    rasa_channel.register = register
