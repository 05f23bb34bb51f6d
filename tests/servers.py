"""Starting the servers on loopback ports and talking to them over REST (tests and bench)."""

import base64
import hashlib
import hmac
import json
import os
import random
import secrets
import socket
import subprocess
import time
import urllib.request
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, Iterator, List, Optional, Sequence

ROOT = Path(__file__).resolve().parent.parent
MODEL_PATH = ROOT / "models" / "intake.tar.gz"
# The project's Rasa command (intake_rasa_patches/cli.py); STOCK_RASA for the stock baseline.
RASA = str(ROOT / ".venv" / "bin" / "intake-rasa")
STOCK_RASA = str(ROOT / ".venv" / "bin" / "rasa")
PYTHON = str(ROOT / ".venv" / "bin" / "python")
ACTION_SERVER = [PYTHON, "-m", "actions"]  # the hardened action server (actions/__main__.py)
SEED = ROOT / "tests" / "data" / "intake_transcript.txt"  # a copy of the seed (tests/data/README.md)
# The patient's lines of the seed transcript, verbatim (tests/test_seed_lines.py checks them
# against the seed file).
SEED_PATIENT_LINES = [
    "Hi, I'm really glad we're having this session today.",
    "Well, I've been feeling really overwhelmed lately. My job has been really stressful and I just "
    "can't seem to keep up with everything. It's starting to affect my personal life too.",
    "Yeah, my workload has just been piling up and I feel like I can't get anything done. I'm constantly "
    "stressed and anxious, and I'm not sleeping well.",
    "I've tried some breathing exercises and meditation, but they don't seem to be helping much. "
    "I just feel like I can't escape the stress.",
    "I have, but I'm worried that they'll think I can't handle the job. I don't want to seem weak or incapable.",
    "No, I haven't. What is it?",
    "That sounds like it could be helpful. I've been feeling really isolated lately, and I think it's been "
    "contributing to my stress.",
    "That sounds like it could be really helpful for me. How long does the therapy usually take?",
    "Okay, that doesn't sound too bad. How often would we meet?",
    "Okay, that sounds doable. I think I would like to try that.",
    "Thank you so much for your help. I'm really looking forward to getting started.",
]
# Where the transcript has no line: the consent answer, the scheduling answers and the
# answer to "may I take your contact details?" (declined here: tests/e2e/test_contact_handoff.py
# gives them).
CONSENT_LINE = "yes, that's okay"
SCHEDULING_LINES = ["Tuesday and Thursday evenings", "by video please", "yes"]
CONTACT_LINES = ["no thanks"]


# The secret the servers started here sign conversation ids with (intake_channels/ownership.py),
# so the tests can sign their REST senders as an integration holding the secret would.
CONVERSATION_SECRET = "tests-conversation-secret"
# The shared secret the Rasa server sends the action server (endpoints' headers), one per run.
ACTIONS_TOKEN = os.environ.get("INTAKE_ACTIONS_TOKEN") or secrets.token_urlsafe(24)
ACTIONS_AUTH = {"Authorization": f"Bearer {ACTIONS_TOKEN}"}


def env() -> Dict[str, str]:
    return dict(
        os.environ,
        RASA_TELEMETRY_ENABLED="false",
        TQDM_DISABLE="1",
        TF_CPP_MIN_LOG_LEVEL="3",
        INTAKE_CONVERSATION_SECRET=CONVERSATION_SECRET,
        INTAKE_ACTIONS_TOKEN=ACTIONS_TOKEN,
    )


def signed(sender: str, channel: str = "rest", secret: str = CONVERSATION_SECRET) -> str:
    """The REST `sender` that owns conversation `<sender>`: `<sender>.<HMAC>`."""
    digest = hmac.new(secret.encode(), f"{channel}:{sender}".encode(), hashlib.sha256).digest()
    return f"{sender}.{base64.urlsafe_b64encode(digest).decode().rstrip('=')}"


def rest_id(sender: str) -> str:
    """The conversation id the stores and the HTTP API use for a REST sender."""
    return sender


def conversation() -> List[str]:
    lines = SEED_PATIENT_LINES
    return lines[:1] + [CONSENT_LINE] + lines[1:-1] + SCHEDULING_LINES + CONTACT_LINES + lines[-1:]


_HANDED_OUT = set()


def free_port() -> int:
    """A free port below Linux's ephemeral range (32768+), so that no outgoing connection
    takes it between this check and the server's bind, and never the same one twice."""
    while True:
        port = random.randint(20000, 32000)
        if port in _HANDED_OUT:
            continue
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
        _HANDED_OUT.add(port)
        return port


