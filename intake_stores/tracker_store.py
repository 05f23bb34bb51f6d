"""The SQL tracker store, with the conversations it handled last kept in memory.

Rasa's SQLTrackerStore rebuilds the whole tracker from the database on every message
and counts the stored events again before every save: about a third of a turn here,
growing with the conversation. This store keeps the trackers it saved and, on each
read, asks the database only for the conversation's newest event id: when it is the
one this store wrote last (no other process wrote, nothing was deleted) and the cached
tracker was not changed without being saved, the cached tracker is used. Anything
else reads from the database as before. Saving a tracker read that way appends its
new events without counting the stored ones; the conversation's lock keeps other
writers out between the read and the save.

A turn that sets the slot `erase_conversation` (the person asked for their data to be
deleted) removes every stored event of the conversation instead of saving.

On SQLite it also turns on write-ahead logging with synchronous=NORMAL: a commit no
longer waits for the disk twice, and a crash of the process loses nothing committed
(a power cut may lose the last transactions); and it keeps its connections open in a
pool (SQLAlchemy 1.4 opens a new SQLite connection for every session otherwise).
New events are written with one multi-row INSERT rather than one ORM object each.

An error inside one conversation's database session fails that call alone: Rasa's
session_scope turns any ValueError into "Exiting application" (meant for a missing
PostgreSQL schema), and a lone surrogate or a NUL in one conversation's data raises
ValueError too, which stopped the server for everybody (issue 15, C1).
On SQLite the store makes its file's directory (0700) and the file (0600) when they are
missing, and refuses to start when it cannot create its table (Rasa would log an error
and keep every conversation in memory instead). An erasure zeroes what it deleted and
empties the write-ahead log (intake_stores/scrub.py); on PostgreSQL it vacuums.
"""

import contextlib
import json
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any, Dict, List, Optional, Text

import rasa.shared.utils.cli
import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore, ensure_schema_exists
from rasa.shared.core.events import SessionStarted
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY

from intake.private_files import private_sqlite_file
from intake_stores.safety_escalation import SafetyEscalation
from intake_stores.scrub import scrub_after_delete, secure_delete_on

ERASE_SLOT = "erase_conversation"
# Conversations kept in memory (endpoints.yml's `cache_size` to change). A finished seed
# conversation takes about 0.27 MB; the cache only pays while a conversation is going
# on, and 200 is twice the most conversations the load benchmark holds at once.
CACHE_SIZE = 200


@dataclass
class _Cached:
    tracker: DialogueStateTracker
    stored_events: int  # len(tracker.events) when it was last read or saved
    latest_event_id: Optional[int]


