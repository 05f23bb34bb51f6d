"""A fresh clone served as ../shared/CONTRACT.md's Serving section says (issue 15: M6, H4,
H5, M3): `intake-rasa run --enable-api` with the default endpoints.yml and credentials.yml,
and the action server, both started in a directory without var/. The stores create
var/ (0700) and their files (0600), every turn lands in one conversation (no fallback
to memory), Rasa finds the action server on the port it was given
(INTAKE_ACTIONS_PORT, no URL set), and "delete my data" leaves no copy of what was
said in the database files' bytes."""

import shutil
import subprocess
import time
from contextlib import ExitStack

import pytest

from tests.conftest import MODEL_PATH, ROOT
from tests.servers import ACTION_SERVER, RASA, conversation, env, free_port, get_json, process, send, wait_for

EMAIL, PHONE = "jane.qwertzuiop@example.com", "555 0199 4821"
DISCLOSURE = "really overwhelmed lately"  # from the seed conversation: presenting_problem


def mode(path):
    return oct(path.stat().st_mode & 0o777)


@pytest.fixture(scope="module")
def clone(tmp_path_factory):
    if not MODEL_PATH.exists():
        pytest.fail("no trained model: run `make test`, which trains it first")
    work = tmp_path_factory.mktemp("fresh")
    clone = work / "clone"
    clone.mkdir()
    for name in ("endpoints.yml", "credentials.yml"):
        shutil.copy(ROOT / name, clone / name)
    (clone / "models").symlink_to(ROOT / "models")  # the trained model and spaCy pipeline
    actions_port, rasa_port = free_port(), free_port()
    # Nothing names the action server's URL or the databases: the defaults must agree.
    defaults = {
        "INTAKE_ACTIONS_PORT": str(actions_port),
        "INTAKE_ACTIONS_URL": "",
        "INTAKE_DATABASE_URL": "",
        "INTAKE_TRACKER_URL": "",
        "INTAKE_SPOOL_DIR": "",
    }
    with ExitStack() as stack:
        stack.enter_context(process(ACTION_SERVER, work / "actions.log", cwd=clone, extra_env=defaults))
        stack.enter_context(
            process(
                [RASA, "run", "--enable-api", "-m", str(MODEL_PATH), "-p", str(rasa_port), "-i", "127.0.0.1"],
                work / "rasa.log",
                cwd=clone,
                extra_env=defaults,
            )
        )
        wait_for(f"http://127.0.0.1:{actions_port}/health")
        wait_for(f"http://127.0.0.1:{rasa_port}/status")
        yield {"dir": clone, "port": rasa_port, "work": work}


def texts(replies):
    return " ".join(reply.get("text", "") for reply in replies)


@pytest.mark.patched  # intake_rasa_patches/action_endpoint_env.py sends the action server's secret
def test_the_stores_make_var_and_keep_every_turn(clone):
    var = clone["dir"] / "var"
    assert var.is_dir() and mode(var) == "0o700"  # made by the tracker store at start
    port = clone["port"]
    reply = texts(send(port, "fresh", "hi"))
    assert "Is that okay with you?" in reply  # action_continue_intake: the action server was reached
    send(port, "fresh", "yes, that's okay")
    events = get_json(port, "/conversations/fresh/tracker")["events"]
    assert [e["text"] for e in events if e["event"] == "user"] == ["hi", "yes, that's okay"]
    for name in ("tracker.db", "tracker.db-wal", "tracker.db-shm"):
        assert mode(var / name) == "0o600", name


