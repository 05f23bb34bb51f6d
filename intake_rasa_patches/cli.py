"""`intake-rasa`: the Rasa command line with the project's runtime changes installed
first (intake_rasa_patches.install). Every process of the project that runs Rasa starts
through it: make, serve, the tests' servers, the image, docker-compose and Helm.

Usage: `intake-rasa <rasa arguments>`, as `rasa`.
"""

import os
import sys

import intake_rasa_patches
from intake.private_files import local_secret, restrict_new_files

ACTIONS_TOKEN_VARIABLE = "INTAKE_ACTIONS_TOKEN"
ACTIONS_TOKEN_FILE = "actions_token"
# The commands that read endpoints.yml (not `train`: no token generated into an image).
SERVING_COMMANDS = ("run", "shell", "interactive", "test")


def action_server_defaults() -> None:
    """endpoints.yml reads the action server's URL and token from the environment; by
    default the action server of this checkout (python -m actions reads the same
    INTAKE_ACTIONS_PORT and var/actions_token)."""
    port = os.environ.get("INTAKE_ACTIONS_PORT", "5055")
    if not os.environ.get("INTAKE_ACTIONS_URL"):
        os.environ["INTAKE_ACTIONS_URL"] = f"http://127.0.0.1:{port}/webhook"
    os.environ[ACTIONS_TOKEN_VARIABLE] = local_secret(ACTIONS_TOKEN_VARIABLE, ACTIONS_TOKEN_FILE)


# Classifying a message is a few small matrix products. With OpenBLAS's default of one
# thread per core, its idle threads spin between them: measured on the seed conversation,
# a turn took 12.8 ms of CPU with them and 7.7 ms without, at the same latency. Set
# before numpy is imported; an operator's own setting wins.
MATH_THREAD_VARIABLES = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


def single_threaded_math() -> None:
    for variable in MATH_THREAD_VARIABLES:
        os.environ.setdefault(variable, "1")


LOOPBACK = ("127.0.0.1", "localhost", "::1")


def _option(argv: list, *names: str) -> "str | None":
    for index, argument in enumerate(argv):
        for name in names:
            if argument == name and index + 1 < len(argv):
                return argv[index + 1]
            if argument.startswith(name + "="):
                return argument.split("=", 1)[1]
    return None


def api_token_guard(argv: list) -> list:
    """`run --enable-api` serves conversations (trackers with what people wrote): never
    without a token on an interface others can reach. The token comes from
    --auth-token or RASA_AUTH_TOKEN (then handed to Rasa inside this process, not on a
    command line); an open API is allowed on loopback only (development, the tests)."""
    if argv[1:2] != ["run"] or "--enable-api" not in argv or _option(argv, "--auth-token", "-t"):
        return argv
    token = os.environ.get("RASA_AUTH_TOKEN")
    if token:
        return argv + ["--auth-token", token]
    if (_option(argv, "--interface", "-i") or "0.0.0.0") in LOOPBACK:
        return argv
    sys.exit(
        "intake-rasa: refusing to serve the HTTP API without a token on every interface: set "
        "RASA_AUTH_TOKEN (or pass --auth-token), or listen on 127.0.0.1 only (-i 127.0.0.1)."
    )


def main() -> None:
    restrict_new_files()  # databases, spool and logs readable by their owner only
    # No telemetry, and no crash reports (a traceback can quote a message) unless asked for.
    os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
    single_threaded_math()
    argv = api_token_guard(["rasa"] + sys.argv[1:])
    if argv[1:2] and argv[1] in SERVING_COMMANDS:
        action_server_defaults()
    intake_rasa_patches.install()
    from rasa.__main__ import main as rasa_main

    sys.argv = argv
    rasa_main()


if __name__ == "__main__":
    main()
