"""python -m actions [--port 5055] [--host 127.0.0.1]: the action server, hardened.

rasa_sdk's own server (`rasa run actions`) binds to 0.0.0.0, allows CORS from anywhere,
and answers any exception with the whole request body, i.e. the person's tracker, and
logs it. This one listens on 127.0.0.1 unless INTAKE_ACTIONS_HOST says otherwise (the
Rasa server is its only client), sends no CORS headers, and answers errors with one
line that echoes nothing.
"""
import argparse
import logging
import os

from rasa_sdk import utils
from rasa_sdk.endpoint import create_app
from rasa_sdk.plugin import plugin_manager
from sanic import Sanic, response
from sanic.exceptions import SanicException

from intake_stores.encryption import EncryptionKeyError, check_key

logger = logging.getLogger("actions.server")


def create_action_app() -> Sanic:
    app = create_app("actions", cors_origins=None)

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
    create_action_app().run(args.host, args.port, workers=1, access_log=False, motd=False)


if __name__ == "__main__":
    main()