@pytest.mark.patched  # intake_rasa_patches/action_endpoint_env.py sends the action server's secret
def test_delete_my_data_leaves_no_copy_in_the_database_files(clone):
    port, var = clone["port"], clone["dir"] / "var"
    for line in conversation():
        send(port, "erase-me", line)
    send(port, "erase-me", f"you can email me at {EMAIL} or call {PHONE}")
    assert get_json(port, "/conversations/erase-me/tracker")["slots"]["intake_id"]  # the record was stored
    assert mode(var / "intake.db") == "0o600"
    before = b"".join(path.read_bytes() for path in var.glob("*.db*"))
    assert EMAIL.encode() in before and DISCLOSURE.encode() in before  # the check can fail

    assert "delete" in texts(send(port, "erase-me", "delete my data")).lower()
    assert "deleted" in texts(send(port, "erase-me", "yes"))
    for path in sorted(var.glob("*.db*")):
        data = path.read_bytes()
        for secret in (EMAIL, PHONE, DISCLOSURE):
            assert secret.encode() not in data, (path.name, secret)
    assert (var / "tracker.db-wal").stat().st_size == 0  # the log was emptied, not only overwritten


def test_a_store_that_cannot_create_its_file_stops_the_server(tmp_path):
    (tmp_path / "endpoints.yml").write_text(
        "tracker_store:\n  type: intake_stores.tracker_store.CachedSQLTrackerStore\n"
        "  dialect: sqlite\n  db: /proc/no-such-place/tracker.db\n"
    )
    (tmp_path / "models").symlink_to(ROOT / "models")
    result = subprocess.run(
        [RASA, "run", "-m", str(MODEL_PATH), "-p", str(free_port()), "-i", "127.0.0.1", "--endpoints", "endpoints.yml"],
        cwd=tmp_path,
        env={**env(), "INTAKE_ACTIONS_URL": "http://127.0.0.1:9/webhook"},
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert result.returncode != 0
    assert (
        "The tracker store cannot create its database file /proc/no-such-place/tracker.db"
        in result.stdout + result.stderr
    )


def test_the_http_api_is_never_served_without_a_token_off_loopback(tmp_path):
    environment = {k: v for k, v in env().items() if k != "RASA_AUTH_TOKEN"}
    result = subprocess.run(
        [RASA, "run", "--enable-api", "-m", str(MODEL_PATH), "-p", str(free_port())],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0 and "refusing to serve the HTTP API without a token" in result.stderr
    # The image's command (Dockerfile CMD) is the same intake-rasa run without -i.
    assert 'CMD ["intake-rasa", "run", "--enable-api"' in (ROOT / "Dockerfile").read_text()


def test_every_entry_point_makes_private_files(tmp_path):
    """python -m intake (staff CLI) creates the intake database 0600 in a 0700 var/."""
    result = subprocess.run(
        [str(ROOT / ".venv" / "bin" / "python"), "-m", "intake", "list"],
        cwd=tmp_path,
        env={**env(), "INTAKE_DATABASE_URL": "", "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert mode(tmp_path / "var") == "0o700" and mode(tmp_path / "var" / "intake.db") == "0o600"


def test_serve_with_the_page_port_taken_leaves_nothing_running(tmp_path):
    """L7: `make serve` when the chat page's port is busy: a clear message, and no action
    server left behind on its port."""
    import socket

    from tests.servers import PYTHON

    actions_port, busy = free_port(), socket.socket()
    busy.bind(("127.0.0.1", free_port()))
    busy.listen(1)
    try:
        result = subprocess.run(
            [
                PYTHON,
                "-m",
                "intake.serve",
                "--port",
                str(free_port()),
                "--actions-port",
                str(actions_port),
                "--web-port",
                str(busy.getsockname()[1]),
            ],
            cwd=ROOT,
            env={**env(), "INTAKE_AUTH_TOKEN_FILE": str(tmp_path / "token")},
            capture_output=True,
            text=True,
            timeout=120,
        )
    finally:
        busy.close()
    assert result.returncode != 0 and "The chat page cannot listen on" in result.stderr, result.stderr
    time.sleep(4)  # an action server started anyway would be listening by now
    with socket.socket() as probe:
        assert probe.connect_ex(("127.0.0.1", actions_port)) != 0  # no action server was left running
