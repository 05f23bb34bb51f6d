"""Slack and Telegram against local fakes of their APIs: a signed Slack event and a
Telegram update with the right secret get the bot's reply delivered to the fake API;
a bad signature or a wrong secret is refused and nothing is stored; Slack's retries are
answered once; the server starts with Telegram unreachable, and with neither channel
configured."""

import hashlib
import hmac
import json
import time
import urllib.error
import urllib.request
from contextlib import ExitStack

import pytest

from tests.conftest import MODEL_PATH
from tests.fake_apis import FakeApi
from tests.servers import ACTION_SERVER, RASA, free_port, get_json, process, wait_for, write_endpoints

SLACK_SECRET = "test-signing-secret"
TELEGRAM_TOKEN = "123456:TEST"
TELEGRAM_SECRET = "test-secret-token"


@pytest.fixture(scope="module")
def rasa(tmp_path_factory):
    if not MODEL_PATH.exists():
        pytest.fail("no trained model: run `make test`, which trains it first")
    work = tmp_path_factory.mktemp("channels")
    slack, telegram = FakeApi(free_port()).start(), FakeApi(free_port()).start()
    actions_port, rasa_port = free_port(), free_port()
    endpoints = write_endpoints(work / "endpoints.yml", actions_port, work / "tracker.db")
    channel_env = {
        "SLACK_BOT_TOKEN": "xoxb-test",
        "SLACK_SIGNING_SECRET": SLACK_SECRET,
        "SLACK_API_URL": f"http://127.0.0.1:{slack.port}/api/",
        "TELEGRAM_TOKEN": TELEGRAM_TOKEN,
        "TELEGRAM_SECRET_TOKEN": TELEGRAM_SECRET,
        "TELEGRAM_API_URL": f"http://127.0.0.1:{telegram.port}",
        "TELEGRAM_WEBHOOK_URL": "https://practice.example/webhooks/telegram/webhook",
    }
    with ExitStack() as stack:
        stack.callback(slack.stop)
        stack.callback(telegram.stop)
        stack.enter_context(
            process(
                ACTION_SERVER + ["--port", str(actions_port)],
                work / "actions.log",
                extra_env={"INTAKE_DATABASE_URL": f"sqlite:///{work}/intake.db"},
            )
        )
        stack.enter_context(
            process(
                [
                    RASA,
                    "run",
                    "--enable-api",
                    "-m",
                    str(MODEL_PATH),
                    "-p",
                    str(rasa_port),
                    "-i",
                    "127.0.0.1",
                    "--endpoints",
                    str(endpoints),
                    "--credentials",
                    "credentials.yml",
                ],
                work / "rasa.log",
                extra_env=channel_env,
            )
        )
        wait_for(f"http://127.0.0.1:{actions_port}/health")
        wait_for(f"http://127.0.0.1:{rasa_port}/status")
        yield {"port": rasa_port, "slack": slack, "telegram": telegram, "work": work}


def post(port, path, body: bytes, headers):
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}{path}", data=body, headers={"Content-Type": "application/json", **headers}
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as reply:
            return reply.status
    except urllib.error.HTTPError as error:
        return error.code


def user_turns(port, sender):
    return [e["text"] for e in get_json(port, f"/conversations/{sender}/tracker")["events"] if e["event"] == "user"]


def stored_turns(port, sender, expected, seconds=15):
    """The user turns once the expected ones are stored: Slack and Telegram replies can
    reach the API before Rasa saves the turn, at the end of handling it."""
    deadline = time.monotonic() + seconds
    while user_turns(port, sender) != expected and time.monotonic() < deadline:
        time.sleep(0.2)
    return user_turns(port, sender)


def slack_event(user, text, event_id):
    return json.dumps(
        {
            "token": "x",
            "team_id": "T1",
            "api_app_id": "A1",
            "type": "event_callback",
            "event_id": event_id,
            "event": {
                "type": "message",
                "channel_type": "im",
                "user": user,
                "text": text,
                "channel": f"D-{user}",
                "ts": str(time.time()),
            },
            "authorizations": [{"user_id": "UBOT"}],
        }
    ).encode()


