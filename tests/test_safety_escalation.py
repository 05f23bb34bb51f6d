"""Escalation to a person, Rasa-side: the tracker store writes an urgent safety record and
its notification when a conversation's tier rises, with or without consent, without
message text; the crisis response says the on-call team was told only when it was."""

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SessionStarted, SlotSet, UserUttered
from rasa.shared.core.slots import CategoricalSlot, ListSlot
from rasa.shared.core.trackers import DialogueStateTracker

from intake_dialogue.response_generator import PracticeResponseGenerator
from intake_stores import outbox
from intake_stores.intake_records import IntakeStore
from intake_stores.safety_escalation import SafetyEscalation
from intake_stores.tracker_store import CachedSQLTrackerStore
from tests.conftest import ROOT

CRISIS_TEXT = "I have the pills next to me and I want to end it"


@pytest.fixture(scope="module")
def domain():
    return Domain.load(str(ROOT / "domain"))


@pytest.fixture
def intake_store(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path}/intake.db"
    monkeypatch.setenv("INTAKE_DATABASE_URL", url)
    return IntakeStore(url)


def slots(domain):
    """The domain's slots, with the risk tier slots of the contract until the domain has them."""
    names = {slot.name for slot in domain.slots}
    extra = [
        CategoricalSlot("risk_level", mappings=[], values=["check", "crisis", "imminent"]),
        ListSlot("risk_categories", mappings=[]),
    ]
    return list(domain.slots) + [slot for slot in extra if slot.name not in names]


def a_tracker(domain, sender="conv-risk"):
    tracker = DialogueStateTracker(sender, slots(domain))
    for event in [
        ActionExecuted("action_session_start"),
        SessionStarted(),
        ActionExecuted("action_listen"),
        UserUttered("hello", {"name": "greet", "confidence": 1.0}, input_channel="rest"),
        SlotSet("consent_given", False),
    ]:
        tracker.update(event)
    return tracker


def crisis_turn(tracker, text=CRISIS_TEXT, **slots):
    tracker.update(ActionExecuted("action_listen"))
    tracker.update(UserUttered(text, {"name": "crisis", "confidence": 0.9}, input_channel="rest"))
    tracker.update(SlotSet("risk_flag", True))
    for name, value in slots.items():
        tracker.update(SlotSet(name, value))
    tracker.update(ActionExecuted("utter_crisis"))
    tracker.update(BotUttered("crisis response"))


def user_turn(tracker, intent, text):
    tracker.update(ActionExecuted("action_listen"))
    tracker.update(UserUttered(text, {"name": intent, "confidence": 0.9}, input_channel="rest"))


async def test_a_crisis_without_consent_writes_one_minimal_record_and_one_notification(domain, intake_store, tmp_path):
    trackers = CachedSQLTrackerStore(domain=domain, dialect="sqlite", db=str(tmp_path / "tracker.db"))
    tracker = a_tracker(domain)
    await trackers.save(tracker)
    assert intake_store.safety_records() == []  # nothing at risk: nothing written

    crisis_turn(tracker)
    await trackers.save(tracker)
    user_turn(tracker, "share_concern", "it's been a long week")
    await trackers.save(tracker)  # still in the safety state: no second record

    [record] = intake_store.safety_records()
    assert (record.conversation_id, record.channel, record.tier, record.trigger) == (
        "conv-risk",
        "rest",
        "crisis",
        "risk_flag",
    )
    [notification] = intake_store.notifications("all")
    assert (notification["category"], notification["reference"]) == (outbox.URGENT_SAFETY, record.id)
    raw = (tmp_path / "intake.db").read_bytes()
    assert CRISIS_TEXT.encode() not in raw and b"pills" not in raw
    assert intake_store.get("conv-risk") is None  # no intake record without consent


async def test_a_rise_to_imminent_is_a_second_record_with_the_categories(domain, intake_store):
    escalation = SafetyEscalation(intake_store)
    tracker = a_tracker(domain)
    crisis_turn(tracker, risk_level="crisis", risk_categories=["suicide"])
    assert escalation.after_save(tracker)
    assert escalation.after_save(tracker) is None
    tracker.update(SlotSet("risk_level", "imminent"))
    tracker.update(SlotSet("risk_categories", ["suicide", "self_harm"]))
    assert escalation.after_save(tracker)
    records = sorted(intake_store.safety_records(), key=lambda r: r.created_at)
    assert [r.tier for r in records] == ["crisis", "imminent"]
    assert records[1].categories == '["self_harm", "suicide"]'
    assert len(intake_store.notifications("all")) == 2
    # A new process (nothing remembered) does not write the same tier again.
    assert SafetyEscalation(intake_store).after_save(tracker) is None


