"""Tracker fixtures for action tests, in the style of RasaHQ/financial-demo."""
import asyncio
from pathlib import Path
from typing import Any, Dict, List, Optional

import pytest
import yaml
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

ROOT = Path(__file__).resolve().parent.parent
MODEL_PATH = ROOT / "models" / "intake.tar.gz"


@pytest.fixture(scope="session")
def domain() -> Dict[str, Any]:
    return yaml.safe_load((ROOT / "domain.yml").read_text())


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
