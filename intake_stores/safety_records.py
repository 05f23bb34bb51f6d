"""Urgent safety records: the minimal record kept when a conversation reaches the
`crisis` or `imminent` tier (or the person answers yes to the safety check), whether or
not the person consented to keeping their intake.

Kept under vital interests (GDPR Art. 6(1)(d) and 9(2)(c); HIPAA 45 CFR 164.512(j)):
the conversation id (so staff can find the conversation), the channel, the time, the
tier and the risk categories. Never message text, never contact details.
"""

import json
import uuid
from typing import Any, List, Optional, Text

import sqlalchemy as sa

from intake_stores import outbox

TIERS = ("check", "crisis", "imminent")  # ascending; `check` alone is not escalated
ESCALATED_TIERS = ("crisis", "imminent")

metadata = sa.MetaData()
safety_records = sa.Table(
    "safety_records",
    metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("conversation_id", sa.String(255), nullable=False, index=True),
    sa.Column("channel", sa.String(64)),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("tier", sa.String(16), nullable=False),
    sa.Column("categories", sa.Text, nullable=False),  # JSON list of risk categories
    # What raised it: "risk_level", "risk_flag" or "check_yes".
    sa.Column("trigger", sa.String(32), nullable=False),
)


def ensure_schema(engine: sa.engine.Engine) -> None:
    metadata.create_all(engine)


def tier_rank(tier: Optional[Text]) -> int:
    return TIERS.index(tier) + 1 if tier in TIERS else 0


def highest_tier(connection: Any, conversation_id: Text) -> Optional[Text]:
    """The highest tier already recorded for the conversation."""
    tiers = (
        connection.execute(sa.select(safety_records.c.tier).where(safety_records.c.conversation_id == conversation_id))
        .scalars()
        .all()
    )
    return max(tiers, key=tier_rank) if tiers else None


def add_safety_record(
    connection: Any,
    conversation_id: Text,
    channel: Optional[Text],
    tier: Text,
    categories: List[Text],
    trigger: Text,
) -> Text:
    """Writes an urgent safety record and its urgent_safety notification in the caller's
    transaction; returns the record id (the notification's reference)."""
    record_id = str(uuid.uuid4())
    connection.execute(
        safety_records.insert().values(
            id=record_id,
            conversation_id=conversation_id,
            channel=(channel or None),
            created_at=outbox.now(),
            tier=tier,
            categories=json.dumps(sorted(set(categories))),
            trigger=trigger,
        )
    )
    outbox.add_notification(connection, outbox.URGENT_SAFETY, record_id)
    return record_id


def delete_conversation(connection: Any, conversation_id: Text) -> int:
    return connection.execute(
        safety_records.delete().where(safety_records.c.conversation_id == conversation_id)
    ).rowcount


def as_dict(row: Any) -> dict:
    data = dict(row._mapping)
    data["categories"] = json.loads(data["categories"] or "[]")
    return data