def slack_headers(body, secret=SLACK_SECRET, **extra):
    timestamp = str(int(time.time()))
    digest = hmac.new(secret.encode(), f"v0:{timestamp}:".encode() + body, hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": timestamp, "X-Slack-Signature": f"v0={digest}", **extra}


def test_the_telegram_webhook_is_registered_with_the_secret(rasa):
    (registration,) = rasa["telegram"].wait_for("setWebhook", 1)
    assert registration["secret_token"] == TELEGRAM_SECRET
    assert registration["url"].endswith("/webhooks/telegram/webhook")


def test_a_signed_slack_message_is_answered_in_slack(rasa):
    body = slack_event("U1", "I've been feeling really overwhelmed at work", "Ev1")
    assert post(rasa["port"], "/webhooks/slack/webhook", body, slack_headers(body)) == 200
    replies = rasa["slack"].wait_for("chat.postMessage", 2)
    assert all(r["channel"] == "D-U1" for r in replies)
    assert any("a lot to carry" in r.get("text", "") or "Is that okay with you?" in r.get("text", "") for r in replies)
    expected = ["I've been feeling really overwhelmed at work"]
    assert stored_turns(rasa["port"], "slack:U1", expected) == expected


def test_a_badly_signed_slack_message_is_refused_and_not_stored(rasa):
    body = slack_event("U2", "hello", "Ev2")
    status = post(rasa["port"], "/webhooks/slack/webhook", body, slack_headers(body, secret="wrong"))
    assert status == 400
    time.sleep(1)
    assert user_turns(rasa["port"], "slack:U2") == []
    assert not [r for r in rasa["slack"].sent("chat.postMessage") if r["channel"] == "D-U2"]


def test_a_slack_retry_is_not_answered_twice(rasa):
    body = slack_event("U3", "how much does it cost?", "Ev3")
    assert post(rasa["port"], "/webhooks/slack/webhook", body, slack_headers(body)) == 200
    for attempt in ("1", "2"):
        retry = slack_headers(body, **{"X-Slack-Retry-Num": attempt, "X-Slack-Retry-Reason": "http_error"})
        assert post(rasa["port"], "/webhooks/slack/webhook", body, retry) == 200
    time.sleep(3)
    assert stored_turns(rasa["port"], "slack:U3", ["how much does it cost?"]) == ["how much does it cost?"]
    cost = [
        r
        for r in rasa["slack"].sent("chat.postMessage")
        if r["channel"] == "D-U3" and "Fees depend" in r.get("text", "")
    ]
    assert len(cost) == 1


def telegram_update(chat_id, text, update_id):
    return json.dumps(
        {
            "update_id": update_id,
            "message": {
                "message_id": update_id,
                "date": int(time.time()),
                "text": text,
                "chat": {"id": chat_id, "type": "private"},
                "from": {"id": chat_id, "is_bot": False, "first_name": "A"},
            },
        }
    ).encode()


def test_a_telegram_update_with_the_secret_is_answered_in_telegram(rasa):
    body = telegram_update(1001, "I want to kill myself", 1)
    assert (
        post(rasa["port"], "/webhooks/telegram/webhook", body, {"X-Telegram-Bot-Api-Secret-Token": TELEGRAM_SECRET})
        == 200
    )
    replies = [r for r in rasa["telegram"].wait_for("sendMessage", 1) if r["chat_id"] == "1001"]
    text = " ".join(r["text"] for r in replies)
    assert "988" in text and "Are you safe right now?" in text  # the same crisis response
    assert stored_turns(rasa["port"], "telegram:1001", ["I want to kill myself"]) == ["I want to kill myself"]
    assert get_json(rasa["port"], "/conversations/telegram:1001/tracker")["slots"]["risk_flag"] is True


def test_telegram_buttons_come_back_as_callback_queries(rasa):
    def send(body):
        return post(
            rasa["port"], "/webhooks/telegram/webhook", body, {"X-Telegram-Bot-Api-Secret-Token": TELEGRAM_SECRET}
        )

    assert send(telegram_update(1003, "hello", 3)) == 200
    deadline = time.monotonic() + 30
    while not [r for r in rasa["telegram"].sent("sendMessage") if r["chat_id"] == "1003" and "reply_markup" in r]:
        assert time.monotonic() < deadline
        time.sleep(0.1)
    (consent,) = [r for r in rasa["telegram"].sent("sendMessage") if r["chat_id"] == "1003" and "reply_markup" in r]
    yes = consent["reply_markup"]["inline_keyboard"][0][0]
    assert yes["callback_data"] == "/affirm"
    callback = json.dumps(
        {
            "update_id": 4,
            "callback_query": {
                "id": "q1",
                "data": yes["callback_data"],
                "from": {"id": 1003},
                "message": {"message_id": 9, "chat": {"id": 1003, "type": "private"}},
            },
        }
    ).encode()
    assert send(callback) == 200
    assert get_json(rasa["port"], "/conversations/telegram:1003/tracker")["slots"]["consent_given"] is True


@pytest.mark.parametrize("headers", [{}, {"X-Telegram-Bot-Api-Secret-Token": "wrong"}])
def test_a_telegram_update_without_the_right_secret_is_refused_and_not_stored(rasa, headers):
    body = telegram_update(1002, "hello", 2)
    assert post(rasa["port"], "/webhooks/telegram/webhook", body, headers) == 401
    time.sleep(1)
    assert user_turns(rasa["port"], "telegram:1002") == []
    assert not [r for r in rasa["telegram"].sent("sendMessage") if r["chat_id"] == "1002"]


@pytest.mark.parametrize("chat_id", [{"id": 1}, [1], "x\ud800", "a" * 200, True])
def test_a_telegram_update_with_a_chat_id_no_store_can_keep_is_dropped(rasa, chat_id):
    """Issue 15, C1: a chat id reaches the tracker store as a conversation id."""
    body = json.dumps(
        {"update_id": 9, "message": {"message_id": 9, "text": "hello", "chat": {"id": chat_id, "type": "private"}}}
    ).encode()
    before = len(rasa["telegram"].sent("sendMessage"))
    assert (
        post(rasa["port"], "/webhooks/telegram/webhook", body, {"X-Telegram-Bot-Api-Secret-Token": TELEGRAM_SECRET})
        == 200
    )
    time.sleep(1)
    assert len(rasa["telegram"].sent("sendMessage")) == before
    assert get_json(rasa["port"], "/status")["model_file"]  # still serving


def test_the_server_starts_without_channel_variables_and_with_telegram_unreachable(tmp_path):
    for extra in (
        {},
        {
            "TELEGRAM_TOKEN": TELEGRAM_TOKEN,
            "TELEGRAM_SECRET_TOKEN": TELEGRAM_SECRET,
            "TELEGRAM_API_URL": f"http://127.0.0.1:{free_port()}",
            "TELEGRAM_WEBHOOK_URL": "https://practice.example/webhooks/telegram/webhook",
        },
    ):
        port = free_port()
        environment = {
            "SLACK_BOT_TOKEN": "",
            "SLACK_SIGNING_SECRET": "",
            "TELEGRAM_TOKEN": "",
            "TELEGRAM_SECRET_TOKEN": "",
            **extra,
        }
        endpoints = write_endpoints(tmp_path / "endpoints.yml", free_port(), tmp_path / "tracker.db")
        with process(
            [
                RASA,
                "run",
                "--enable-api",
                "-m",
                str(MODEL_PATH),
                "-p",
                str(port),
                "-i",
                "127.0.0.1",
                "--endpoints",
                str(endpoints),
                "--credentials",
                "credentials.yml",
            ],
            tmp_path / f"rasa-{port}.log",
            extra_env=environment,
        ):
            wait_for(f"http://127.0.0.1:{port}/status")
            status = post(port, "/webhooks/slack/webhook", b"{}", {})
            assert status == 503  # Slack off
            time.sleep(1)
            assert get_json(port, "/status")["model_file"]  # still serving
        if extra:
            assert "Registering the Telegram webhook failed" in (tmp_path / f"rasa-{port}.log").read_text()
