"""Intake records, through SQLAlchemy: a SQLite file by default, any SQLAlchemy URL
(e.g. PostgreSQL) from INTAKE_DATABASE_URL.

One record per conversation: saving again for the same conversation updates the
record in one transaction instead of adding a second one.
"""
import datetime as dt
import json
import os
import uuid
from dataclasses import asdict, dataclass, field
from typing import Dict, List, Optional, Text

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

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
    sa.Column("language", sa.String(16)),  # ISO 639-1 code when they wrote in another language
)
JSON_COLUMNS = {"concerns": list, "coping_strategies": list, "preferred_days": list,
                "screening_answers": dict}


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
    language: Optional[Text] = None
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
        if url.startswith("sqlite:///") and not url.startswith("sqlite:////"):
            directory = os.path.dirname(url[len("sqlite:///"):])
            if directory:
                os.makedirs(directory, exist_ok=True)
        self._engine = sa.create_engine(url, future=True, pool_pre_ping=True)
        self._created = False

    @classmethod
    def from_environment(cls) -> "IntakeStore":
        return cls(os.environ.get(URL_VARIABLE) or DEFAULT_URL)

    def _ensure_schema(self) -> None:
        if not self._created:
            metadata.create_all(self._engine)
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
                    connection.execute(sa.text(
                        f"ALTER TABLE {intake_records.name} ADD COLUMN {column.name} {kind}"))

    def save(self, record: IntakeRecord) -> Text:
        """Inserts or updates the conversation's record; returns its id."""
        for _ in range(2):  # a concurrent first insert makes the second attempt an update
            try:
                self._ensure_schema()
                return self._upsert(record)
            except IntegrityError:
                continue
            except SQLAlchemyError as error:
                raise IntakeStoreError(f"database error ({type(error).__name__})") from None
        raise IntakeStoreError("could not store the record after a concurrent write")

    def _upsert(self, record: IntakeRecord) -> Text:
        now = _now()
        row = _row(record)
        with self._engine.begin() as connection:
            existing = connection.execute(
                sa.select(intake_records.c.id).where(
                    intake_records.c.conversation_id == record.conversation_id
                )
            ).scalar_one_or_none()
            if existing:
                connection.execute(
                    intake_records.update()
                    .where(intake_records.c.id == existing)
                    .values(**row, updated_at=now)
                )
                return existing
            new_id = str(uuid.uuid4())
            connection.execute(
                intake_records.insert().values(**row, id=new_id, created_at=now, updated_at=now)
            )
            return new_id

    def _read(self, query) -> list:
        try:
            self._ensure_schema()
            with self._engine.connect() as connection:
                return connection.execute(query).all()
        except SQLAlchemyError as error:
            raise IntakeStoreError(f"database error ({type(error).__name__})") from None

    def get(self, conversation_id: Text) -> Optional[IntakeRecord]:
        rows = self._read(
            sa.select(intake_records).where(intake_records.c.conversation_id == conversation_id)
        )
        return _record(rows[0]) if rows else None

    def all(
        self,
        since: Optional[dt.datetime] = None,
        until: Optional[dt.datetime] = None,
        urgent_only: bool = False,
    ) -> List[IntakeRecord]:
        """Urgent records first, then newest first."""
        query = sa.select(intake_records).order_by(
            intake_records.c.urgent.desc(), intake_records.c.created_at.desc()
        )
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
            sa.select(intake_records).where(
                sa.or_(intake_records.c.id == key, intake_records.c.conversation_id == key)
            )
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
        return self._write(
            intake_records.delete().where(intake_records.c.conversation_id == conversation_id)
        )
