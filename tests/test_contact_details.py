"""Contact details: reading them from text, encryption at rest, office hours, the
contact step and the hand-off action (without servers; tests/e2e/test_contact_handoff.py
runs them over REST)."""

import datetime as dt
import os
import stat

import pytest
import sqlalchemy as sa
from cryptography.fernet import Fernet
from rasa_sdk.events import SlotSet

from actions.contact import ContactStep, correction, record_contact
from actions.contact_validation import ContactAddressValidator, ContactMethodValidator, HandoffContactValidator
from actions.handoff import ActionRequestHandoff
from intake import contact_details as details
from intake import practice
from intake_stores import encryption
from intake_stores.erasure import TrackerEvents, erase_conversation
from intake_stores.handoff_requests import HandoffStore
from intake_stores.intake_records import IntakeRecord, IntakeStore
from tests.conftest import responses

NEW_YORK = dt.timezone(dt.timedelta(hours=-5))


@pytest.fixture(autouse=True)
def key(monkeypatch):
    monkeypatch.setenv("INTAKE_ENCRYPTION_KEY", Fernet.generate_key().decode())


@pytest.mark.parametrize(
    "text, region, expected",
    [
        ("call me on (212) 555-0188", "US", "+12125550188"),
        ("212.555.0188", "US", "+12125550188"),
        ("+44 7911 123456", "US", "+447911123456"),
        ("07911 123456", "GB", "+447911123456"),
        ("555-010-4567", "US", None),  # 555 is no area code
        ("12345", "US", None),
        ("I'd rather not", "US", None),
    ],
)
def test_phone_numbers_are_validated_and_normalized_to_e164(text, region, expected):
    assert details.find_phone(text, region) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("it's Sam.Smith@Example.COM thanks", "Sam.Smith@example.com"),
        ("robin@example.org.", "robin@example.org"),
        ("foo@bar", None),
        ("at example dot com", None),
    ],
)
def test_email_addresses_are_validated_without_the_network(text, expected):
    assert details.find_email(text) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("a text is best", "text"),
        ("please don't call, text me", "text"),
        ("email please", "email"),
        ("ring me", "phone"),
        ("not email, a phone call", "phone"),
        ("whatever", None),
    ],
)
def test_the_contact_method_respects_negation(text, expected):
    assert details.find_method(text) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Sam", "Sam"),
        ("my name is sam lee", "Sam lee"),
        ("I'm Alex, thanks", "Alex"),
        ("call me Jo", "Jo"),
        ("I really don't know what I should say to that now", None),
        ("212 555 0188", None),
    ],
)
def test_names(text, expected):
    assert details.find_name(text) == expected


def test_a_number_given_when_asked_for_the_method_answers_both(tracker_factory, dispatcher):
    tracker = tracker_factory(slots={"requested_slot": "contact_method"})
    filled = ContactMethodValidator().validate("text me at 212 555 0188", dispatcher, tracker)
    assert filled["contact_method"] == "text" and filled["contact_phone"] == "+12125550188"
    assert filled["contact_address"] == "+1 212-555-0188"


def test_an_unusable_address_is_asked_again(tracker_factory, dispatcher):
    tracker = tracker_factory(slots={"contact_method": "email"})
    assert ContactAddressValidator().validate("sam at home", dispatcher, tracker)["contact_address"] is None
    assert responses(dispatcher) == ["utter_reask_contact_address"]


def test_skipping_the_handoff_question_records_no_way_to_reach_them(tracker_factory, dispatcher):
    filled = HandoffContactValidator().validate("skip", dispatcher, tracker_factory())
    assert filled["handoff_contact"] == "" and "contact_phone" not in filled


def test_a_correction_replaces_the_number_and_an_email_replaces_it_too(tracker_factory):
    known = {"contact_method": "text", "contact_phone": "+12125550188"}
    tracker = tracker_factory(slots=known, intent="inform_contact", text="actually it's 212 555 0199")
    assert correction(tracker)["contact_phone"] == "+12125550199"
    tracker = tracker_factory(slots=known, intent="inform_contact", text="email me at a@example.com instead")
    assert correction(tracker) == {
        "contact_email": "a@example.com",
        "contact_address": "a@example.com",
        "contact_method": "email",
        "contact_phone": None,
    }


def test_declining_contact_details_submits_without_them_where_the_practice_allows(tracker_factory, dispatcher):
    events = ContactStep(dispatcher, tracker_factory(intent="deny", text="no thanks")).run("ask_contact")
    assert events == [SlotSet("intake_stage", "submit")] and responses(dispatcher) == ["utter_contact_skipped"]


def test_where_they_are_required_declining_passes_nothing_on(tmp_path, monkeypatch, tracker_factory, dispatcher):
    config = tmp_path / "practice.yml"
    config.write_text(practice.DEFAULT_FILE.read_text().replace("skippable: true", "skippable: false"))
    monkeypatch.setenv("INTAKE_PRACTICE_CONFIG", str(config))
    events = ContactStep(dispatcher, tracker_factory(intent="deny", text="no")).run("ask_contact")
    assert events == [SlotSet("intake_stage", "done")]
    assert responses(dispatcher) == ["utter_contact_required_declined"]


def test_the_questions_a_practice_does_not_ask_are_skipped(tracker_factory, dispatcher):
    events = ContactStep(dispatcher, tracker_factory(intent="affirm", text="sure")).run("ask_contact")
    assert SlotSet("contact_region", "") in events  # practice.yml lists no licensed regions
    assert SlotSet("intake_stage", "collect_contact") in events


