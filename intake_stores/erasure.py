"""Deleting a conversation everywhere: its intake record and every tracker event.

The tracker events live in Rasa's SQL tracker store (table `events`, one row per
event, keyed by sender_id = the conversation id), reached through INTAKE_TRACKER_URL
(default: the SQLite file of endpoints.yml).
"""

import datetime as dt
import os
from typing import List, Optional, Text

import sqlalchemy as sa
from sqlalchemy.exc import SQLAlchemyError

from intake.practice import practice_settings
from intake_stores.handoff_requests import HandoffStore
from intake_stores.intake_records import IntakeStore, IntakeStoreError
from intake_stores.scrub import scrub_after_delete, zero_deleted_rows

DEFAULT_TRACKER_URL = "sqlite:///var/tracker.db"
TRACKER_URL_VARIABLE = "INTAKE_TRACKER_URL"

events = sa.table(
    "events",
    sa.column("sender_id"),
    sa.column("type_name"),
    sa.column("timestamp"),
    sa.column("data"),
)


def retention_days() -> int:
    return int(practice_settings()["retention_days"])


class TrackerEvents:
    """The tracker store's events table, for deletion."""

    def __init__(self, url: Optional[Text] = None) -> None:
        self._engine = sa.create_engine(url or os.environ.get(TRACKER_URL_VARIABLE) or DEFAULT_TRACKER_URL, future=True)
        zero_deleted_rows(self._engine)

    def _run(self, statement) -> List:
        """Rows for a query, [rowcount] for a change; nothing when there is no table yet."""
        try:
            with self._engine.begin() as connection:
                if not sa.inspect(connection).has_table("events"):
                    return []
                result = connection.execute(statement)
                return result.all() if result.returns_rows else [result.rowcount]
        except SQLAlchemyError as error:
            raise IntakeStoreError(f"tracker database error ({type(error).__name__})") from None

    def delete(self, conversation_id: Text) -> int:
        deleted = sum(self._run(events.delete().where(events.c.sender_id == conversation_id)))
        if deleted:
            scrub_after_delete(self._engine, ["events"])
        return deleted

    def conversations_inactive_since(self, cutoff: dt.datetime) -> List[Text]:
        """Conversations whose newest event is older than the cutoff."""
        query = (
            sa.select(events.c.sender_id)
            .group_by(events.c.sender_id)
            .having(sa.func.max(events.c.timestamp) < cutoff.timestamp())
        )
        return [row[0] for row in self._run(query)]

    def conversations_without_consent(self, inactive_since: dt.datetime) -> List[Text]:
        """Inactive conversations in which the person declined consent."""
        declined = sa.select(events.c.sender_id).where(
            events.c.type_name == "slot",
            events.c.data.like('%"name": "consent_given"%'),
            events.c.data.like('%"value": false%'),
        )
        declined_ids = {row[0] for row in self._run(declined.distinct())}
        return [c for c in self.conversations_inactive_since(inactive_since) if c in declined_ids]


def erase_conversation(
    conversation_id: Text, store: IntakeStore, tracker: TrackerEvents, handoffs: Optional[HandoffStore] = None
) -> int:
    """Removes the intake record, any hand-off requests and every tracker event; returns
    the rows removed."""
    handoffs = handoffs or HandoffStore.beside(store)
    return (
        store.delete_conversation(conversation_id)
        + handoffs.delete_conversation(conversation_id)
        + tracker.delete(conversation_id)
    )