async def test_check_tier_alone_is_not_escalated_but_a_yes_to_the_check_is(domain, intake_store):
    escalation = SafetyEscalation(intake_store)
    tracker = a_tracker(domain)
    tracker.update(SlotSet("risk_level", "check"))
    tracker.update(ActionExecuted("utter_safety_check"))
    assert escalation.after_save(tracker) is None
    user_turn(tracker, "affirm", "yes")
    assert escalation.after_save(tracker)
    [record] = intake_store.safety_records()
    assert (record.tier, record.trigger) == ("crisis", "check_yes")


async def test_not_safe_after_the_crisis_response_is_imminent(domain, intake_store):
    escalation = SafetyEscalation(intake_store)
    tracker = a_tracker(domain)
    crisis_turn(tracker)
    escalation.after_save(tracker)
    user_turn(tracker, "deny", "no")
    assert escalation.after_save(tracker)
    assert sorted(r.tier for r in intake_store.safety_records()) == ["crisis", "imminent"]


async def test_the_intake_database_down_never_breaks_the_save(domain, tmp_path, caplog):
    trackers = CachedSQLTrackerStore(domain=domain, dialect="sqlite", db=str(tmp_path / "tracker.db"))
    trackers._escalation = SafetyEscalation(IntakeStore("postgresql://nobody@127.0.0.1:1/none"))
    tracker = a_tracker(domain)
    crisis_turn(tracker)
    await trackers.save(tracker)  # no exception
    fresh = CachedSQLTrackerStore(domain=domain, dialect="sqlite", db=str(tmp_path / "tracker.db"))
    assert (await fresh.retrieve("conv-risk")).get_slot("risk_flag") is True
    assert "Urgent safety record not written" in caplog.text and CRISIS_TEXT not in caplog.text


def crisis_text(domain):
    return PracticeResponseGenerator(domain=domain).generate_from_slots("utter_crisis", {}, "rest")["text"]


def test_the_crisis_response_says_the_on_call_team_knows_only_when_a_notifier_is_on(domain, monkeypatch):
    for name in ("INTAKE_NOTIFY_SLACK_WEBHOOK_URL", "INTAKE_NOTIFY_WEBHOOK_URL", "INTAKE_NOTIFY_SMTP_HOST"):
        monkeypatch.delenv(name, raising=False)
    off = crisis_text(domain)
    assert "on-call" not in off and "  " not in off and "danger. Are you safe" in off
    monkeypatch.setenv("INTAKE_NOTIFY_SLACK_WEBHOOK_URL", "https://hooks.example.com/services/x")
    on = crisis_text(domain)
    assert "danger. I've let the practice's on-call team know. Are you safe" in on


async def test_a_safety_record_outlives_a_declined_consent_but_not_the_retention_period(
    domain, intake_store, tmp_path, monkeypatch, capsys
):
    from intake.__main__ import main as cli

    monkeypatch.setenv("INTAKE_TRACKER_URL", f"sqlite:///{tmp_path}/tracker.db")
    trackers = CachedSQLTrackerStore(domain=domain, dialect="sqlite", db=str(tmp_path / "tracker.db"))
    trackers._escalation = SafetyEscalation(intake_store)
    tracker = a_tracker(domain)
    crisis_turn(tracker)
    await trackers.save(tracker)
    with trackers.engine.begin() as connection:  # the session ended two hours ago
        connection.exec_driver_sql("UPDATE events SET timestamp = timestamp - 7200")
    intake_store.delete_conversation("conv-risk")  # what "delete my data" in the chat removes
    assert cli(["purge"]) == 0
    assert "purged 1 conversation(s), 0 safety record(s)" in capsys.readouterr().out
    assert [r.conversation_id for r in intake_store.safety_records()] == ["conv-risk"]
    assert cli(["safety", "conv-risk"]) == 0
    assert "crisis" in capsys.readouterr().out

    assert len(intake_store.notifications("all")) == 1

    assert cli(["purge", "--older-than", "0"]) == 0
    assert intake_store.safety_records() == [] and intake_store.notifications("all") == []


def test_staff_delete_removes_a_safety_record_without_an_intake_record(intake_store, monkeypatch, tmp_path, capsys):
    from intake.__main__ import main as cli
    from intake_stores import safety_records

    monkeypatch.setenv("INTAKE_TRACKER_URL", f"sqlite:///{tmp_path}/tracker.db")
    with intake_store.transaction() as connection:
        safety_records.add_safety_record(connection, "conv-9", "rest", "imminent", ["suicide"], "risk_level")
    assert cli(["delete", "conv-9"]) == 0
    assert intake_store.safety_records() == []