def wait_for(url: str, seconds: float = 180) -> float:
    start = time.monotonic()
    while time.monotonic() - start < seconds:
        try:
            urllib.request.urlopen(url, timeout=2)
            return time.monotonic() - start
        except Exception:
            time.sleep(0.2)
    raise TimeoutError(f"{url} did not answer within {seconds}s")


@contextmanager
def process(
    args: List[str], log: Path, cwd: Path = ROOT, extra_env: Optional[Dict[str, str]] = None
) -> Iterator[subprocess.Popen]:
    with open(log, "w") as handle:
        proc = subprocess.Popen(
            args, cwd=cwd, env={**env(), **(extra_env or {})}, stdout=handle, stderr=subprocess.STDOUT
        )
        try:
            yield proc
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()


def send(port: int, sender: str, text: str, timeout: float = 60) -> List[dict]:
    """Sends `text` as the owner of conversation <sender> (a signed sender)."""
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/webhooks/rest/webhook",
        data=json.dumps({"sender": signed(sender), "message": text}).encode(),
        headers={"Content-Type": "application/json"},
    )
    return json.load(urllib.request.urlopen(request, timeout=timeout))


def post_raw(port: int, body: bytes, path: str = "/webhooks/rest/webhook", headers: Optional[dict] = None) -> tuple:
    """(status, parsed JSON body) for any body, including malformed ones."""
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}{path}", data=body, headers={"Content-Type": "application/json", **(headers or {})}
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as reply:
            return reply.status, json.loads(reply.read())
    except urllib.error.HTTPError as error:
        raw = error.read()
        try:
            return error.code, json.loads(raw)
        except ValueError:
            return error.code, {"message": raw.decode("utf-8", "replace")}


def get_json(port: int, path: str) -> dict:
    return json.load(urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=30))


def rasa_run(port: int, endpoints) -> List[str]:
    """The project's Rasa server on loopback with the HTTP API, the trained model and the
    given endpoints file (append further arguments to the list)."""
    return [
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
    ]


@dataclass
class Assistant:
    port: int  # the Rasa server's
    actions_port: int
    rasa: subprocess.Popen
    actions: subprocess.Popen
    work: Path


@contextmanager
def assistant(
    work: Path,
    rasa_args: Sequence[str] = (),
    env: Optional[Dict[str, str]] = None,
) -> Iterator[Assistant]:
    """The action server and the project's Rasa server on free loopback ports, their stores
    and logs in `work`, `env` added to both; stopped on leaving. `rasa_args` go after
    rasa_run's arguments."""
    env = {"INTAKE_DATABASE_URL": f"sqlite:///{work}/intake.db", **(env or {})}
    actions_port, port = free_port(), free_port()
    endpoints = write_endpoints(work / "endpoints.yml", actions_port, work / "tracker.db")
    with ExitStack() as stack:
        actions = stack.enter_context(
            process(
                ACTION_SERVER + ["--port", str(actions_port)],
                work / "actions.log",
                extra_env=env,
            )
        )
        rasa = stack.enter_context(
            process(rasa_run(port, endpoints) + list(rasa_args), work / "rasa.log", extra_env=env)
        )
        wait_for(f"http://127.0.0.1:{actions_port}/health")
        wait_for(f"http://127.0.0.1:{port}/")  # open even with --auth-token; Rasa listens once the model is loaded
        yield Assistant(port, actions_port, rasa, actions, work)


def write_endpoints(
    path: Path,
    actions_port: int,
    tracker_db: Path,
    tracker_store: str = "intake_stores.tracker_store.CachedSQLTrackerStore",
) -> Path:
    path.write_text(
        f"action_endpoint:\n  url: http://127.0.0.1:{actions_port}/webhook\n  enable_selective_domain: true\n"
        "  headers:\n    Authorization: Bearer ${INTAKE_ACTIONS_TOKEN}\n"
        f"tracker_store:\n  type: {tracker_store}\n  dialect: sqlite\n  db: {tracker_db}\n"
        "nlg:\n  type: intake_dialogue.response_generator.PracticeResponseGenerator\n"
    )
    return path


def rss_mb(pid: int) -> Optional[float]:
    return _proc_field_mb(f"/proc/{pid}/status", "VmRSS:")


def pss_mb(pid: int) -> Optional[float]:
    """Proportional set size: pages shared with other processes (forked workers share
    their parent's) counted once across them, not once in each."""
    return _proc_field_mb(f"/proc/{pid}/smaps_rollup", "Pss:")


def _proc_field_mb(path: str, field: str) -> Optional[float]:
    try:
        for line in Path(path).read_text().splitlines():
            if line.startswith(field):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def percentile(values: List[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]
