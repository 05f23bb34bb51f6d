"""Staff CLI and deletion that really deletes, on SQLite and on PostgreSQL: afterwards no
row in any table mentions the conversation id or the text the person typed."""

import datetime as dt
import json

import pytest
import sqlalchemy as sa
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, SessionStarted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from intake.__main__ import main
from intake_stores.intake_records import IntakeStore
from intake_stores.tracker_store import CachedSQLTrackerStore
from tests.conftest import ROOT
from tests.test_intake_store import POSTGRES_URL, a_record, require_postgres

SECRET = "my neighbour Zyxwv keeps me awake at night"


@pytest.fixture(scope="module")
def domain():
    return Domain.load(str(ROOT / "domain"))


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request, tmp_path, monkeypatch):
    """One database holding both the tracker store's events and the intake records."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path}/all.db"
        tracker_kwargs = {"dialect": "sqlite", "db": str(tmp_path / "all.db")}
    else:
        require_postgres()
        url = POSTGRES_URL
        tracker_kwargs = {
            "dialect": "postgresql",
            "host": "127.0.0.1",
            "port": 5432,
            "db": "test",
            "username": "postgres",
        }
        with sa.create_engine(url).begin() as connection:
            connection.execute(
                sa.text("DROP TABLE IF EXISTS intake_records, events, notification_outbox, safety_records")
            )
    monkeypatch.setenv("INTAKE_DATABASE_URL", url)
    monkeypatch.setenv("INTAKE_TRACKER_URL", url)
    yield url, tracker_kwargs


def rows_mentioning(url, *needles):
    engine = sa.create_engine(url)
    found = []
    with engine.connect() as connection:
        for table in sa.inspect(connection).get_table_names():
            for row in connection.execute(sa.text(f"SELECT * FROM {table}")):
                text = json.dumps([str(v) for v in row])
                found += [(table, n) for n in needles if n in text]
    return found


async def a_conversation(domain, tracker_kwargs, sender, text=SECRET):
    store = CachedSQLTrackerStore(domain=domain, **tracker_kwargs)
    tracker = DialogueStateTracker(sender, domain.slots)
    for event in [
        ActionExecuted("action_session_start"),
        SessionStarted(),
        ActionExecuted("action_listen"),
        UserUttered(text, {"name": "share_concern", "confidence": 1.0}),
        SlotSet("presenting_problem", text),
    ]:
        tracker.update(event)
    await store.save(tracker)
    return store, tracker


async def test_staff_delete_removes_record_and_conversation(database, domain, capsys):
    url, tracker_kwargs = database
    await a_conversation(domain, tracker_kwargs, "conv-del")
    await a_conversation(domain, tracker_kwargs, "conv-keep", text="something else entirely")
    IntakeStore(url).save(a_record("conv-del", presenting_problem=SECRET))
    IntakeStore(url).save(a_record("conv-keep"))
    assert rows_mentioning(url, "conv-del", SECRET)
    assert main(["delete", "conv-del"]) == 0
    assert rows_mentioning(url, "conv-del", "Zyxwv") == []
    assert rows_mentioning(url, "conv-keep")  # nothing else is touched


async def test_the_persons_own_deletion_erases_the_conversation(database, domain):
    url, tracker_kwargs = database
    store, tracker = await a_conversation(domain, tracker_kwargs, "conv-self")
    tracker.update(SlotSet("erase_conversation", True))  # what action_delete_my_data returns
    await store.save(tracker)
    assert rows_mentioning(url, "conv-self", "Zyxwv") == []


async def test_purge_applies_the_retention_period(database, domain, capsys):
    url, tracker_kwargs = database
    store = IntakeStore(url)
    store.save(a_record("old"))
    store.save(a_record("new"))
    old_time = dt.datetime.now(dt.timezone.utc) - dt.timedelta(days=120)
    with sa.create_engine(url).begin() as connection:
        connection.execute(
            sa.text("UPDATE intake_records SET created_at = :t WHERE conversation_id = 'old'"), {"t": old_time}
        )
    assert main(["purge"]) == 0  # default: 90 days
    assert [r.conversation_id for r in store.all()] == ["new"]


async def test_conversations_without_consent_are_purged_after_their_session(database, domain):
    url, tracker_kwargs = database
    store, tracker = await a_conversation(domain, tracker_kwargs, "no-consent")
    tracker.update(SlotSet("consent_given", False))
    await store.save(tracker)
    with sa.create_engine(url).begin() as connection:
        connection.execute(sa.text("UPDATE events SET timestamp = timestamp - 7200 WHERE sender_id = 'no-consent'"))
    assert main(["purge"]) == 0
    assert rows_mentioning(url, "no-consent", "Zyxwv") == []


def test_list_show_and_export(database, capsys, tmp_path):
    url, _ = database
    store = IntakeStore(url)
    store.save(a_record("calm-1"))
    store.save(a_record("urgent-1", risk_flag=True))
    assert main(["list"]) == 0
    listing = capsys.readouterr().out
    assert listing.index("URGENT") < listing.index("stress, work, isolation\n", listing.index("URGENT") + 1)
    assert "2 record(s)" in listing
    assert main(["list", "--urgent"]) == 0
    assert "1 record(s)" in capsys.readouterr().out
    assert main(["show", "urgent-1"]) == 0
    summary = capsys.readouterr().out
    assert summary.index("URGENT") < summary.index("Presenting concerns")
    assert "interpersonal deficits" in summary and "not a diagnosis" in summary and "Tuesday and Thursday" in summary
    for fmt, marker in (
        ("json", '"conversation_id": "calm-1"'),
        ("csv", "conversation_id,"),
        ("markdown", "# Intake summary"),
    ):
        assert main(["export", "--format", fmt]) == 0
        assert marker in capsys.readouterr().out
    target = tmp_path / "export.json"
    assert main(["export", "--format", "json", "--output", str(target)]) == 0
    assert len(json.loads(target.read_text())) == 2


def test_errors_are_one_line_with_a_non_zero_exit(database, capsys, monkeypatch):
    assert main(["show", "no-such-record"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("intake: no intake record") and err.count("\n") == 1
    monkeypatch.setenv("INTAKE_DATABASE_URL", "postgresql://nobody@127.0.0.1:1/none")
    assert main(["list"]) == 1
    assert capsys.readouterr().err.startswith("intake: database error")
    with pytest.raises(SystemExit) as usage:
        main(["export", "--format", "xml"])
    assert usage.value.code == 2
