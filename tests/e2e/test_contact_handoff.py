"""Contact details and the recorded hand-off over REST: real Rasa and action servers on
loopback ports, a throwaway intake database encrypted with a test key."""

import json
import os
import subprocess

import pytest
import yaml
from cryptography.fernet import Fernet

import intake_rasa_patches
from intake_stores.handoff_requests import HandoffStore
from intake_stores.intake_records import IntakeStore
from tests.conftest import MODEL_PATH, ROOT
from tests.servers import (
    ACTION_SERVER,
    CONSENT_LINE,
    PYTHON,
    SCHEDULING_LINES,
    SEED_PATIENT_LINES,
    assistant,
    env,
    free_port,
    get_json,
    send,
)

PHONE_TYPED, PHONE_CORRECTED = "(212) 555-0188", "212 555 0199"
PHONE_E164 = "+12125550199"
EMAIL = "robin.quill@example.org"


def texts(replies):
    return " ".join(r.get("text", "") for r in replies)


@pytest.fixture(scope="module")
def servers(tmp_path_factory):
    if not MODEL_PATH.exists():
        pytest.fail("no trained model: run `make test`, which trains it first")
    work = tmp_path_factory.mktemp("contact")
    practice = yaml.safe_load((ROOT / "practice.yml").read_text())
    # Open around the clock, so that "within office hours" does not depend on when this runs.
    practice["office_hours"].update(
        days=["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"],
        opens="00:00",
        closes="23:59",
    )
    (work / "practice.yml").write_text(yaml.safe_dump(practice))
    key = Fernet.generate_key().decode()
    intake_url = f"sqlite:///{work}/intake.db"
    variables = {
        "INTAKE_DATABASE_URL": intake_url,
        "INTAKE_ENCRYPTION_KEY": key,
        "INTAKE_PRACTICE_CONFIG": str(work / "practice.yml"),
    }
    with assistant(work, env=variables) as running:
        os.environ.update(INTAKE_ENCRYPTION_KEY=key)  # this process reads the records too
        try:
            yield {
                "port": running.port,
                "work": work,
                "store": IntakeStore(intake_url),
                "env": variables,
                "handoffs": HandoffStore(intake_url),
            }
        finally:
            os.environ.pop("INTAKE_ENCRYPTION_KEY", None)


def slots(servers, sender):
    return get_json(servers["port"], f"/conversations/{sender}/tracker")["slots"]


def staff_cli(servers, *args):
    return subprocess.run(
        [PYTHON, "-m", "intake", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**env(), **servers["env"]},
        timeout=120,
    )


@pytest.fixture(scope="module")
def full_intake(servers):
    """The seed intake up to the schedule, then every contact question, a correction at
    the read-back, and yes."""
    port, sender = servers["port"], "contact-full"
    lines = SEED_PATIENT_LINES
    for line in lines[:1] + [CONSENT_LINE] + lines[1:-1] + SCHEDULING_LINES:
        send(port, sender, line)
    replies = {}
    for line in [
        "yes please",
        "Sam Rivera",
        "text message",
        PHONE_TYPED,
        "no, better not",
        "weekday evenings",
        "yes",
        "I'll pay myself",
    ]:
        replies[line] = texts(send(port, sender, line))
    replies["correction"] = texts(send(port, sender, f"actually my number is {PHONE_CORRECTED}"))
    replies["confirm"] = texts(send(port, sender, "yes"))
    return sender, replies


def test_a_full_intake_asks_reads_back_and_stores_the_contact_details(servers, full_intake):
    sender, replies = full_intake
    assert "name" in replies["yes please"].lower()
    assert "phone number" in replies["text message"]
    assert "Are you 18 or over" in replies["weekday evenings"]
    assert "+1 212-555-0188" in replies["I'll pay myself"]  # read back with the schedule
    assert "Tuesday and Thursday" in replies["I'll pay myself"]
    assert "+1 212-555-0199" in replies["correction"] and "updated" in replies["correction"]
    assert "passed your intake" in replies["confirm"]
    state = slots(servers, sender)
    assert (state["contact_name"], state["contact_method"], state["contact_phone"]) == (
        "Sam Rivera",
        "text",
        PHONE_E164,
    )
    record = servers["store"].get(sender)
    assert (record.contact_name, record.contact_method, record.contact_phone) == ("Sam Rivera", "text", PHONE_E164)
    assert record.contact_voicemail_ok is False and record.contact_age == "adult"
    assert record.contact_payment == "self_pay" and record.contact_best_time == "weekday evenings"


def test_a_handoff_uses_the_details_it_has(servers, full_intake):
    sender, _ = full_intake
    reply = texts(send(servers["port"], sender, "can I talk to a real person please"))
    assert "text you at +1 212-555-0199" in reply and "988" in reply
    assert slots(servers, sender)["handoff_requested"] is True
    [request] = servers["handoffs"].for_conversation(sender)
    assert request.contact_phone == PHONE_E164 and request.within_office_hours
    if intake_rasa_patches.enabled():  # safety_slot_types.py: Rasa's own risk_level keeps a "no" as a raw value
        assert request.urgency == "routine"
    assert request.reason == "can I talk to a real person please"  # they consented to a record


