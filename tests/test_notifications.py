"""Staff notifications: the outbox, the three notifiers against local fakes, retries,
restarts of the sender, and the staff CLI listing."""

import json
import os
import signal
import subprocess
import time

import pytest

from intake import notifications
from intake.__main__ import main as cli
from intake_stores import outbox
from intake_stores.intake_records import IntakeRecord, IntakeStore, IntakeStoreError
from tests.notification_fakes import HTTPReceiver, SMTPReceiver, wait_until
from tests.servers import PYTHON, ROOT, env, free_port

SECRET = "webhook-secret"
PERSON_TEXT = "I keep thinking about ending it"  # what must never leave in a notification
PHONE = "+15555550123"


@pytest.fixture
def store(tmp_path):
    return IntakeStore(f"sqlite:///{tmp_path}/intake.db")


@pytest.fixture
def http():
    receiver = HTTPReceiver(free_port(), SECRET).start()
    yield receiver
    receiver.stop()


@pytest.fixture
def smtp(tmp_path):
    receiver = SMTPReceiver(free_port(), tmp_path).start()
    yield receiver
    receiver.stop()


@pytest.fixture
def notify_env(monkeypatch, http, smtp):
    values = {
        "INTAKE_NOTIFY_SLACK_WEBHOOK_URL": f"{http.url}/slack",
        "INTAKE_NOTIFY_WEBHOOK_URL": f"{http.url}/hook",
        "INTAKE_NOTIFY_WEBHOOK_SECRET": SECRET,
        "INTAKE_NOTIFY_TIMEOUT_SECONDS": "2",
        **smtp.environment(),
    }
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    return values


def a_record(conversation_id="conv-1"):
    return IntakeRecord(conversation_id, concerns=["stress"], presenting_problem=PERSON_TEXT)


def sender(store, **kwargs):
    return notifications.NotificationSender(store.engine, notifications.configured_notifiers(), **kwargs)


def test_the_notification_is_written_with_the_record_once_and_rolled_back_with_it(store):
    record_id = store.save(a_record(), notify=outbox.NEW_INTAKE)
    store.save(a_record(), notify=outbox.NEW_INTAKE)  # saved again: still one notification
    rows = store.notifications("all")
    assert [(r["category"], r["reference"]) for r in rows] == [("new_intake", record_id)]

    with pytest.raises(RuntimeError):
        with store.transaction() as connection:
            outbox.add_notification(connection, outbox.HANDOFF_REQUEST, "handoff-1")
            raise RuntimeError("the record's write failed")
    assert len(store.notifications("all")) == 1
    with pytest.raises(ValueError):
        store.add_notification("chit_chat", "x")


def test_every_notifier_gets_each_notification_exactly_once_without_text_or_contact(store, http, smtp, notify_env):
    record_id = store.save(a_record(), notify=outbox.NEW_INTAKE)
    store.add_notification(outbox.URGENT_SAFETY, "safety-ref-1")
    delivering = sender(store)
    assert delivering.run_once() == 2
    assert delivering.run_once() == 0  # nothing left: not sent again

    hooks = http.bodies("/hook")
    assert sorted(h["reference"] for h in hooks) == sorted([record_id, "safety-ref-1"])
    assert all(set(h) == {"id", "category", "reference", "created_at"} for h in hooks)
    assert http.bad_signatures == 0
    slack = http.bodies("/slack")
    assert len(slack) == 2 and all(set(s) == {"text"} for s in slack)
    assert any("URGENT" in s["text"] and "safety-ref-1" in s["text"] for s in slack)
    assert len(smtp.messages) == 2 and all(m["tls"] for m in smtp.messages)
    assert smtp.messages[0]["to"] == ["oncall@practice.test"]
    everything = json.dumps([d["body"].decode() for d in http.deliveries]) + json.dumps(smtp.messages)
    assert PERSON_TEXT not in everything and PHONE not in everything and "conv-1" not in everything
    assert store.notifications("unsent") == []
    assert all(json.loads(r["delivered"]) == ["slack", "webhook", "email"] for r in store.notifications("sent"))


