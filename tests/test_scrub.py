"""Issue 15 M3: an erasure leaves no copy of what was deleted in the database files
(SQLite: the file and its -wal), and on PostgreSQL vacuums the tables it touched."""

import sqlite3
import uuid

import sqlalchemy as sa

from intake_stores.erasure import TrackerEvents
from intake_stores.intake_records import IntakeRecord, IntakeStore
from tests.test_intake_store import POSTGRES_URL, require_postgres

SECRET = "qwertz-disclosure-0417"


def test_staff_deletion_leaves_no_bytes_in_the_tracker_file_or_its_log(tmp_path):
    database = tmp_path / "tracker.db"
    writer = sqlite3.connect(database)
    writer.execute("PRAGMA journal_mode=WAL")
    writer.execute(
        "CREATE TABLE events (id INTEGER PRIMARY KEY, sender_id TEXT, type_name TEXT, timestamp REAL, data TEXT)"
    )
    for n in range(50):
        writer.execute(
            "INSERT INTO events (sender_id, type_name, timestamp, data) VALUES (?, 'user', 1.0, ?)",
            ("c1" if n % 2 else "c2", SECRET * 3),
        )
    writer.commit()
    writer.close()  # the last connection: SQLite copies the log into the file
    assert SECRET.encode() in database.read_bytes()
    # The Rasa server keeps its connections open: SQLite then neither checkpoints nor
    # removes the log when the deleting connection closes.
    server = sqlite3.connect(database)
    server.execute("SELECT count(*) FROM events").fetchall()  # idle afterwards, as a pooled connection
    try:
        events = TrackerEvents(f"sqlite:///{database}")
        assert events.delete("c1") == 25 and events.delete("c2") == 25
        for path in tmp_path.glob("tracker.db*"):
            assert SECRET.encode() not in path.read_bytes(), path.name
    finally:
        server.close()


def test_deleting_an_intake_record_zeroes_it_in_the_file(tmp_path):
    # (Debian's SQLite zeroes deleted rows by default; others need the pragma.)
    store = IntakeStore(f"sqlite:///{tmp_path}/intake.db")
    store.save(IntakeRecord(conversation_id="c1", presenting_problem=SECRET, concerns=["stress"]))
    assert SECRET.encode() in (tmp_path / "intake.db").read_bytes()
    assert store.delete_conversation("c1") == 1
    assert SECRET.encode() not in (tmp_path / "intake.db").read_bytes()


def test_a_postgresql_erasure_vacuums_the_table_it_touched():
    require_postgres()
    name = f"intake_scrub_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f"CREATE DATABASE {name}"))
    url = POSTGRES_URL.rsplit("/", 1)[0] + "/" + name
    try:
        store = IntakeStore(url)
        store.save(IntakeRecord(conversation_id="c1", presenting_problem=SECRET))
        assert store.delete_conversation("c1") == 1
        engine = sa.create_engine(url)
        with engine.connect() as connection:
            vacuumed = connection.execute(
                sa.text("SELECT last_vacuum FROM pg_stat_user_tables WHERE relname = 'intake_records'")
            ).scalar()
            # The deleted row's bytes are gone from the table file, not only dead.
            dead = connection.execute(
                sa.text("SELECT n_dead_tup FROM pg_stat_user_tables WHERE relname = 'intake_records'")
            ).scalar()
        engine.dispose()
        store._engine.dispose()
        assert vacuumed is not None and dead == 0
    finally:
        with admin.connect() as connection:
            connection.execute(sa.text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        admin.dispose()
