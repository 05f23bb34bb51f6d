"""Starting the servers on loopback ports and talking to them over REST (tests and bench)."""
import json
import os
import socket
import subprocess
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path
from typing import Dict, Iterator, List, Optional

ROOT = Path(__file__).resolve().parent.parent
RASA = str(ROOT / ".venv" / "bin" / "rasa")
SEED = ROOT.parent / "shared" / "seeds" / "intake_transcript.txt"
# The patient's lines of the seed, with the answers the transcript has no line for.
FALLBACK_SEED_LINES = [
    "Hi, I'm really glad we're having this session today.",
    "Well, I've been feeling really overwhelmed lately. My job has been really stressful.",
]
SCHEDULING_LINES = ["Tuesday and Thursday evenings", "by video please", "yes"]
CONSENT_LINE = "yes, that's okay"


def env() -> Dict[str, str]:
    return dict(os.environ, RASA_TELEMETRY_ENABLED="false", TQDM_DISABLE="1", TF_CPP_MIN_LOG_LEVEL="3")


def conversation() -> List[str]:
    if SEED.exists():
        lines = [l[len("Patient: "):].strip() for l in SEED.read_text().splitlines() if l.startswith("Patient: ")]
    else:
        lines = FALLBACK_SEED_LINES
    # The greeting is followed by the consent question: the person agrees.
    return lines[:1] + [CONSENT_LINE] + lines[1:-1] + SCHEDULING_LINES + lines[-1:]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


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
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/webhooks/rest/webhook",
        data=json.dumps({"sender": sender, "message": text}).encode(),
        headers={"Content-Type": "application/json"},
    )
    return json.load(urllib.request.urlopen(request, timeout=timeout))


def get_json(port: int, path: str) -> dict:
    return json.load(urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=30))


def write_endpoints(
    path: Path, actions_port: int, tracker_db: Path,
    tracker_store: str = "intake.tracker_store.CachedSQLTrackerStore",
) -> Path:
    path.write_text(
        f"action_endpoint:\n  url: http://127.0.0.1:{actions_port}/webhook\n"
        f"tracker_store:\n  type: {tracker_store}\n  dialect: sqlite\n  db: {tracker_db}\n"
        "nlg:\n  type: intake.nlg.PracticeResponseGenerator\n"
    )
    return path


def rss_mb(pid: int) -> Optional[float]:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def percentile(values: List[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]
