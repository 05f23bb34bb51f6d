"""intake_rasa_patches itself: install() refuses a Rasa it was not written for, names a
target Rasa no longer has, and INTAKE_RASA_PATCHES=off leaves Rasa as it ships."""

import json
import subprocess
import textwrap

import pytest

import intake_rasa_patches
from intake_rasa_patches import PATCHES, Patch, PatchError
from tests.servers import PYTHON, ROOT, env


@pytest.fixture
def not_installed(monkeypatch):
    """install() as in a fresh process: nothing in place yet, the switch on."""
    monkeypatch.setattr(intake_rasa_patches, "_installed", False)
    monkeypatch.setenv(intake_rasa_patches.SWITCH, "on")


def test_another_rasa_version_stops_the_start_with_the_versions_named(not_installed, monkeypatch):
    monkeypatch.setattr(intake_rasa_patches, "RASA_VERSION", "3.5.0")
    with pytest.raises(PatchError) as error:
        intake_rasa_patches.install()
    message = str(error.value)
    assert "3.5.0" in message and "3.6.21" in message and "INTAKE_RASA_PATCHES=off" in message
    assert not intake_rasa_patches.installed()


def test_a_target_rasa_no_longer_has_stops_the_start_with_its_name(not_installed, monkeypatch):
    gone = Patch("command_guard", ("rasa.nlu.classifiers.regex_message_handler.RegexMessageHandler.gone",))
    monkeypatch.setattr(intake_rasa_patches, "PATCHES", (gone,))
    with pytest.raises(PatchError) as error:
        intake_rasa_patches.check_targets()
    assert "command_guard: rasa.nlu.classifiers.regex_message_handler.RegexMessageHandler.gone" in str(error.value)


def test_a_module_rasa_no_longer_has_is_reported_too(monkeypatch):
    monkeypatch.setattr(intake_rasa_patches, "PATCHES", (Patch("lean_imports", ("rasa.no_such_module.thing",)),))
    with pytest.raises(PatchError, match="lean_imports: rasa.no_such_module.thing"):
        intake_rasa_patches.check_targets()


def test_every_patch_names_targets_that_exist_in_the_installed_rasa():
    assert PATCHES
    for patch in PATCHES:
        assert patch.targets, patch.module
        for target in patch.targets:
            intake_rasa_patches.resolve(target)  # raises if Rasa moved it
        assert callable(getattr(__import__(f"intake_rasa_patches.{patch.module}", fromlist=["install"]), "install"))


def run_python(code: str, switch: str) -> dict:
    """A fresh interpreter (patches are per process); it prints one JSON line."""
    done = subprocess.run(
        [PYTHON, "-c", textwrap.dedent(code)],
        cwd=ROOT,
        env=dict(env(), INTAKE_RASA_PATCHES=switch),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


PROBE = """
    import json
    import intake_rasa_patches
    installed = intake_rasa_patches.install()
    from rasa.nlu.classifiers.regex_message_handler import RegexMessageHandler
    owners = {}
    for patch in intake_rasa_patches.PATCHES:
        for target in patch.targets:
            value = intake_rasa_patches.resolve(target)
            if callable(value) and not isinstance(value, type):
                owners[target] = getattr(value, "__module__", "") or ""
    print(json.dumps({
        "installed": installed,
        "process": RegexMessageHandler.process.__module__,
        "owners": owners,
    }))
"""


def test_switched_off_rasa_keeps_its_own_functions():
    result = run_python(PROBE, "off")
    assert result["installed"] is False
    assert result["process"] == "rasa.nlu.classifiers.regex_message_handler"
    ours = [target for target, module in result["owners"].items() if module.startswith("intake_rasa_patches")]
    assert ours == []


def test_switched_on_the_targets_are_the_projects():
    result = run_python(PROBE, "on")
    assert result["installed"] is True
    assert result["process"] == "intake_rasa_patches.command_guard"
    ours = [target for target, module in result["owners"].items() if module.startswith("intake_rasa_patches")]
    assert len(ours) >= len(PATCHES) - 1  # log_redaction's structlog target is a processor object
