"""Intake records, through SQLAlchemy: a SQLite file by default, any SQLAlchemy URL
(e.g. PostgreSQL) from INTAKE_DATABASE_URL.

One record per conversation: saving again for the same conversation updates the
record in one transaction instead of adding a second one.
"""

import datetime as dt
import json
import os
import uuid
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from typing import Dict, Iterator, List, Optional, Text

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from intake.private_files import private_sqlite_file
from intake_stores import outbox, safety_records
from intake_stores.encryption import EncryptedText
from intake_stores.scrub import scrub_after_delete, zero_deleted_rows

DEFAULT_URL = "sqlite:///var/intake.db"
URL_VARIABLE = "INTAKE_DATABASE_URL"

metadata = sa.MetaData()
intake_records = sa.Table(
    "intake_records",
    metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("conversation_id", sa.String(255), nullable=False, unique=True),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("urgent", sa.Boolean, nullable=False),
    sa.Column("risk_flag", sa.Boolean, nullable=False),
    sa.Column("concerns", sa.Text, nullable=False),
    sa.Column("coping_strategies", sa.Text, nullable=False),
    sa.Column("ipt_focus", sa.String(64)),
    sa.Column("therapy_accepted", sa.Boolean),
    sa.Column("preferred_days", sa.Text, nullable=False),
    sa.Column("preferred_time", sa.String(32)),
    sa.Column("session_format", sa.String(32)),
    sa.Column("presenting_problem", sa.Text),
    # PHQ-9 / GAD-7 (intake/screening.py); empty when not asked.
    sa.Column("phq2_score", sa.Integer),
    sa.Column("gad2_score", sa.Integer),
    sa.Column("phq9_score", sa.Integer),
    sa.Column("phq9_band", sa.String(32)),
    sa.Column("gad7_score", sa.Integer),
    sa.Column("gad7_band", sa.String(32)),
    sa.Column("screening_status", sa.String(16)),
    sa.Column("screening_answers", sa.Text),  # JSON: item slot -> 0..3, answered items only
    # Contact details (actions/contact.py): protected health information, so encrypted
    # at rest (intake_stores/encryption.py); only the method and yes/no answers are not.
    sa.Column("contact_name", EncryptedText),
    sa.Column("contact_method", sa.String(16)),
    sa.Column("contact_phone", EncryptedText),
    sa.Column("contact_email", EncryptedText),
    sa.Column("contact_voicemail_ok", sa.Boolean),
    sa.Column("contact_best_time", EncryptedText),
    sa.Column("contact_region", EncryptedText),
    sa.Column("contact_age", sa.String(16)),
    sa.Column("contact_payment", EncryptedText),
    sa.Column("language", sa.String(16)),  # ISO 639-1 code when they wrote in another language
    # What a ranked scheduling answer offered besides its first choice ("time also: afternoon").
    sa.Column("schedule_note", sa.Text),
)
JSON_COLUMNS = {"concerns": list, "coping_strategies": list, "preferred_days": list, "screening_answers": dict}


class IntakeStoreError(Exception):
    """Storing or reading failed; the message never contains user text."""


@dataclass
class IntakeRecord:
    conversation_id: Text
    concerns: List[Text] = field(default_factory=list)
    coping_strategies: List[Text] = field(default_factory=list)
    ipt_focus: Optional[Text] = None
    therapy_accepted: Optional[bool] = None
    preferred_days: List[Text] = field(default_factory=list)
    preferred_time: Optional[Text] = None
    session_format: Optional[Text] = None
    risk_flag: bool = False
    presenting_problem: Optional[Text] = None
    phq2_score: Optional[int] = None
    gad2_score: Optional[int] = None
    phq9_score: Optional[int] = None
    phq9_band: Optional[Text] = None
    gad7_score: Optional[int] = None
    gad7_band: Optional[Text] = None
    screening_status: Optional[Text] = None
    screening_answers: Dict[Text, int] = field(default_factory=dict)
    contact_name: Optional[Text] = None
    contact_method: Optional[Text] = None  # phone, text or email
    contact_phone: Optional[Text] = None  # E.164
    contact_email: Optional[Text] = None
    contact_voicemail_ok: Optional[bool] = None  # may a message name the practice
    contact_best_time: Optional[Text] = None
    contact_region: Optional[Text] = None
    contact_age: Optional[Text] = None  # adult, minor or not_given
    contact_payment: Optional[Text] = None  # insurance, self_pay, not_sure or not_given
    language: Optional[Text] = None
    schedule_note: Optional[Text] = None
    id: Optional[Text] = None
    created_at: Optional[dt.datetime] = None
    updated_at: Optional[dt.datetime] = None

    @property
    def urgent(self) -> bool:
        return self.risk_flag


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def _row(record: IntakeRecord) -> dict:
    row = {k: v for k, v in asdict(record).items() if k not in ("id", "created_at", "updated_at")}
    for column, kind in JSON_COLUMNS.items():
        row[column] = json.dumps(kind(row[column] or kind()))
    row["urgent"] = record.urgent
    return row


