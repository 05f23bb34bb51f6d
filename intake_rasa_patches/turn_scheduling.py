"""Turns run in arrival order, a few at a time per process.

Rasa answers every message that arrives at once, interleaved on one event loop: a
turn waits for the action server, and when the answer is back it queues behind every
other turn's work before it can go on. Under load a turn that calls the action server
twice waits three times as long as one that does not, whatever came first. Here at
most INTAKE_CONCURRENT_TURNS turns (2) are handled at once per process; the others
wait in the order they arrived. Two keep the processor busy while one waits for the
action server. (Messages of one conversation are already in order: Rasa's lock.)
"""

import asyncio
import os
import weakref
from typing import Any, Optional

from rasa.core.processor import MessageProcessor

CONCURRENT_TURNS = int(os.environ.get("INTAKE_CONCURRENT_TURNS", "2"))
_gates: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()  # per event loop
_original_handle_message = MessageProcessor.handle_message


def _gate() -> asyncio.Semaphore:
    """One per event loop (each Sanic worker process runs its own)."""
    loop = asyncio.get_running_loop()
    gate = _gates.get(loop)
    if gate is None:
        gate = _gates[loop] = asyncio.Semaphore(CONCURRENT_TURNS)
    return gate


async def handle_message(self: MessageProcessor, message: Any) -> Optional[Any]:
    async with _gate():
        return await _original_handle_message(self, message)


def install() -> None:
    if CONCURRENT_TURNS > 0:
        MessageProcessor.handle_message = handle_message
