"""python -m actions [--port 5055] [--host 127.0.0.1]: the action server, hardened.

rasa_sdk's own server (`rasa run actions`) binds to 0.0.0.0, allows CORS from anywhere,
answers anybody, and answers any exception with the whole request body, i.e. the
person's tracker, and logs it. This one:
- listens on 127.0.0.1 unless INTAKE_ACTIONS_HOST says otherwise (the Rasa server is its
  only client) and sends no CORS headers;
- answers only requests carrying `Authorization: Bearer <INTAKE_ACTIONS_TOKEN>` (the Rasa
  server sends it: endpoints.yml), on /webhook and /actions alike; /health and /ready
  (for probes) say nothing about anybody. Without the variable, the token is read from
  var/actions_token, generated there on first start (intake-rasa reads the same file);
- refuses a body that is not an action call (not JSON, not an object, no `next_action`
  or `tracker`) with 400 and one line saying what is wrong;
- answers errors with one line that echoes nothing;
- creates its files readable by its owner only (umask 077).
"""

import argparse
import asyncio
import hmac
import json
import logging
import os
import zlib
from typing import Any, Optional, Text

from rasa_sdk import utils
from rasa_sdk.endpoint import create_app
from rasa_sdk.plugin import plugin_manager
from sanic import Sanic, response
from sanic.exceptions import SanicException

from intake.notifications import start_background_sender
from intake.private_files import local_secret, restrict_new_files
from intake_stores.encryption import EncryptionKeyError, check_key
from intake_stores.intake_records import IntakeStore

logger = logging.getLogger("actions.server")

TOKEN_VARIABLE = "INTAKE_ACTIONS_TOKEN"
TOKEN_FILE = "actions_token"
OPEN_PATHS = ("/health", "/ready")
READY_SECONDS = 2.0  # a database that does not answer in time is reported unavailable


def action_call_problem(body: Any) -> Optional[Text]:
    """Why a /webhook body is not an action call, or None when it is one."""
    if not isinstance(body, dict):
        return "the body must be a JSON object (an action call)"
    if not isinstance(body.get("next_action"), str) or not body["next_action"]:
        return "'next_action' is required: the name of the action to run"
    tracker = body.get("tracker")
    if not isinstance(tracker, dict):
        return "'tracker' is required: a JSON object"
    if not isinstance(tracker.get("sender_id"), str):
        return "'tracker.sender_id' is required: a string"
    for key, kind in (("events", list), ("slots", dict), ("latest_message", dict)):
        if tracker.get(key) is not None and not isinstance(tracker[key], kind):
            return f"'tracker.{key}' must be a JSON {'list' if kind is list else 'object'}"
    if body.get("domain") is not None and not isinstance(body["domain"], dict):
        return "'domain' must be a JSON object"
    return None


def _json_body(request) -> Any:
    """The call's JSON. Uncompressed, Sanic's `request.json` (ujson), which it keeps for
    rasa_sdk's webhook: the whole conversation is parsed once, not twice."""
    if request.headers.get("Content-Encoding") == "deflate":
        return json.loads(zlib.decompress(request.body))
    return request.json


def _bearer_matches(request, token: Text) -> bool:
    header = request.headers.get("Authorization", "")
    scheme, _, given = header.partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(), token.encode())


def create_action_app(token: Optional[Text] = None) -> Sanic:
    token = token or local_secret(TOKEN_VARIABLE, TOKEN_FILE)
    app = create_app("actions", cors_origins=None)

    @app.middleware("request")
    async def authenticated_action_calls(request):
        if request.path in OPEN_PATHS:
            return None
        if not _bearer_matches(request, token):
            logger.warning("Refused a call to %s without the shared secret (INTAKE_ACTIONS_TOKEN)", request.path)
            return response.json({"error": "missing or wrong Authorization: Bearer token"}, status=401)
        if request.path == "/webhook" and request.method == "POST":
            try:
                problem = action_call_problem(_json_body(request))
            except (ValueError, zlib.error, SanicException):  # Sanic's: "Failed when parsing body as json"
                problem = "the body is not JSON"
            if problem:
                return response.json({"error": problem}, status=400)
        return None

    intake_store = []  # made on the first probe: importing the server needs no database

    @app.get("/ready")
    async def ready(_request):
        """The intake database the actions store records in (for probes)."""
        if not intake_store:
            intake_store.append(IntakeStore.from_environment())
        try:
            ok = await asyncio.wait_for(app.loop.run_in_executor(None, intake_store[0].reachable), READY_SECONDS)
        except asyncio.TimeoutError:
            ok = False
        return response.json({"intake_db": "ok" if ok else "unavailable"}, status=200 if ok else 503)

    @app.exception(Exception)
    async def error_without_echo(request, exception: Exception):
        if isinstance(exception, SanicException):
            return response.json({"error": "invalid request"}, status=exception.status_code)
        # The type only: the message of an exception can quote the tracker.
        logger.error("An action failed with %s", type(exception).__name__)
        return response.json({"error": "the action failed; see the action server log"}, status=500)

    plugin_manager().hook.attach_sanic_app_extensions(app=app)
    return app


def main() -> None:
    restrict_new_files()  # the intake database and logs readable by their owner only
    parser = argparse.ArgumentParser(prog="python -m actions", description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=int(os.environ.get("INTAKE_ACTIONS_PORT", "5055")))
    parser.add_argument("--host", default=os.environ.get("INTAKE_ACTIONS_HOST", "127.0.0.1"))
    args = parser.parse_args()
    try:
        check_key()  # contact details are encrypted: no key, no start (production profile)
    except EncryptionKeyError as error:
        raise SystemExit(f"python -m actions: {error}")
    utils.configure_colored_logging(os.environ.get("LOG_LEVEL", "INFO"))
    utils.update_sanic_log_level()
    logger.info("Action server on http://%s:%s", args.host, args.port)
    # Staff notifications written here (new intake, hand-off) go out from this process
    # too, in a thread of their own; the Rasa server runs one as well (rows are claimed).
    start_background_sender()
    create_action_app().run(args.host, args.port, workers=1, access_log=False, motd=False)


if __name__ == "__main__":
    main()
