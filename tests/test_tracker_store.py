"""The cached SQL tracker store returns what the database holds, whoever wrote it."""

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, SessionStarted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from intake_stores.tracker_store import CachedSQLTrackerStore
from tests.conftest import ROOT


@pytest.fixture(scope="module")
def domain():
    return Domain.load(str(ROOT / "domain"))


def store(domain, path):
    return CachedSQLTrackerStore(domain=domain, dialect="sqlite", db=str(path))


def a_tracker(domain, sender="conv"):
    tracker = DialogueStateTracker(sender, domain.slots)
    for event in [
        ActionExecuted("action_session_start"),
        SessionStarted(),
        ActionExecuted("action_listen"),
        UserUttered("hello", {"name": "greet", "confidence": 1.0}),
    ]:
        tracker.update(event)
    return tracker


def texts(tracker):
    return [e.text for e in tracker.events if isinstance(e, UserUttered)]


async def test_turns_are_stored_once_and_in_order(domain, tmp_path):
    first = store(domain, tmp_path / "t.db")
    tracker = a_tracker(domain)
    await first.save(tracker)
    for text in ["one", "two", "three"]:
        tracker = await first.retrieve("conv")
        tracker.update(UserUttered(text, {"name": "share_concern", "confidence": 1.0}))
        await first.save(tracker)
    fresh = store(domain, tmp_path / "t.db")  # a new process: nothing cached
    assert texts(await fresh.retrieve("conv")) == ["hello", "one", "two", "three"]


async def test_a_write_by_another_process_is_seen(domain, tmp_path):
    mine, other = store(domain, tmp_path / "t.db"), store(domain, tmp_path / "t.db")
    await mine.save(a_tracker(domain))
    assert texts(await mine.retrieve("conv")) == ["hello"]
    theirs = await other.retrieve("conv")
    theirs.update(UserUttered("from the other server", {"name": "greet", "confidence": 1.0}))
    await other.save(theirs)
    tracker = await mine.retrieve("conv")
    assert texts(tracker) == ["hello", "from the other server"]
    tracker.update(UserUttered("back here", {"name": "greet", "confidence": 1.0}))
    await mine.save(tracker)
    assert texts(await store(domain, tmp_path / "t.db").retrieve("conv")) == [
        "hello",
        "from the other server",
        "back here",
    ]


async def test_changes_that_were_not_saved_are_not_returned(domain, tmp_path):
    mine = store(domain, tmp_path / "t.db")
    await mine.save(a_tracker(domain))
    tracker = await mine.retrieve("conv")
    tracker.update(SlotSet("concerns", ["stress"]))  # e.g. a turn that failed before saving
    again = await mine.retrieve("conv")
    assert again.get_slot("concerns") is None


async def test_a_deleted_conversation_is_gone(domain, tmp_path):
    mine = store(domain, tmp_path / "t.db")
    await mine.save(a_tracker(domain))
    assert await mine.retrieve("conv") is not None
    with mine.session_scope() as session:
        session.query(mine.SQLEvent).filter(mine.SQLEvent.sender_id == "conv").delete()
        session.commit()
    assert await mine.retrieve("conv") is None


async def test_memory_holds_the_latest_conversations_and_older_ones_are_read_back(domain, tmp_path):
    """The server's memory does not grow with every conversation it has served: it keeps
    the `cache_size` it handled last, and an older one continues from the database."""
    small = CachedSQLTrackerStore(domain=domain, dialect="sqlite", db=str(tmp_path / "t.db"), cache_size=3)
    for n in range(5):
        await small.save(a_tracker(domain, sender=f"conv-{n}"))
    assert len(small._cache) == 3
    oldest = await small.retrieve("conv-0")
    oldest.update(UserUttered("still here", {"name": "share_concern", "confidence": 1.0}))
    await small.save(oldest)
    assert texts(await store(domain, tmp_path / "t.db").retrieve("conv-0")) == ["hello", "still here"]
    assert len(small._cache) == 3