def test_record_fields_leave_out_unanswered_questions():
    fields = record_contact(
        {
            "contact_name": "",
            "contact_method": "text",
            "contact_phone": "+12125550188",
            "contact_region": "",
            "contact_age": "not_asked",
            "contact_voicemail_ok": False,
        }
    )
    assert fields["contact_name"] is None and fields["contact_region"] is None and fields["contact_age"] is None
    assert fields["contact_method"] == "text" and fields["contact_voicemail_ok"] is False


def test_contact_columns_are_ciphertext_in_the_database(tmp_path):
    url = f"sqlite:///{tmp_path}/intake.db"
    store = IntakeStore(url)
    store.save(
        IntakeRecord(
            conversation_id="c1",
            contact_name="Robin",
            contact_phone="+12125550188",
            contact_email="robin@example.org",
            contact_method="email",
        )
    )
    with sa.create_engine(url).connect() as connection:
        row = connection.execute(sa.text("SELECT contact_phone, contact_email FROM intake_records")).one()
    assert all(value.startswith("gAAAA") for value in row)  # Fernet tokens
    assert b"robin@example.org" not in (tmp_path / "intake.db").read_bytes()
    assert store.get("c1").contact_email == "robin@example.org"


def test_without_a_key_production_stops_and_development_makes_one_private(tmp_path, monkeypatch):
    monkeypatch.delenv("INTAKE_ENCRYPTION_KEY")
    monkeypatch.setenv("INTAKE_PROFILE", "prod")
    with pytest.raises(encryption.EncryptionKeyError, match="INTAKE_ENCRYPTION_KEY is not set"):
        encryption.check_key()
    monkeypatch.setenv("INTAKE_PROFILE", "dev")
    key_file = tmp_path / "var" / "key"
    monkeypatch.setenv("INTAKE_ENCRYPTION_KEY_FILE", str(key_file))
    encryption.check_key()
    assert stat.S_IMODE(os.stat(key_file).st_mode) == 0o600
    assert encryption.load_key() == key_file.read_bytes().strip()  # made once, then reused


def test_office_hours():
    hours = practice.office_hours()  # practice.yml: Monday to Friday, 9am to 5pm, New York
    assert hours.describe() == "Monday to Friday, 9am to 5pm"
    friday_noon = dt.datetime(2026, 11, 27, 12, tzinfo=NEW_YORK)
    assert hours.is_open(friday_noon)
    friday_evening = dt.datetime(2026, 11, 27, 18, tzinfo=NEW_YORK)
    assert not hours.is_open(friday_evening)
    opening = hours.next_opening(friday_evening)
    assert (opening.strftime("%A"), opening.hour) == ("Monday", 9)


async def test_a_handoff_outside_office_hours_says_so_and_gives_the_crisis_line(
    tmp_path, monkeypatch, tracker_factory, dispatcher, domain
):
    monkeypatch.setattr("actions.handoff.now", lambda: dt.datetime(2026, 11, 28, 15, tzinfo=dt.timezone.utc))
    store = HandoffStore(f"sqlite:///{tmp_path}/intake.db")
    tracker = tracker_factory(
        slots={
            "contact_method": "phone",
            "contact_phone": "+12125550188",
            "contact_address": "+1 212-555-0188",
            "risk_flag": True,
        },
        intent="request_human",
        text="I need a person",
        sender_id="c9",
    )
    events = await ActionRequestHandoff(store).run(dispatcher, tracker, domain)
    assert SlotSet("handoff_requested", True) in events
    [message] = dispatcher.messages
    assert message["response"] == "utter_handoff_recorded_closed"
    assert message["next_opening"] == "Monday at 9am" and message["how"] == "call you at +1 212-555-0188"
    assert "{crisis_line}" in domain["responses"]["utter_handoff_recorded_closed"][0]["text"]
    [request] = store.for_conversation("c9")
    assert request.urgency == "urgent" and not request.within_office_hours and request.reason is None


def test_deleting_a_conversation_deletes_its_handoff_requests(tmp_path):
    url = f"sqlite:///{tmp_path}/intake.db"
    store, handoffs = IntakeStore(url), HandoffStore(url)
    from intake_stores.handoff_requests import HandoffRequest

    handoffs.add(HandoffRequest(conversation_id="c3", contact_phone="+12125550188"))
    erase_conversation("c3", store, TrackerEvents(f"sqlite:///{tmp_path}/tracker.db"))
    assert handoffs.for_conversation("c3") == []


def test_a_number_corrected_after_the_intake_updates_the_stored_record(tmp_path, tracker_factory, dispatcher):
    from actions.contact_after_intake import update_stored_contact

    store = IntakeStore(f"sqlite:///{tmp_path}/intake.db")
    store.save(IntakeRecord(conversation_id="c5", contact_method="phone", contact_phone="+12125550188"))
    tracker = tracker_factory(
        slots={
            "intake_stage": "done",
            "intake_id": "x",
            "consent_given": True,
            "contact_method": "phone",
            "contact_phone": "+12125550188",
            "contact_address": "+1 212-555-0188",
        },
        intent="inform_contact",
        text="my number changed, it's 212 555 0199 now",
        sender_id="c5",
    )
    events = update_stored_contact(dispatcher, tracker, store)
    assert SlotSet("contact_phone", "+12125550199") in events
    assert store.get("c5").contact_phone == "+12125550199"
    assert responses(dispatcher) == ["utter_contact_updated_stored", "utter_anything_else"]