def _record(row) -> IntakeRecord:
    data = dict(row._mapping)
    data.pop("urgent", None)
    for column, kind in JSON_COLUMNS.items():
        data[column] = kind(json.loads(data[column])) if data[column] else kind()
    return IntakeRecord(**data)


class IntakeStore:
    def __init__(self, url: Text) -> None:
        if url.startswith("sqlite:///"):
            private_sqlite_file(url[len("sqlite:///") :])  # var/ 0700, the file 0600
        self._engine = sa.create_engine(url, future=True, pool_pre_ping=True)
        zero_deleted_rows(self._engine)
        self._created = False

    @classmethod
    def from_environment(cls) -> "IntakeStore":
        return cls(os.environ.get(URL_VARIABLE) or DEFAULT_URL)

    def reachable(self) -> bool:
        """Whether the database answers (readiness probes)."""
        try:
            with self._engine.connect() as connection:
                connection.execute(sa.text("SELECT 1"))
            return True
        except SQLAlchemyError:
            return False

    def _ensure_schema(self) -> None:
        if not self._created:
            metadata.create_all(self._engine)
            outbox.ensure_schema(self._engine)
            safety_records.ensure_schema(self._engine)
            self._add_missing_columns()
            self._created = True

    def _add_missing_columns(self) -> None:
        """Columns added since a database was created (all nullable): added in place, so
        an existing practice's records are kept."""
        existing = {c["name"] for c in sa.inspect(self._engine).get_columns(intake_records.name)}
        with self._engine.begin() as connection:
            for column in intake_records.columns:
                if column.name not in existing:
                    kind = column.type.compile(dialect=self._engine.dialect)
                    connection.execute(sa.text(f"ALTER TABLE {intake_records.name} ADD COLUMN {column.name} {kind}"))

    def save(self, record: IntakeRecord, notify: Optional[Text] = None) -> Text:
        """Inserts or updates the conversation's record; returns its id.

        notify: a notification category (outbox.NEW_INTAKE) to announce the record to
        staff, written in the same transaction with the record id as its reference;
        once per record and category, however often the record is saved."""
        for _ in range(2):  # a concurrent first insert makes the second attempt an update
            try:
                self._ensure_schema()
                return self._upsert(record, notify)
            except IntegrityError:
                continue
            except SQLAlchemyError as error:
                raise IntakeStoreError(f"database error ({type(error).__name__})") from None
        raise IntakeStoreError("could not store the record after a concurrent write")

    def _upsert(self, record: IntakeRecord, notify: Optional[Text] = None) -> Text:
        now = _now()
        row = _row(record)
        with self._engine.begin() as connection:
            record_id = connection.execute(
                sa.select(intake_records.c.id).where(intake_records.c.conversation_id == record.conversation_id)
            ).scalar_one_or_none()
            if record_id:
                connection.execute(
                    intake_records.update().where(intake_records.c.id == record_id).values(**row, updated_at=now)
                )
            else:
                record_id = str(uuid.uuid4())
                connection.execute(intake_records.insert().values(**row, id=record_id, created_at=now, updated_at=now))
            if notify:
                outbox.add_notification(connection, notify, record_id)
            return record_id

    def _read(self, query) -> list:
        try:
            self._ensure_schema()
            with self._engine.connect() as connection:
                return connection.execute(query).all()
        except SQLAlchemyError as error:
            raise IntakeStoreError(f"database error ({type(error).__name__})") from None

    def get(self, conversation_id: Text) -> Optional[IntakeRecord]:
        rows = self._read(sa.select(intake_records).where(intake_records.c.conversation_id == conversation_id))
        return _record(rows[0]) if rows else None

    def all(
        self,
        since: Optional[dt.datetime] = None,
        until: Optional[dt.datetime] = None,
        urgent_only: bool = False,
    ) -> List[IntakeRecord]:
        """Urgent records first, then newest first."""
        query = sa.select(intake_records).order_by(intake_records.c.urgent.desc(), intake_records.c.created_at.desc())
        if since:
            query = query.where(intake_records.c.created_at >= since)
        if until:
            query = query.where(intake_records.c.created_at < until)
        if urgent_only:
            query = query.where(intake_records.c.urgent.is_(True))
        return [_record(r) for r in self._read(query)]

    def find(self, key: Text) -> Optional[IntakeRecord]:
        """A record by its id or by its conversation id."""
        rows = self._read(
            sa.select(intake_records).where(sa.or_(intake_records.c.id == key, intake_records.c.conversation_id == key))
        )
        return _record(rows[0]) if rows else None

    def _write(self, statement) -> int:
        try:
            self._ensure_schema()
            with self._engine.begin() as connection:
                return connection.execute(statement).rowcount
        except SQLAlchemyError as error:
            raise IntakeStoreError(f"database error ({type(error).__name__})") from None

    def delete_conversation(self, conversation_id: Text) -> int:
        """The intake record only: an urgent safety record is kept for the retention period
        (vital interests; see delete_safety_records)."""
        deleted = self._write(intake_records.delete().where(intake_records.c.conversation_id == conversation_id))
        if deleted:
            scrub_after_delete(self._engine, [intake_records.name])
        return deleted

    # Staff notifications (intake_stores/outbox.py; sent by intake/notifications.py).

    @property
    def engine(self) -> sa.engine.Engine:
        self._ensure_schema()
        return self._engine

    @contextmanager
    def transaction(self) -> Iterator[sa.engine.Connection]:
        """One transaction on the intake database, for writing a record together with
        its notification: `with store.transaction() as c: ...; add_notification(c, ...)`.
        Database errors become IntakeStoreError."""
        try:
            self._ensure_schema()
            with self._engine.begin() as connection:
                yield connection
        except SQLAlchemyError as error:
            raise IntakeStoreError(f"database error ({type(error).__name__})") from None

    def add_notification(self, category: Text, reference: Text, key: Optional[Text] = None) -> bool:
        """A notification in a transaction of its own (when there is no record to write
        with it); see outbox.add_notification."""
        with self.transaction() as connection:
            return outbox.add_notification(connection, category, reference, key)

    def notifications(self, status: Text = "unsent") -> List[dict]:
        """Outbox rows as dicts: status "unsent" (pending or failing), "failed" (tried at
        least once, not delivered), "sent" or "all"; oldest first."""
        return [dict(row._mapping) for row in self._read(outbox.select_notifications(status))]

    def safety_records(self) -> list:
        """Urgent safety records (intake_stores/safety_records.py), newest first."""
        table = safety_records.safety_records
        return self._read(sa.select(table).order_by(table.c.created_at.desc()))

    def delete_safety_records(
        self, conversation_id: Optional[Text] = None, before: Optional[dt.datetime] = None
    ) -> int:
        """Safety records of one conversation (staff `delete`) or older than `before`
        (`purge`), with their notifications once delivered."""
        table, notes = safety_records.safety_records, outbox.notification_outbox
        query = sa.select(table.c.id)
        if conversation_id is not None:
            query = query.where(table.c.conversation_id == conversation_id)
        if before is not None:
            query = query.where(table.c.created_at < before)
        with self.transaction() as connection:
            ids = connection.execute(query).scalars().all()
            if ids:
                connection.execute(notes.delete().where(notes.c.reference.in_(ids), notes.c.sent_at.is_not(None)))
                connection.execute(table.delete().where(table.c.id.in_(ids)))
            return len(ids)

    def delete_old_notifications(self, before: dt.datetime) -> int:
        """Outbox rows created before `before`, sent or not (past the retention period)."""
        notes = outbox.notification_outbox
        return self._write(notes.delete().where(notes.c.created_at < before))
