"""Each runtime change's share of a turn (intake_rasa_patches): the CPU time of a turn with
every change installed, and with every change but one, in fresh processes.

Usage: .venv/bin/python bench/patch_shares.py [conversations]   (default 12, about 3 min)
One Rasa process talks to the action server in-process (Agent.handle_text, as the REST
channel does) through the seed conversation, one conversation after another, with the
SQLite tracker store of endpoints.yml. CPU time (time.process_time) rather than wall
time, so that other load on the machine counts less; the action server's CPU time is
read from /proc. A change's share = (CPU without it - CPU with all) / CPU without it.
"""

import json
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH.parent))
from tests.servers import ACTION_SERVER, PYTHON, ROOT, env, free_port, process, wait_for, write_endpoints  # noqa: E402

MODEL = ROOT / "models" / "intake.tar.gz"
CONVERSATIONS = int(sys.argv[1]) if len(sys.argv) > 1 else 12
# The changes made for speed; the others are fixes (safety, privacy, resilience) kept whatever they cost.
SPEED_CHANGES = ("applied_events", "action_reply_validation", "action_endpoint_session")

RUN = """
import asyncio, json, logging, os, sys, time, uuid
from intake_rasa_patches.cli import single_threaded_math
single_threaded_math()  # as intake-rasa runs
import intake_rasa_patches
leave_out = os.environ.get("LEAVE_OUT", "")
intake_rasa_patches.PATCHES = tuple(p for p in intake_rasa_patches.PATCHES if p.module != leave_out)
intake_rasa_patches.install()
from rasa.utils.log_utils import configure_structlog
configure_structlog(logging.WARNING)  # a server logs at INFO; debug events are not even formatted
from rasa.core.agent import load_agent
from rasa.core.utils import AvailableEndpoints
from tests.servers import conversation

async def main():
    agent = await load_agent(model_path=sys.argv[1], endpoints=AvailableEndpoints.read_endpoints(sys.argv[2]))
    await agent.handle_text(conversation()[0], sender_id="warm-up")
    turns, started = 0, time.process_time()
    for _ in range(int(sys.argv[3])):
        sender = uuid.uuid4().hex
        for line in conversation():
            await agent.handle_text(line, sender_id=sender)
            turns += 1
    print(json.dumps({"turns": turns, "cpu_ms": (time.process_time() - started) * 1000}))

asyncio.run(main())
"""


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / 100  # utime + stime, clock ticks


def measure(leave_out: str, endpoints: Path, actions_pid: int) -> dict:
    before = cpu_seconds(actions_pid)
    done = subprocess.run(
        [PYTHON, "-c", textwrap.dedent(RUN), str(MODEL), str(endpoints), str(CONVERSATIONS)],
        cwd=ROOT,
        env=dict(env(), LEAVE_OUT=leave_out),
        capture_output=True,
        text=True,
        check=True,
    )
    result = json.loads(next(line for line in reversed(done.stdout.splitlines()) if line.startswith('{"turns"')))
    return {
        "rasa_ms": result["cpu_ms"] / result["turns"],
        "actions_ms": (cpu_seconds(actions_pid) - before) * 1000 / result["turns"],
    }


def main() -> int:
    import intake_rasa_patches

    work = Path(tempfile.mkdtemp(prefix="intake-shares-"))
    port = free_port()
    results = {}
    with process(
        ACTION_SERVER + ["--port", str(port)],
        work / "actions.log",
        extra_env={"INTAKE_DATABASE_URL": f"sqlite:///{work}/intake.db"},
    ) as actions:
        wait_for(f"http://127.0.0.1:{port}/health")
        for leave_out in [""] + [
            patch.module for patch in intake_rasa_patches.PATCHES if patch.module in SPEED_CHANGES
        ]:
            endpoints = write_endpoints(
                work / f"endpoints-{leave_out or 'all'}.yml", port, work / f"tracker-{leave_out or 'all'}.db"
            )
            results[leave_out or "all"] = measure(leave_out, endpoints, actions.pid)
            print(leave_out or "all", results[leave_out or "all"], flush=True)
    every = results["all"]
    print(
        f"\nCPU per turn with every change: Rasa {every['rasa_ms']:.1f} ms, action server {every['actions_ms']:.1f} ms"
    )
    print(f"{'left out':26}{'Rasa ms':>10}{'actions ms':>12}{'share of a turn':>18}")
    for name, result in results.items():
        if name == "all":
            continue
        total, total_all = result["rasa_ms"] + result["actions_ms"], every["rasa_ms"] + every["actions_ms"]
        print(f"{name:26}{result['rasa_ms']:10.1f}{result['actions_ms']:12.1f}{(total - total_all) / total:17.1%}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