def test_a_wrong_webhook_secret_is_rejected_by_the_receiver_and_retried(store, http, monkeypatch):
    monkeypatch.setenv("INTAKE_NOTIFY_WEBHOOK_URL", f"{http.url}/hook")
    monkeypatch.setenv("INTAKE_NOTIFY_WEBHOOK_SECRET", "not-the-secret")
    store.add_notification(outbox.HANDOFF_REQUEST, "handoff-1")
    sender(store).run_once()
    assert http.bad_signatures == 1 and http.bodies("/hook") == []
    [row] = store.notifications("failed")
    assert row["last_error"] == "webhook: HTTP 401"


def test_a_failing_notifier_is_retried_with_backoff_and_the_others_are_not_sent_twice(store, http, smtp, notify_env):
    http.stop()  # Slack and the webhook refuse connections; email works
    store.add_notification(outbox.URGENT_SAFETY, "safety-ref-2")
    delivering = sender(store, retry_seconds=0.2)
    delivering.run_once()
    [row] = store.notifications("failed")
    assert row["attempts"] == 1 and json.loads(row["delivered"]) == ["email"]
    assert "slack: ConnectionRefusedError" in row["last_error"]
    first_delay = (row["next_attempt_at"] - row["created_at"]).total_seconds()
    assert delivering.run_once() == 0  # not due yet
    time.sleep(0.25)
    delivering.run_once()
    [row] = store.notifications("failed")
    assert row["attempts"] == 2
    assert (row["next_attempt_at"] - row["created_at"]).total_seconds() > first_delay + 0.3  # doubled

    http.start()
    assert wait_until(lambda: delivering.run_once() or not store.notifications("unsent"), 3)
    assert len(http.bodies("/hook")) == 1 and len(http.bodies("/slack")) == 1
    assert len(smtp.messages) == 1  # email was not sent again


def test_the_cli_lists_what_failed(store, monkeypatch, capsys, tmp_path):
    monkeypatch.setenv("INTAKE_DATABASE_URL", f"sqlite:///{tmp_path}/intake.db")
    monkeypatch.setenv("INTAKE_NOTIFY_WEBHOOK_URL", f"http://127.0.0.1:{free_port()}/hook")  # nobody there
    monkeypatch.setenv("INTAKE_NOTIFY_WEBHOOK_SECRET", SECRET)
    store.add_notification(outbox.URGENT_SAFETY, "safety-ref-3")
    store.add_notification(outbox.NEW_INTAKE, "intake-ref-4")
    assert cli(["send-notifications", "--once"]) == 0
    capsys.readouterr()
    assert cli(["notifications"]) == 0
    out = capsys.readouterr().out
    assert "safety-ref-3" in out and "urgent_safety" in out and "ConnectionRefusedError" in out
    assert "2 notification(s), 2 failed" in out
    assert cli(["notifications", "--status", "sent"]) == 0
    assert "0 notification(s)" in capsys.readouterr().out


def test_configuration_refuses_plain_http_off_loopback_and_a_webhook_without_secret(monkeypatch):
    assert notifications.configured_notifiers() == [] and notifications.on_call_line() == ""
    monkeypatch.setenv("INTAKE_NOTIFY_SLACK_WEBHOOK_URL", "http://hooks.example.com/x")
    with pytest.raises(ValueError):
        notifications.configured_notifiers()
    assert notifications.on_call_line() == ""  # nobody would be told: the person is not told so
    monkeypatch.setenv("INTAKE_NOTIFY_SLACK_WEBHOOK_URL", "https://hooks.example.com/x")
    monkeypatch.setenv("INTAKE_NOTIFY_WEBHOOK_URL", "https://practice.example.com/hook")
    with pytest.raises(ValueError):
        notifications.configured_notifiers()
    monkeypatch.setenv("INTAKE_NOTIFY_WEBHOOK_SECRET", SECRET)
    assert [n.name for n in notifications.configured_notifiers()] == ["slack", "webhook"]
    assert "on-call team" in notifications.on_call_line()


