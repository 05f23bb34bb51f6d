"""Turns are handled in arrival order, at most INTAKE_CONCURRENT_TURNS at once per
process (intake_rasa_patches/turn_scheduling.py)."""

import asyncio

import pytest
from rasa.core.processor import MessageProcessor

from intake_rasa_patches import turn_scheduling

pytestmark = pytest.mark.patched


async def test_turns_start_in_arrival_order_a_few_at_a_time(monkeypatch):
    running, most, started = [], [], []

    async def handle(self, message):
        started.append(message)
        running.append(message)
        most.append(len(running))
        await asyncio.sleep(0.01)  # waiting for the action server
        running.remove(message)
        return [message]

    monkeypatch.setattr(turn_scheduling, "_original_handle_message", handle)
    assert MessageProcessor.handle_message is turn_scheduling.handle_message
    replies = await asyncio.gather(*(MessageProcessor.handle_message(None, n) for n in range(12)))
    assert replies == [[n] for n in range(12)]
    assert started == list(range(12))
    assert max(most) == turn_scheduling.CONCURRENT_TURNS == 2
