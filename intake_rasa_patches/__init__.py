"""Every change this project makes to Rasa's own behaviour, in one switchable place.

Rasa is extended the documented way elsewhere (custom components in intake_nlu/, the
policy in intake_dialogue/, stores in intake_stores/, channels in intake_channels/,
all named in config.yml, endpoints.yml and credentials.yml). What is here replaces
Rasa functions at run time, for speed or for a fix Rasa 3.6 lacks; each module's
docstring says why, and PATCHES names the Rasa attribute each one replaces.

`install()` is called once per process, before Rasa handles anything: by `intake-rasa`
(cli.py; the server, shell, training, the image and the Helm values all start through
it) and by the tests (tests/conftest.py). It checks the installed Rasa version and that
every target exists, and raises PatchError otherwise: a change whose target moved
would silently do nothing. `INTAKE_RASA_PATCHES=off` installs nothing: Rasa's own
behaviour, for comparing and for ruling the changes out when something looks wrong.
"""

import importlib
import logging
import os
from dataclasses import dataclass
from typing import Any, Tuple

logger = logging.getLogger(__name__)

RASA_VERSION = "3.6.21"
SWITCH = "INTAKE_RASA_PATCHES"


class PatchError(RuntimeError):
    """The installed Rasa is not the one these changes were written and tested against."""


@dataclass(frozen=True)
class Patch:
    module: str  # intake_rasa_patches.<module>, which has install()
    targets: Tuple[str, ...]  # the Rasa attributes it replaces, as dotted paths


# In install order: lean_imports must come before Rasa's policies or spaCy are imported.
# Removed after measuring each one's share of a turn (bench/patch_shares.py, bench/RESULTS.md):
# action_connection (kept-alive action calls: replaced the HTTP request of every endpoint
# and resent requests; action_endpoint_session now keeps the action endpoint's connections
# alive, and sends nothing twice), debug_log_copies and tracker_copy (under 3% of a turn each).
PATCHES = (
    Patch(
        "lean_imports",
        (
            "rasa.utils.train_utils",
            "rasa.engine.storage.storage.ModelMetadata.from_dict",
            "rasa.core.processor.DaskGraphRunner",
            "rasa.core.run.load_agent_on_start",
        ),
    ),
    Patch("action_endpoint_env", ("rasa.core.utils.read_endpoint_config",)),
    # Replaces read_endpoint_config; relies on EndpointConfig.request getting its session
    # from EndpointConfig.session(), which its subclass overrides.
    Patch(
        "action_endpoint_session",
        ("rasa.core.utils.read_endpoint_config", "rasa.utils.endpoints.EndpointConfig.session"),
    ),
    Patch("command_guard", ("rasa.nlu.classifiers.regex_message_handler.RegexMessageHandler.process",)),
    Patch("action_reply_validation", ("rasa.core.actions.action.RemoteAction._validate_action_result",)),
    Patch(
        "action_server_guard",
        (
            "rasa.core.actions.action.DEFAULT_REQUEST_TIMEOUT",
            "rasa.core.actions.action.RemoteAction.run",
            "rasa.core.processor.MessageProcessor._run_action",
            "rasa.core.actions.action.ActionExtractSlots._run_custom_action",
            "rasa.core.actions.action.ActionExtractSlots._execute_validation_action",
        ),
    ),
    Patch(
        "log_redaction",
        (
            "structlog.processors.dict_tracebacks",
            "rasa.core.processor.MessageProcessor.run_anonymization_pipeline",
        ),
    ),
    Patch("applied_events", ("rasa.shared.core.trackers.DialogueStateTracker.applied_events",)),
    Patch("turn_scheduling", ("rasa.core.processor.MessageProcessor.handle_message",)),
    Patch(
        "store_outage",
        (
            "rasa.core.tracker_store.FailSafeTrackerStore.retrieve",
            "rasa.core.tracker_store.FailSafeTrackerStore.retrieve_full_tracker",
            "rasa.core.tracker_store.FailSafeTrackerStore.save",
            "rasa.core.tracker_store.FailSafeTrackerStore.keys",
            "rasa.core.channels.channel.register",
        ),
    ),
    Patch("safety_slot_types", ("rasa.shared.core.domain.Domain.collect_slots",)),
)

_installed = False


def enabled() -> bool:
    return os.environ.get(SWITCH, "on").strip().lower() not in ("off", "0", "false", "no")


def installed() -> bool:
    return _installed


def resolve(dotted: str) -> Any:
    """The object a dotted path names: the longest importable module, then attributes."""
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        for name in parts[cut:]:
            obj = getattr(obj, name)
        return obj
    raise ImportError(dotted)


def check_rasa_version() -> None:
    from importlib.metadata import version

    found = version("rasa")
    if found != RASA_VERSION:
        raise PatchError(
            f"intake_rasa_patches were written for Rasa {RASA_VERSION}, found {found}: check each "
            f"change against the new Rasa, or run with {SWITCH}=off"
        )


def check_targets() -> None:
    missing = []
    for patch in PATCHES:
        for target in patch.targets:
            try:
                resolve(target)
            except (ImportError, AttributeError):
                missing.append(f"{patch.module}: {target}")
    if missing:
        raise PatchError("Rasa no longer has what these changes replace: " + "; ".join(missing))


def install() -> bool:
    """Installs every change once; returns whether they are in place."""
    global _installed
    if _installed:
        return True
    if not enabled():
        logger.info("%s=off: Rasa's own behaviour, none of the project's runtime changes", SWITCH)
        return False
    check_rasa_version()
    for patch in PATCHES:
        importlib.import_module(f"{__name__}.{patch.module}").install()
    check_targets()
    _installed = True
    return True
