"""The staff-notification outbox: one table in the intake records database.

A notification is a row written in the SAME transaction as the record it announces
(an intake record, a hand-off request, an urgent safety record), so there is never a
record without its notification nor a notification without its record. A sender
(intake/notifications.py) delivers the rows in the background, marks each notifier's
delivery on the row, retries with exponential backoff, and, as the rows are durable,
picks up after a restart whatever was not yet delivered.

A row holds a category and a reference (the id of the record it announces: a random
UUID, never the conversation id) and nothing else about the person: no message text,
no contact details. Staff look the reference up with the staff CLI.

API for other modules (stable):
    add_notification(connection, category, reference, key=None) -> bool
        inside the caller's transaction (a Connection from engine.begin());
    ensure_schema(engine) creates the table (IntakeStore does it for its database).
"""

import datetime as dt
import json
import uuid
from typing import Any, List, Optional, Text

import sqlalchemy as sa

NEW_INTAKE = "new_intake"
HANDOFF_REQUEST = "handoff_request"
URGENT_SAFETY = "urgent_safety"
CATEGORIES = (NEW_INTAKE, HANDOFF_REQUEST, URGENT_SAFETY)

metadata = sa.MetaData()
notification_outbox = sa.Table(
    "notification_outbox",
    metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    # One notification per key (default "category:reference"): announcing the same record
    # twice (a record saved again, a retried transaction) adds nothing.
    sa.Column("key", sa.String(255), nullable=False, unique=True),
    sa.Column("category", sa.String(32), nullable=False),
    sa.Column("reference", sa.String(64), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    # Names of the notifiers that accepted it (JSON list): a retry never re-sends to those.
    sa.Column("delivered", sa.Text, nullable=False, default="[]"),
    sa.Column("attempts", sa.Integer, nullable=False, default=0),
    sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
    # A sender holds a row while delivering it (several workers and processes may run one).
    sa.Column("claimed_until", sa.DateTime(timezone=True)),
    sa.Column("sent_at", sa.DateTime(timezone=True), index=True),
    # The kind of the last failure only (e.g. "ConnectionRefusedError", "HTTP 500").
    sa.Column("last_error", sa.String(200)),
)


def now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def ensure_schema(engine: sa.engine.Engine) -> None:
    metadata.create_all(engine)


def add_notification(connection: Any, category: Text, reference: Text, key: Optional[Text] = None) -> bool:
    """Adds a notification to the outbox inside the caller's transaction.

    connection: a SQLAlchemy Connection inside a transaction (`with engine.begin() as
    connection:`) on the intake records database, the one the record is written with.
    category: one of CATEGORIES. reference: the id of the record it announces (never
    message text, contact details or a guessable conversation id). key: what makes it
    unique, by default f"{category}:{reference}".
    Returns False (and adds nothing) when a notification with that key exists already.
    """
    if category not in CATEGORIES:
        raise ValueError(f"unknown notification category {category!r}")
    key = key or f"{category}:{reference}"
    exists = connection.execute(sa.select(notification_outbox.c.id).where(notification_outbox.c.key == key)).first()
    if exists:
        return False
    created = now()
    connection.execute(
        notification_outbox.insert().values(
            id=str(uuid.uuid4()),
            key=key,
            category=category,
            reference=str(reference),
            created_at=created,
            delivered="[]",
            attempts=0,
            next_attempt_at=created,
        )
    )
    return True


def delivered(row: Any) -> List[Text]:
    return json.loads(row.delivered or "[]")


def select_notifications(status: Text = "unsent") -> Any:
    """A query for outbox rows, oldest first: "unsent", "failed" (tried, not yet
    delivered), "sent" or "all"."""
    query = sa.select(notification_outbox).order_by(notification_outbox.c.created_at)
    if status == "unsent":
        return query.where(notification_outbox.c.sent_at.is_(None))
    if status == "failed":
        return query.where(notification_outbox.c.sent_at.is_(None), notification_outbox.c.attempts > 0)
    if status == "sent":
        return query.where(notification_outbox.c.sent_at.is_not(None))
    if status == "all":
        return query
    raise ValueError(f"unknown status {status!r}")
