"""Escalation and staff notifications over the REST channel: real Rasa and action servers
on loopback with all three notifiers pointed at local fakes (a signed-webhook and Slack
receiver, an SMTP server with STARTTLS)."""

import statistics
import time
from contextlib import ExitStack

import pytest

from intake_stores.intake_records import IntakeStore
from tests.conftest import MODEL_PATH
from tests.notification_fakes import HTTPReceiver, SMTPReceiver, wait_until
from tests.servers import assistant, free_port, get_json, send

SECRET = "e2e-webhook-secret"
CRISIS = "I want to kill myself, I've been thinking about it all week"


def texts(replies):
    return " ".join(r.get("text", "") for r in replies)


@pytest.fixture(scope="module")
def setup(tmp_path_factory):
    if not MODEL_PATH.exists():
        pytest.fail("no trained model: run `make test`, which trains it first")
    work = tmp_path_factory.mktemp("notify")
    (work / "smtp").mkdir()
    http = HTTPReceiver(free_port(), SECRET).start()
    smtp = SMTPReceiver(free_port(), work / "smtp").start()
    intake_url = f"sqlite:///{work}/intake.db"
    values = {
        "INTAKE_DATABASE_URL": intake_url,
        "INTAKE_NOTIFY_SLACK_WEBHOOK_URL": f"{http.url}/slack",
        "INTAKE_NOTIFY_WEBHOOK_URL": f"{http.url}/hook",
        "INTAKE_NOTIFY_WEBHOOK_SECRET": SECRET,
        "INTAKE_NOTIFY_TIMEOUT_SECONDS": "3",
        "INTAKE_NOTIFY_POLL_SECONDS": "0.2",
        "INTAKE_NOTIFY_RETRY_SECONDS": "0.5",
        **smtp.environment(),
    }
    with ExitStack() as stack:
        stack.callback(http.stop)
        servers = stack.enter_context(assistant(work, env=values))
        state = {
            "port": servers.port,
            "store": IntakeStore(intake_url),
            "http": http,
            "smtp": smtp,
            "work": work,
            "actions": servers.actions,
        }
        yield state
        state["smtp"].stop()


def urgent_hooks(setup):
    return [h for h in setup["http"].bodies("/hook") if h["category"] == "urgent_safety"]


def test_a_crisis_with_consent_declined_is_recorded_and_notified_without_text(setup):
    port, store, http = setup["port"], setup["store"], setup["http"]
    send(port, "declined", "hi")
    send(port, "declined", "no")
    state = get_json(port, "/conversations/declined/tracker")
    assert state["slots"].get("consent_given") is False, state["slots"].get("consent_given")

    reply = texts(send(port, "declined", CRISIS))
    assert "988" in reply and "I've let the practice's on-call team know." in reply

    assert wait_until(lambda: len(urgent_hooks(setup)) == 1, 20)
    [record] = [r for r in store.safety_records() if r.conversation_id == "declined"]
    assert (record.tier, record.channel) == ("crisis", "rest")
    assert store.get("declined") is None  # no intake record without consent
    [hook] = urgent_hooks(setup)
    assert hook["reference"] == record.id and set(hook) == {"id", "category", "reference", "created_at"}
    assert http.bad_signatures == 0
    assert wait_until(lambda: any(record.id in s["text"] for s in http.bodies("/slack")), 20)
    for body in http.bodies("/slack"):
        assert set(body) == {"text"} and "kill" not in body["text"] and "declined" not in body["text"]
    assert wait_until(lambda: any(record.id in m["content"] for m in setup["smtp"].messages), 20)
    assert all(m["tls"] for m in setup["smtp"].messages)
    raw = (setup["work"] / "intake.db").read_bytes()
    assert b"kill myself" not in raw and b"all week" not in raw


def _timed_crisis_turns(port, prefix, count=4):
    times = []
    for i in range(count):
        start = time.monotonic()
        reply = texts(send(port, f"{prefix}-{i}", CRISIS))
        times.append(time.monotonic() - start)
        assert "988" in reply
    return times


def test_a_slow_or_refusing_notifier_never_delays_a_turn_and_nothing_is_lost(setup):
    port, http = setup["port"], setup["http"]
    up = _timed_crisis_turns(port, "up")
    http.mode, http.delay = "hang", 4.0  # every delivery hangs past the notifier's timeout
    slow = _timed_crisis_turns(port, "slow")
    http.stop()  # connection refused
    setup["smtp"].stop()
    down = _timed_crisis_turns(port, "down")
    print(
        f"crisis turn seconds, median: notifier up {statistics.median(up):.2f}, "
        f"hanging {statistics.median(slow):.2f}, refusing {statistics.median(down):.2f}"
    )
    bound = 2 * statistics.median(up) + 1.0
    assert statistics.median(slow) < bound and statistics.median(down) < bound, (up, slow, down)
    assert max(slow + down) < 5.0, (slow, down)

    http.mode = "up"
    http.start()
    setup["smtp"] = SMTPReceiver(setup["smtp"].port, setup["work"] / "smtp").start()
    senders = [f"{p}-{i}" for p in ("up", "slow", "down") for i in range(4)]
    records = {r.conversation_id: r.id for r in setup["store"].safety_records()}
    assert set(senders) <= set(records)
    expected = sorted(records[s] for s in senders)
    assert wait_until(lambda: not setup["store"].notifications("unsent"), 90), setup["store"].notifications()
    delivered = sorted(h["reference"] for h in urgent_hooks(setup) if h["reference"] in expected)
    assert delivered == expected  # each exactly once, whether it was sent up, slow or down
    ids = [h["id"] for h in urgent_hooks(setup)]
    assert len(ids) == len(set(ids))


def test_with_the_action_server_down_the_escalation_still_reaches_the_on_call_team(setup):
    """Runs last: stops the action server (its sender too); the Rasa server's sender sends."""
    setup["actions"].terminate()
    setup["actions"].wait(timeout=20)
    reply = texts(send(setup["port"], "no-actions", "I took all my pills an hour ago"))
    assert "988" in reply
    records = [r for r in setup["store"].safety_records() if r.conversation_id == "no-actions"]
    assert len(records) == 1
    assert wait_until(lambda: [h["reference"] for h in urgent_hooks(setup)].count(records[0].id) == 1, 20)
