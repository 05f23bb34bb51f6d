"""`rasa shell`, what `make run` opens, driven through a pseudo-terminal: the seed's first
exchange, and the consent question answered through the shell's button picker."""

import pexpect
import pytest

from tests.conftest import MODEL_PATH, ROOT
from tests.servers import ACTION_SERVER, RASA, SEED_PATIENT_LINES, env, free_port, process, wait_for, write_endpoints


def test_the_first_exchange_in_rasa_shell(tmp_path):
    if not MODEL_PATH.exists():
        pytest.fail("no trained model: run `make test`, which trains it first")
    actions_port = free_port()
    endpoints = write_endpoints(tmp_path / "endpoints.yml", actions_port, tmp_path / "tracker.db")
    with process(
        ACTION_SERVER + ["--port", str(actions_port)],
        tmp_path / "actions.log",
        extra_env={"INTAKE_DATABASE_URL": f"sqlite:///{tmp_path}/intake.db"},
    ):
        wait_for(f"http://127.0.0.1:{actions_port}/health")
        # As `make run` opens it: standard error (warnings, logs) to a file, the conversation on screen.
        command = f"{RASA} shell -m {MODEL_PATH} --endpoints {endpoints} -i 127.0.0.1 -p {free_port()} 2> {tmp_path / 'rasa-shell.log'}"
        shell = pexpect.spawn(
            "/bin/sh", ["-c", command], cwd=str(ROOT), env=env(), encoding="utf-8", timeout=180, dimensions=(50, 200)
        )
        shell.logfile_read = open(tmp_path / "shell.log", "w")
        try:
            shell.expect("Your input ->")
            first_screen = shell.before
            assert "Bot loaded" in first_screen
            assert not any(noise in first_screen for noise in ("INFO", "Warning", "DEBUG")), first_screen
            shell.sendline(SEED_PATIENT_LINES[0])
            shell.expect("I'm the intake assistant for")
            shell.expect("Is that okay with you\\?")
            shell.expect("Yes, that's okay")  # the consent buttons, as a picker
            shell.send("\r")  # picks the first button: /affirm
            shell.expect("You can ask me to delete your data")
            shell.expect("Your input ->")
            shell.sendline("/stop")
            shell.expect(pexpect.EOF, timeout=60)
        finally:
            shell.close(force=True)
    assert " INFO " in (tmp_path / "rasa-shell.log").read_text()  # the logs went to the file


def test_make_run_sends_warnings_and_logs_to_a_file():
    makefile = (ROOT / "Makefile").read_text()
    assert "$(RASA) shell --model $(MODEL) -i 127.0.0.1 2> var/rasa-shell.log" in makefile