def test_email_is_never_sent_without_starttls(store, monkeypatch, tmp_path):
    from aiosmtpd.controller import Controller

    class Accept:
        async def handle_DATA(self, server, session, envelope):  # noqa: N802
            accepted.append(envelope)
            return "250 OK"

    accepted = []
    port = free_port()
    plain = Controller(Accept(), hostname="127.0.0.1", port=port)  # no TLS offered
    plain.start()
    try:
        for name, value in {
            "INTAKE_NOTIFY_SMTP_HOST": "127.0.0.1",
            "INTAKE_NOTIFY_SMTP_PORT": str(port),
            "INTAKE_NOTIFY_SMTP_FROM": "a@b.test",
            "INTAKE_NOTIFY_SMTP_TO": "c@d.test",
        }.items():
            monkeypatch.setenv(name, value)
        store.add_notification(outbox.NEW_INTAKE, "intake-ref-5")
        sender(store).run_once()
    finally:
        plain.stop()
    assert accepted == []
    assert store.notifications("failed")[0]["last_error"].startswith("email: SMTP")


# Restarts: the sender as its own process (python -m intake send-notifications).


def _start_sender(tmp_path, values, name):
    log = open(tmp_path / f"{name}.log", "w")
    return subprocess.Popen(
        [PYTHON, "-m", "intake", "send-notifications"],
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
        env={
            **env(),
            **values,
            "INTAKE_DATABASE_URL": f"sqlite:///{tmp_path}/intake.db",
            "INTAKE_NOTIFY_POLL_SECONDS": "0.1",
            "INTAKE_NOTIFY_RETRY_SECONDS": "0.2",
        },
    )


def _restart_values(http, smtp):
    return {
        "INTAKE_NOTIFY_WEBHOOK_URL": f"{http.url}/hook",
        "INTAKE_NOTIFY_WEBHOOK_SECRET": SECRET,
        "INTAKE_NOTIFY_TIMEOUT_SECONDS": "5",
        **smtp.environment(),
    }


def test_stopped_mid_way_and_restarted_every_notification_arrives_exactly_once(store, http, smtp, tmp_path):
    references = [f"ref-{i}" for i in range(8)]
    for reference in references:
        store.add_notification(outbox.NEW_INTAKE, reference)
    http.mode, http.delay = "slow", 0.4
    values = _restart_values(http, smtp)
    first = _start_sender(tmp_path, values, "first")
    assert wait_until(lambda: len(http.bodies("/hook")) >= 2, 60)
    first.send_signal(signal.SIGTERM)  # mid-way: it finishes the row in hand and stops
    first.wait(timeout=30)
    delivered_before = len(http.bodies("/hook"))
    assert delivered_before < len(references)

    http.mode = "up"
    second = _start_sender(tmp_path, values, "second")
    try:
        assert wait_until(lambda: not store.notifications("unsent"), 60)
    finally:
        second.terminate()
        second.wait(timeout=30)
    hooks = [h["reference"] for h in http.bodies("/hook")]
    mails = [m["content"] for m in smtp.messages]
    assert sorted(hooks) == sorted(references)  # nothing lost, nothing twice
    assert len(mails) == len(references)
    assert sorted(r for r in references if any(r in m for m in mails)) == sorted(references)


def test_killed_while_the_notifier_is_down_nothing_is_lost_after_the_restart(store, http, tmp_path):
    http.stop()
    (tmp_path / "smtp").mkdir()
    smtp = SMTPReceiver(free_port(), tmp_path / "smtp")  # not started yet: refuses connections
    for reference in ("ref-a", "ref-b", "ref-c"):
        store.add_notification(outbox.URGENT_SAFETY, reference)
    values = _restart_values(http, smtp)
    first = _start_sender(tmp_path, values, "first")
    assert wait_until(lambda: all(r["attempts"] >= 1 for r in store.notifications("unsent")), 60)
    first.send_signal(signal.SIGKILL)
    first.wait(timeout=30)
    assert len(store.notifications("failed")) == 3

    http.start()
    smtp.start()
    second = _start_sender(tmp_path, values, "second")
    try:
        assert wait_until(lambda: not store.notifications("unsent"), 60)
    finally:
        second.terminate()
        second.wait(timeout=30)
        smtp.stop()
    assert sorted(h["reference"] for h in http.bodies("/hook")) == ["ref-a", "ref-b", "ref-c"]
    assert len(smtp.messages) == 3


