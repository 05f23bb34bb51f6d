"""Hand-off requests: the person asked for a human. One row per request, with how to
reach them (encrypted, intake_stores/encryption.py), the urgency, and their reason in
their own words only when they consented to a record. Written together with the staff
notification (category handoff_request) in one transaction when the notification
outbox is there (intake_stores/outbox.py)."""

import datetime as dt
import os
import uuid
from dataclasses import asdict, dataclass
from typing import List, Optional, Text

import sqlalchemy as sa
from sqlalchemy.exc import SQLAlchemyError

from intake_stores.encryption import EncryptedText
from intake_stores.intake_records import DEFAULT_URL, URL_VARIABLE, IntakeStore, IntakeStoreError

try:  # the staff-notification outbox (branch `notify`)
    from intake_stores import outbox
except ImportError:  # pragma: no cover - until that branch is merged
    outbox = None

ROUTINE, URGENT = "routine", "urgent"

metadata = sa.MetaData()
handoff_requests = sa.Table(
    "handoff_requests",
    metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("conversation_id", sa.String(255), nullable=False, index=True),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("urgency", sa.String(16), nullable=False),
    sa.Column("within_office_hours", sa.Boolean, nullable=False),
    sa.Column("reason", EncryptedText),
    sa.Column("contact_name", EncryptedText),
    sa.Column("contact_method", sa.String(16)),
    sa.Column("contact_phone", EncryptedText),
    sa.Column("contact_email", EncryptedText),
    sa.Column("contact_voicemail_ok", sa.Boolean),
    sa.Column("contact_best_time", EncryptedText),
)


@dataclass
class HandoffRequest:
    conversation_id: Text
    urgency: Text = ROUTINE
    within_office_hours: bool = True
    reason: Optional[Text] = None
    contact_name: Optional[Text] = None
    contact_method: Optional[Text] = None
    contact_phone: Optional[Text] = None
    contact_email: Optional[Text] = None
    contact_voicemail_ok: Optional[bool] = None
    contact_best_time: Optional[Text] = None
    id: Optional[Text] = None
    created_at: Optional[dt.datetime] = None

    @property
    def reachable(self) -> bool:
        return bool(self.contact_phone or self.contact_email)


class HandoffStore:
    def __init__(self, url: Text) -> None:
        if url.startswith("sqlite:///") and not url.startswith("sqlite:////"):
            directory = os.path.dirname(url[len("sqlite:///") :])
            if directory:
                os.makedirs(directory, exist_ok=True)
        self._engine = sa.create_engine(url, future=True, pool_pre_ping=True)
        self._created = False

    @classmethod
    def from_environment(cls) -> "HandoffStore":
        return cls(os.environ.get(URL_VARIABLE) or DEFAULT_URL)

    @classmethod
    def beside(cls, intake_store: IntakeStore) -> "HandoffStore":
        """The hand-off requests in the same database as these intake records."""
        store = cls.__new__(cls)
        store._engine, store._created = intake_store._engine, False
        return store

    def _ensure_schema(self) -> None:
        if not self._created:
            metadata.create_all(self._engine)
            if outbox is not None:
                outbox.ensure_schema(self._engine)
            self._created = True

    def add(self, request: HandoffRequest) -> Text:
        """Stores the request and its staff notification together; returns its id (the
        notification's reference: random, never the conversation id)."""
        row = {k: v for k, v in asdict(request).items() if k not in ("id", "created_at")}
        request_id = str(uuid.uuid4())
        try:
            self._ensure_schema()
            with self._engine.begin() as connection:
                connection.execute(
                    handoff_requests.insert().values(**row, id=request_id, created_at=dt.datetime.now(dt.timezone.utc))
                )
                if outbox is not None:
                    outbox.add_notification(connection, outbox.HANDOFF_REQUEST, request_id)
        except SQLAlchemyError as error:
            raise IntakeStoreError(f"database error ({type(error).__name__})") from None
        return request_id

    def _read(self, query) -> List[HandoffRequest]:
        try:
            self._ensure_schema()
            with self._engine.connect() as connection:
                return [HandoffRequest(**dict(r._mapping)) for r in connection.execute(query).all()]
        except SQLAlchemyError as error:
            raise IntakeStoreError(f"database error ({type(error).__name__})") from None

    def for_conversation(self, conversation_id: Text) -> List[HandoffRequest]:
        return self._read(
            sa.select(handoff_requests)
            .where(handoff_requests.c.conversation_id == conversation_id)
            .order_by(handoff_requests.c.created_at)
        )

    def find(self, key: Text) -> Optional[HandoffRequest]:
        """A request by its id (the notification's reference)."""
        found = self._read(sa.select(handoff_requests).where(handoff_requests.c.id == key))
        return found[0] if found else None

    def all(self) -> List[HandoffRequest]:
        """Urgent first, then newest first."""
        return self._read(
            sa.select(handoff_requests).order_by(
                handoff_requests.c.urgency.desc(), handoff_requests.c.created_at.desc()
            )
        )

    def delete_conversation(self, conversation_id: Text) -> int:
        try:
            self._ensure_schema()
            with self._engine.begin() as connection:
                return connection.execute(
                    handoff_requests.delete().where(handoff_requests.c.conversation_id == conversation_id)
                ).rowcount
        except SQLAlchemyError as error:
            raise IntakeStoreError(f"database error ({type(error).__name__})") from None
