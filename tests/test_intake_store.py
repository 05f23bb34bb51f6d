"""The intake store: round trip, one record per conversation, honest failures."""

import os

import pytest
import sqlalchemy as sa
from rasa_sdk.events import SlotSet

from actions.intake_storage import ActionDeleteMyData, ActionSubmitIntake
from intake_stores.intake_records import IntakeRecord, IntakeStore, IntakeStoreError
from tests.conftest import responses

POSTGRES_URL = os.environ.get("INTAKE_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
# CI sets this so that an unreachable database fails instead of skipping.
REQUIRE_POSTGRES = os.environ.get("INTAKE_REQUIRE_POSTGRES") == "1"


def postgres_reachable() -> bool:
    try:
        with sa.create_engine(POSTGRES_URL).connect():
            return True
    except Exception:
        return False


def require_postgres() -> None:
    """Skips a PostgreSQL test where the database is unreachable, except in CI, where it fails."""
    if not postgres_reachable():
        if REQUIRE_POSTGRES:
            pytest.fail("PostgreSQL is required (INTAKE_REQUIRE_POSTGRES=1) but unreachable")
        pytest.skip("PostgreSQL at 127.0.0.1:5432 is not reachable")


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request, tmp_path):
    if request.param == "sqlite":
        yield IntakeStore(f"sqlite:///{tmp_path}/intake.db")
        return
    require_postgres()
    engine = sa.create_engine(POSTGRES_URL)
    with engine.begin() as connection:
        connection.execute(sa.text("DROP TABLE IF EXISTS intake_records"))
    yield IntakeStore(POSTGRES_URL)
    with engine.begin() as connection:
        connection.execute(sa.text("DROP TABLE IF EXISTS intake_records"))


def a_record(conversation_id="conv-1", **overrides) -> IntakeRecord:
    values = dict(
        conversation_id=conversation_id,
        concerns=["stress", "work", "isolation"],
        coping_strategies=["breathing", "meditation"],
        ipt_focus="interpersonal_deficits",
        therapy_accepted=True,
        preferred_days=["tuesday", "thursday"],
        preferred_time="evening",
        session_format="video",
        risk_flag=False,
        presenting_problem="I've been overwhelmed 😔 <b>lately</b>'; DROP TABLE intake_records; --",
    )
    values.update(overrides)
    return IntakeRecord(**values)


def test_a_record_round_trips(store):
    record = a_record()
    intake_id = store.save(record)
    loaded = store.get("conv-1")
    assert loaded.id == intake_id
    for field in (
        "concerns",
        "coping_strategies",
        "ipt_focus",
        "therapy_accepted",
        "preferred_days",
        "preferred_time",
        "session_format",
        "risk_flag",
        "presenting_problem",
    ):
        assert getattr(loaded, field) == getattr(record, field), field
    assert loaded.created_at is not None and loaded.updated_at is not None


def test_submitting_twice_keeps_one_record_with_the_latest_values(store):
    first = store.save(a_record())
    second = store.save(a_record(preferred_time="morning", risk_flag=True))
    assert first == second
    records = store.all()
    assert len(records) == 1
    assert records[0].preferred_time == "morning" and records[0].urgent


def test_urgent_records_come_first(store):
    store.save(a_record("calm"))
    store.save(a_record("urgent", risk_flag=True))
    assert [r.conversation_id for r in store.all()] == ["urgent", "calm"]


def test_an_unreachable_database_is_a_clear_error_without_user_text():
    broken = IntakeStore("postgresql://nobody@127.0.0.1:1/none")
    with pytest.raises(IntakeStoreError) as error:
        broken.save(a_record())
    assert "overwhelmed" not in str(error.value)


async def test_submit_action_stores_the_intake(tmp_path, tracker_factory, dispatcher, domain):
    store = IntakeStore(f"sqlite:///{tmp_path}/intake.db")
    tracker = tracker_factory(
        slots={
            "concerns": ["stress"],
            "preferred_days": ["monday"],
            "preferred_time": "morning",
            "session_format": "phone",
            "therapy_accepted": True,
            "risk_flag": True,
            "consent_given": True,
            "contact_method": "text",
            "contact_phone": "+12125550188",
            "contact_address": "+1 212-555-0188",
        },
        intent="affirm",
        sender_id="conv-42",
    )
    events = await ActionSubmitIntake(store).run(dispatcher, tracker, domain)
    stored = store.get("conv-42")
    assert events == [SlotSet("intake_id", stored.id), SlotSet("intake_stage", "screening_offered")]
    assert responses(dispatcher) == ["utter_intake_submitted", "utter_offer_screening"]
    assert stored.urgent and stored.preferred_days == ["monday"] and stored.session_format == "phone"
    assert (stored.contact_method, stored.contact_phone) == ("text", "+12125550188")


async def test_a_failed_write_is_told_honestly_and_logged_without_user_text(
    tracker_factory, dispatcher, domain, caplog
):
    broken = IntakeStore("postgresql://nobody@127.0.0.1:1/none")
    tracker = tracker_factory(slots={"presenting_problem": "my secret words", "consent_given": True}, intent="affirm")
    events = await ActionSubmitIntake(broken).run(dispatcher, tracker, domain)
    assert events == [SlotSet("intake_stage", "confirming")]
    assert responses(dispatcher) == ["utter_intake_store_failed"]
    assert "secret" not in caplog.text and "Storing an intake failed" in caplog.text


async def test_without_an_answer_on_consent_it_is_asked_before_storing(tmp_path, tracker_factory, dispatcher, domain):
    store = IntakeStore(f"sqlite:///{tmp_path}/intake.db")
    tracker = tracker_factory(slots={"concerns": ["stress"]}, intent="affirm", sender_id="conv-7")
    events = await ActionSubmitIntake(store).run(dispatcher, tracker, domain)
    assert events == [SlotSet("intake_stage", "consent_to_store")]
    assert responses(dispatcher) == ["utter_ask_consent_to_store"]
    assert store.get("conv-7") is None


async def test_without_consent_nothing_is_stored(tmp_path, tracker_factory, dispatcher, domain):
    store = IntakeStore(f"sqlite:///{tmp_path}/intake.db")
    tracker = tracker_factory(slots={"concerns": ["stress"], "consent_given": False}, intent="affirm", sender_id="c8")
    events = await ActionSubmitIntake(store).run(dispatcher, tracker, domain)
    assert events == [SlotSet("intake_stage", "done")]
    assert responses(dispatcher) == ["utter_nothing_stored"]
    assert store.all() == []


async def test_delete_my_data_removes_the_record_and_marks_the_conversation(
    tmp_path, tracker_factory, dispatcher, domain
):
    store = IntakeStore(f"sqlite:///{tmp_path}/intake.db")
    store.save(a_record("conv-9"))
    events = await ActionDeleteMyData(store).run(dispatcher, tracker_factory(sender_id="conv-9"), domain)
    assert events == [SlotSet("erase_conversation", True)]
    assert responses(dispatcher) == ["utter_data_deleted"]
    assert store.get("conv-9") is None