def test_killed_between_delivery_and_mark_it_is_sent_again_with_the_same_id(store, http, tmp_path):
    """The one duplicate a crash can make (at least once, never lost): the receiver has
    the notification id to drop it."""
    store.add_notification(outbox.URGENT_SAFETY, "ref-inflight")
    http.mode, http.delay = "accept-slowly", 30.0
    values = {
        "INTAKE_NOTIFY_WEBHOOK_URL": f"{http.url}/hook",
        "INTAKE_NOTIFY_WEBHOOK_SECRET": SECRET,
        "INTAKE_NOTIFY_TIMEOUT_SECONDS": "1",
        "INTAKE_NOTIFY_CLAIM_SECONDS": "1",
    }
    first = _start_sender(tmp_path, values, "first")
    assert wait_until(lambda: len(http.bodies("/hook")) == 1, 60)
    first.send_signal(signal.SIGKILL)  # accepted, not yet marked
    first.wait(timeout=30)
    http.mode = "up"
    started = time.monotonic()
    second = _start_sender(tmp_path, values, "second")
    try:
        assert wait_until(lambda: not store.notifications("unsent"), 60)
    finally:
        second.terminate()
        second.wait(timeout=30)
    assert time.monotonic() - started < 30  # the claim (5 s + 2 x timeout) expired, not more
    first_copy, second_copy = http.deliveries
    assert first_copy["body"] == second_copy["body"]
    assert first_copy["headers"]["X-Intake-Notification-Id"] == second_copy["headers"]["X-Intake-Notification-Id"]


def test_two_senders_on_one_outbox_never_deliver_a_row_twice(store, http):
    for i in range(12):
        store.add_notification(outbox.NEW_INTAKE, f"ref-{i}")
    http.mode, http.delay = "slow", 0.05
    notifier = notifications.WebhookNotifier(f"{http.url}/hook", SECRET, 5)
    senders = [notifications.NotificationSender(store.engine, [notifier], poll_seconds=0.05) for _ in range(2)]
    for each in senders:
        each.start()
    try:
        assert wait_until(lambda: not store.notifications("unsent"), 30)
    finally:
        for each in senders:
            each.stop()
    assert sorted(h["reference"] for h in http.bodies("/hook")) == sorted(f"ref-{i}" for i in range(12))


def test_a_database_error_in_a_transaction_is_a_store_error(tmp_path):
    broken = IntakeStore("postgresql://nobody@127.0.0.1:1/none")
    with pytest.raises(IntakeStoreError):
        broken.add_notification(outbox.NEW_INTAKE, "x")


def test_on_postgresql_the_outbox_delivers_once_and_rolls_back_with_the_transaction(http):
    from tests.test_intake_store import POSTGRES_URL, require_postgres

    require_postgres()
    store = IntakeStore(POSTGRES_URL)
    mine = f"pg-{os.getpid()}-{time.time_ns()}"  # the database is shared: only this test's rows
    with pytest.raises(RuntimeError):
        with store.transaction() as connection:
            outbox.add_notification(connection, outbox.HANDOFF_REQUEST, mine + "-rolled-back")
            raise RuntimeError("the record's write failed")
    store.add_notification(outbox.URGENT_SAFETY, mine)
    assert store.add_notification(outbox.URGENT_SAFETY, mine) is False
    notifier = notifications.WebhookNotifier(f"{http.url}/hook", SECRET, 5)
    delivering = notifications.NotificationSender(store.engine, [notifier])
    try:
        while delivering.run_once():
            pass
        assert [h["reference"] for h in http.bodies("/hook") if h["reference"].startswith(mine)] == [mine]
    finally:
        with store.transaction() as connection:
            connection.execute(
                outbox.notification_outbox.delete().where(outbox.notification_outbox.c.reference.like(mine + "%"))
            )
