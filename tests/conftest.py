"""Tracker fixtures for action tests, in the style of RasaHQ/financial-demo.

The tests run Rasa as the project's processes do: with its runtime changes installed
(intake_rasa_patches), or without them under INTAKE_RASA_PATCHES=off, when tests marked
`patched` (they test one of the changes itself) are skipped with the reason.
"""

import intake_rasa_patches

intake_rasa_patches.install()  # before anything imports Rasa's policies or spaCy

import asyncio  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any, Dict, List, Optional  # noqa: E402

import pytest  # noqa: E402
from rasa_sdk import Tracker  # noqa: E402
from rasa_sdk.executor import CollectingDispatcher  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
from tests.servers import MODEL_PATH  # noqa: E402,F401  (one definition, shared with the servers)


def pytest_collection_modifyitems(config, items) -> None:
    if intake_rasa_patches.enabled():
        return
    skip = pytest.mark.skip(reason=f"tests a runtime change; {intake_rasa_patches.SWITCH}=off runs Rasa's own")
    for item in items:
        if item.get_closest_marker("patched"):
            item.add_marker(skip)


@pytest.fixture(scope="session")
def domain() -> Dict[str, Any]:
    """The domain as Rasa merges it from domain/*.yml."""
    from rasa.shared.core.domain import Domain

    return Domain.load(str(ROOT / "domain")).as_dict()


@pytest.fixture
def dispatcher() -> CollectingDispatcher:
    return CollectingDispatcher()


def entity(kind: str, value: str) -> Dict[str, Any]:
    return {"entity": kind, "value": value, "start": 0, "end": 1}


def make_tracker(
    slots: Optional[Dict[str, Any]] = None,
    intent: str = "share_concern",
    entities: Optional[List[Dict[str, Any]]] = None,
    text: str = "some text",
    events: Optional[List[Dict[str, Any]]] = None,
    sender_id: str = "test-conversation",
) -> Tracker:
    latest = {"intent": {"name": intent, "confidence": 1.0}, "entities": entities or [], "text": text}
    return Tracker(
        sender_id=sender_id,
        slots=dict(slots or {}),
        latest_message=latest,
        events=events or [{"event": "user", "text": text, "parse_data": latest}],
        paused=False,
        followup_action=None,
        active_loop={},
        latest_action_name="action_listen",
    )


@pytest.fixture
def tracker_factory():
    return make_tracker


def responses(dispatcher: CollectingDispatcher) -> List[str]:
    return [m["response"] for m in dispatcher.messages]


@pytest.fixture(scope="session")
def parse():
    """Parses text with the trained model (make test trains it before pytest runs)."""
    from rasa.core.agent import Agent

    if not MODEL_PATH.exists():
        pytest.fail("no trained model: run `make test`, which trains it first")
    agent = Agent.load(str(MODEL_PATH))
    loop = asyncio.new_event_loop()
    yield lambda text: loop.run_until_complete(agent.parse_message(text))
    loop.close()
