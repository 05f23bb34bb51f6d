"""Server-wide limits the channels set when the server starts.

- Request bodies are capped at MAX_BODY_BYTES (64 KB, as the nginx in deploy/), not
  Sanic's 100 MB: a bigger body is refused with 413 and a JSON reason before it is
  read. INTAKE_MAX_BODY_BYTES changes it. Messages up to the channels' character limit
  fit easily; over that limit and under the cap they get the channels' kind reply.
- Sanic logs "<Request: POST /conversations/<id>/...> body not consumed." at ERROR:
  the path carries a conversation id. That line is logged without the path, at
  WARNING.
"""

import logging
import os
import re
from typing import Any

from sanic import Blueprint, Sanic, response
from sanic.exceptions import PayloadTooLarge

MAX_BODY_VARIABLE = "INTAKE_MAX_BODY_BYTES"
MAX_BODY_BYTES = 64 * 1024
TOO_LARGE_REASON = (
    "The request is larger than this server accepts ({limit} bytes). If you're writing "
    "a message, please send it in a few shorter parts."
)
_BODY_NOT_CONSUMED = re.compile(r"^<Request: (?P<method>[A-Z]+) .*> body not consumed\.$", re.S)


def max_body_bytes() -> int:
    return int(os.environ.get(MAX_BODY_VARIABLE) or MAX_BODY_BYTES)


class NoPathInBodyNotConsumed(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        match = _BODY_NOT_CONSUMED.match(str(record.msg))
        if match:
            record.msg, record.args = "A %s request's body was not consumed.", (match["method"],)
            record.levelno, record.levelname = logging.WARNING, "WARNING"
        return True


def install_log_filter() -> None:
    error_logger = logging.getLogger("sanic.error")
    if not any(isinstance(f, NoPathInBodyNotConsumed) for f in error_logger.filters):
        error_logger.addFilter(NoPathInBodyNotConsumed())


def too_large(_request: Any, _exception: Exception) -> Any:
    return response.json(
        {"status": "failure", "reason": "PayloadTooLarge", "message": TOO_LARGE_REASON.format(limit=max_body_bytes())},
        status=413,
    )


def configure(app: Sanic) -> None:
    app.config.REQUEST_MAX_SIZE = max_body_bytes()
    app.error_handler.add(PayloadTooLarge, too_large)
    install_log_filter()


def install(blueprint: Blueprint) -> None:
    """Applies the limits to the whole app once it starts (any channel may call it)."""

    @blueprint.listener("before_server_start")
    async def apply(app: Sanic, _loop: Any) -> None:
        configure(app)
