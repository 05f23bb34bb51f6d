"""bench/hostile_input.py as a test: it starts its own servers on loopback and sends
over 100 kinds of bad input over REST and socket.io; every one must be handled (a clear
refusal or a readable answer, never a 5xx, `200 []` or silence) and the server must
still serve everybody afterwards."""

import json
import subprocess

import pytest

from tests.conftest import MODEL_PATH, ROOT
from tests.servers import PYTHON, env


@pytest.mark.patched  # intake_rasa_patches/command_guard.py refuses a typed /intent
def test_every_hostile_input_is_handled_and_the_server_stays_up():
    if not MODEL_PATH.exists():
        pytest.fail("no trained model: run `make test`, which trains it first")
    run = subprocess.run(
        [PYTHON, str(ROOT / "bench" / "hostile_input.py"), "--json"],
        cwd=ROOT,
        env=env(),
        capture_output=True,
        text=True,
        timeout=900,
    )
    summary = json.loads(run.stdout.strip().splitlines()[-1])
    assert summary["tried"] >= 100
    assert summary["not_handled"] == []
    assert summary["handled"] == summary["tried"] and summary["still_up"] and not summary["exited"]
    assert run.returncode == 0, run.stderr[-2000:]