def test_a_handoff_without_details_asks_how_to_reach_them(servers):
    port, sender = servers["port"], "handoff-email"
    send(port, sender, "hi")
    asked = texts(send(port, sender, "I want to speak to a human"))
    assert "How can they reach you" in asked
    assert not servers["handoffs"].for_conversation(sender)
    reply = texts(send(port, sender, f"my email is {EMAIL}"))
    assert f"email you at {EMAIL}" in reply
    state = slots(servers, sender)
    assert state["handoff_requested"] is True and state["contact_email"] == EMAIL
    [request] = servers["handoffs"].for_conversation(sender)
    assert request.contact_email == EMAIL and request.contact_method == "email"
    assert request.reason is None  # no consent to a record was given in this conversation


def test_a_handoff_can_be_made_without_leaving_details(servers):
    port, sender = servers["port"], "handoff-skip"
    send(port, sender, "can someone from the practice call me back")
    reply = texts(send(port, sender, "skip"))
    assert "(555) 010-0123" in reply  # the practice's own number instead
    [request] = servers["handoffs"].for_conversation(sender)
    assert not request.reachable
    assert slots(servers, sender)["handoff_requested"] is True


def test_the_database_file_holds_no_contact_detail_in_clear(servers, full_intake):
    port, sender = servers["port"], "handoff-db"
    send(port, sender, "can I talk to a real person")
    send(port, sender, f"email {EMAIL} please")
    assert servers["handoffs"].for_conversation(sender)[0].contact_email == EMAIL  # stored, readable with the key
    assert servers["store"].get(full_intake[0]).contact_phone == PHONE_E164
    raw = (servers["work"] / "intake.db").read_bytes()
    for clear in (
        PHONE_E164,
        "2125550199",
        "555-0199",
        "555 0199",
        EMAIL,
        "example.org",
        "Sam Rivera",
        "weekday evenings",
    ):
        assert clear.encode() not in raw, clear


def test_the_staff_cli_shows_and_exports_them_decrypted(servers, full_intake):
    sender, _ = full_intake
    shown = staff_cli(servers, "show", sender)
    assert shown.returncode == 0, shown.stderr
    assert "Sam Rivera" in shown.stdout and "+1 212-555-0199" in shown.stdout
    assert "must NOT name the practice" in shown.stdout and "Asked to talk to a person" in shown.stdout
    exported = json.loads(staff_cli(servers, "export", "--format", "json").stdout)
    [mine] = [r for r in exported if r["conversation_id"] == sender]
    assert mine["contact_phone"] == PHONE_E164 and mine["handoff_requests"][0]["contact_phone"] == PHONE_E164
    wrong_key = subprocess.run(
        [PYTHON, "-m", "intake", "show", sender],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**env(), **servers["env"], "INTAKE_ENCRYPTION_KEY": Fernet.generate_key().decode()},
        timeout=120,
    )
    assert wrong_key.returncode == 1 and "could not be decrypted" in wrong_key.stderr
    assert "555" not in wrong_key.stderr


def test_staff_are_notified_of_the_intake_and_the_handoffs(servers, full_intake):
    outbox = pytest.importorskip("intake_stores.outbox", reason="the notification outbox (branch notify) is not merged")
    rows = servers["store"].notifications("all")
    categories = {(row["category"], row["reference"]) for row in rows}
    assert (outbox.NEW_INTAKE, servers["store"].get(full_intake[0]).id) in categories
    handoff_ids = {r.id for r in servers["handoffs"].all()}
    assert handoff_ids and handoff_ids <= {ref for cat, ref in categories if cat == outbox.HANDOFF_REQUEST}


def test_a_number_changed_after_the_intake_updates_the_record(servers, full_intake):
    sender, _ = full_intake
    reply = texts(send(servers["port"], sender, "my number changed, it's 212 555 0177 now"))
    assert "updated your details" in reply and "+1 212-555-0177" in reply
    assert servers["store"].get(sender).contact_phone == "+12125550177"


def test_no_contact_detail_reaches_the_server_logs(servers, full_intake):
    for log in ("actions.log", "rasa.log"):
        text = (servers["work"] / log).read_text(errors="replace")
        for clear in ("555-0188", "555 0199", "555-0199", "555 0177", PHONE_E164, EMAIL, "Sam Rivera"):
            assert clear not in text, (log, clear)


def test_the_production_profile_does_not_start_without_a_key(tmp_path):
    variables = {k: v for k, v in env().items() if k != "INTAKE_ENCRYPTION_KEY"}
    result = subprocess.run(
        ACTION_SERVER + ["--port", str(free_port())],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**variables, "INTAKE_PROFILE": "prod"},
        timeout=120,
    )
    assert result.returncode != 0 and "INTAKE_ENCRYPTION_KEY is not set" in result.stderr