def _tune_sqlite(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()
    secure_delete_on(dbapi_connection)


class TrackerStoreNotCreated(RuntimeError):
    """The store cannot create its table: the server must not start without it."""


class CachedSQLTrackerStore(SQLTrackerStore):
    def __init__(self, *args: Any, cache_size: int = CACHE_SIZE, **kwargs: Any) -> None:
        if kwargs.get("dialect", "sqlite") == "sqlite" and "://" not in str(kwargs.get("host") or ""):
            database = kwargs.get("db", "rasa.db")
            try:
                private_sqlite_file(database)
            except OSError as error:
                raise TrackerStoreNotCreated(
                    f"The tracker store cannot create its database file {database} ({error.strerror}): "
                    "the server does not start without it (it would keep conversations in memory only)."
                ) from None
        super().__init__(*args, **kwargs)
        if not sa.inspect(self.engine).has_table(self.SQLEvent.__tablename__):
            raise TrackerStoreNotCreated(
                f"The tracker store could not create its table in {self.engine.url.render_as_string()}: "
                "check that the database is reachable and writable (Rasa would otherwise keep every "
                "conversation in memory only)."
            )
        self._cache: "OrderedDict[Text, _Cached]" = OrderedDict()
        self._cache_size = int(cache_size)
        self._escalation = SafetyEscalation.from_environment()  # urgent safety records, staff notifications
        if self.engine.dialect.name == "sqlite":
            url = self.engine.url
            self.engine.dispose()
            self.engine = sa.create_engine(url, poolclass=sa.pool.QueuePool, connect_args={"check_same_thread": False})
            sa.event.listen(self.engine, "connect", _tune_sqlite)
            self.sessionmaker = sa.orm.session.sessionmaker(bind=self.engine)
        events = self.SQLEvent.__table__
        self._latest_id_query = sa.select(sa.func.max(events.c.id)).where(
            events.c.sender_id == sa.bindparam("sender_id")
        )

    @contextlib.contextmanager
    def session_scope(self) -> Any:
        """Rasa's, with only a missing schema ending the process (see the module docstring)."""
        session = self.sessionmaker()
        try:
            try:
                ensure_schema_exists(session)
            except ValueError as schema:
                rasa.shared.utils.cli.print_error_and_exit(
                    f"Requested PostgreSQL schema '{schema}' was not found in the database. Exiting application."
                )
            yield session
        finally:
            session.close()

    def _latest_event_id(self, connection: Any, sender_id: Text) -> Optional[int]:
        """The newest stored event id of the conversation (a session or a connection)."""
        return connection.execute(self._latest_id_query, {"sender_id": sender_id}).scalar()

    def _remember(self, sender_id: Text, entry: _Cached) -> None:
        self._cache[sender_id] = entry
        self._cache.move_to_end(sender_id)
        while len(self._cache) > self._cache_size:
            self._cache.popitem(last=False)

    def _fresh(self, sender_id: Text, latest_event_id: Optional[int]) -> Optional[_Cached]:
        entry = self._cache.get(sender_id)
        if (
            entry is not None
            and latest_event_id is not None
            and entry.latest_event_id == latest_event_id
            and len(entry.tracker.events) == entry.stored_events
        ):
            return entry
        return None

    async def retrieve(self, sender_id: Text) -> Optional[DialogueStateTracker]:
        with self.engine.connect() as connection:
            latest = self._latest_event_id(connection, sender_id)
        entry = self._fresh(sender_id, latest)
        if entry is not None:
            self._cache.move_to_end(sender_id)
            return entry.tracker
        tracker = await super().retrieve(sender_id)
        if tracker is None:
            self._cache.pop(sender_id, None)
        else:
            self._remember(sender_id, _Cached(tracker, len(tracker.events), latest))
        return tracker

    async def save(self, tracker: DialogueStateTracker) -> None:
        entry = self._cache.get(tracker.sender_id)
        if tracker.get_slot(ERASE_SLOT):
            # The person asked for their data to be deleted: remove every event instead.
            with self.session_scope() as session:
                session.query(self.SQLEvent).filter(self.SQLEvent.sender_id == tracker.sender_id).delete()
                session.commit()
            self._cache.pop(tracker.sender_id, None)
            scrub_after_delete(self.engine, [self.SQLEvent.__tablename__])
            return
        await self.stream_events(tracker)
        if entry is not None and entry.tracker is tracker:
            # Read fresh at the start of this turn, under the conversation's lock.
            new_events = list(tracker.events)[entry.stored_events :]
            with self.engine.begin() as connection:
                latest = self._insert(connection, tracker.sender_id, new_events, entry.latest_event_id)
        else:
            with self.session_scope() as session:
                new_events = list(self._additional_events(session, tracker))
                latest = self._latest_event_id(session, tracker.sender_id)
                latest = self._insert(session, tracker.sender_id, new_events, latest)
                session.commit()
        self._escalation.after_save(tracker)
        if sum(1 for event in tracker.events if isinstance(event, SessionStarted)) > 1:
            # A new session began: a fresh read returns only its events, so start there.
            self._cache.pop(tracker.sender_id, None)
        else:
            self._remember(tracker.sender_id, _Cached(tracker, len(tracker.events), latest))

    def _insert(self, connection: Any, sender_id: Text, events: List[Any], latest: Optional[int]) -> Optional[int]:
        """Writes the events (a session or a connection); returns the newest event id."""
        rows = [self._row(sender_id, event) for event in events]
        if not rows:
            return latest
        table = self.SQLEvent.__table__
        if len(rows) > 1:
            connection.execute(table.insert(), rows[:-1])
        # The last row alone, for its id (what the next read compares with).
        return connection.execute(table.insert(), rows[-1]).inserted_primary_key[0]

    @staticmethod
    def _row(sender_id: Text, event: Any) -> Dict[Text, Any]:
        """One events-table row, exactly as Rasa's SQLTrackerStore.save writes it."""
        data = event.as_dict()
        return {
            "sender_id": sender_id,
            "type_name": event.type_name,
            "timestamp": data.get("timestamp"),
            "intent_name": data.get("parse_data", {}).get("intent", {}).get(INTENT_NAME_KEY),
            "action_name": data.get("name"),
            "data": json.dumps(data),
        }
