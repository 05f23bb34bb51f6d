"""The action server's hardening, and what the person sees when it is down or slow:
a short apology within 5 seconds, the turn stored, and the intake carrying on once the
server is back. Real Rasa and action servers on loopback ports."""
import json
import socket
import subprocess
import time
import urllib.error
import urllib.request
from contextlib import ExitStack

import pytest

from tests.conftest import MODEL_PATH
from tests.servers import ACTION_SERVER, RASA, free_port, get_json, process, send, wait_for, write_endpoints


def post(port, path, body: bytes):
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", data=body,
                                     headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=30) as reply:
            return reply.status, reply.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


@pytest.fixture(scope="module")
def action_server(tmp_path_factory):
    work = tmp_path_factory.mktemp("actions")
    port = free_port()
    with process(ACTION_SERVER + ["--port", str(port)], work / "actions.log",
                 extra_env={"INTAKE_DATABASE_URL": f"sqlite:///{work}/intake.db"}) as proc:
        wait_for(f"http://127.0.0.1:{port}/health")
        yield {"port": port, "pid": proc.pid, "log": work / "actions.log"}


def test_the_action_server_listens_on_loopback_only(action_server):
    listening = subprocess.run(["ss", "-ltnpH"], capture_output=True, text=True).stdout
    mine = [line for line in listening.splitlines() if f"pid={action_server['pid']}," in line]
    assert mine and all(line.split()[3] == f"127.0.0.1:{action_server['port']}" for line in mine), mine


@pytest.mark.parametrize("body", [
    b"not json {",
    json.dumps({"next_action": "action_continue_intake", "tracker": None, "domain": {}}).encode(),
    json.dumps({"next_action": "action_submit_intake", "domain": {},
                "tracker": {"sender_id": "Qwertz-secret", "events": "Qwertz-secret", "slots": 7,
                            "latest_message": "I feel hopeless Qwertz"}}).encode(),
])
def test_errors_never_echo_the_tracker(action_server, body):
    status, text = post(action_server["port"], "/webhook", body)
    assert status in (400, 500), text
    assert "Qwertz" not in text and "request_body" not in text and "Traceback" not in text
    assert "Qwertz" not in action_server["log"].read_text()


def test_no_cors_headers_for_other_origins(action_server):
    request = urllib.request.Request(
        f"http://127.0.0.1:{action_server['port']}/webhook", method="OPTIONS",
        headers={"Origin": "http://evil.example", "Access-Control-Request-Method": "POST"})
    with urllib.request.urlopen(request, timeout=10) as reply:
        assert reply.headers.get("Access-Control-Allow-Origin") is None


class BlackHole:
    """A port that accepts connections and never answers: a hung action server."""

    def __init__(self, port):
        self.socket = socket.socket()
        self.socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.socket.bind(("127.0.0.1", port))
        self.socket.listen(100)

    def close(self):
        self.socket.close()


def texts(replies):
    return " ".join(r.get("text", "") for r in replies)


def tracker(port, sender):
    return get_json(port, f"/conversations/{sender}/tracker")


@pytest.mark.patched  # intake_rasa_patches/action_server_guard.py: the timeout and the apology
def test_a_hung_then_restarted_action_server(tmp_path):
    if not MODEL_PATH.exists():
        pytest.fail("no trained model: run `make test`, which trains it first")
    actions_port, rasa_port = free_port(), free_port()
    endpoints = write_endpoints(tmp_path / "endpoints.yml", actions_port, tmp_path / "tracker.db")
    hole = BlackHole(actions_port)
    with ExitStack() as stack:
        stack.callback(hole.close)
        stack.enter_context(process(
            [RASA, "run", "--enable-api", "-m", str(MODEL_PATH), "-p", str(rasa_port), "-i", "127.0.0.1",
             "--endpoints", str(endpoints)], tmp_path / "rasa.log"))
        wait_for(f"http://127.0.0.1:{rasa_port}/status")

        start = time.monotonic()
        reply = texts(send(rasa_port, "outage", "hi"))
        elapsed = time.monotonic() - start
        assert "something on our side isn't working" in reply and elapsed < 5.0, f"{elapsed:.1f}s: {reply}"
        assert "988" in reply

        start = time.monotonic()
        reply = texts(send(rasa_port, "outage", "I want to end my life"))
        elapsed = time.monotonic() - start
        assert "concerned for your safety" in reply and elapsed < 2.0, f"{elapsed:.1f}s: {reply}"

        hole.close()
        stack.enter_context(process(ACTION_SERVER + ["--port", str(actions_port)], tmp_path / "actions.log",
                                    extra_env={"INTAKE_DATABASE_URL": f"sqlite:///{tmp_path}/intake.db"}))
        wait_for(f"http://127.0.0.1:{actions_port}/health")
        time.sleep(5.5)  # the guard's cooldown (INTAKE_ACTION_COOLDOWN)
        reply = texts(send(rasa_port, "outage", "hi"))
        assert "Is that okay with you?" in reply  # the intake goes on: the consent question

        state = tracker(rasa_port, "outage")
        assert [e["text"] for e in state["events"] if e["event"] == "user"] == [
            "hi", "I want to end my life", "hi"]
        assert state["slots"]["risk_flag"] is True
