"""A conversation belongs to its client.

Conversation ids are namespaced by channel (`web:…`, `slack:…`, `telegram:…`), so one
channel cannot write into another's conversations. REST conversations keep the sender
as their id, as with Rasa's own REST channel (integrations and the HTTP API's
/conversations/<sender>/tracker go on working), and a REST sender may not contain ':'.

Clients that choose their own ids prove they may use them:
- the web page gets its session id from the server, signed: `<random hex>.<signature>`;
  a session id it did not get from this server (or another with the same secret) gets
  a new session, never someone else's;
- a REST integration either sends the HTTP API's token (`?token=` as Rasa's API, or
  `Authorization: Bearer <token>`), or a signed sender `<id>.<signature>`, which it
  computes with the shared secret or asks the server for (POST
  /webhooks/rest/session, no token needed: a new random id, signed).

The signature is HMAC-SHA256 over `<channel>:<id>` with INTAKE_CONVERSATION_SECRET,
base64url without padding (43 characters). Without that variable a random secret is
made once per server process (and its forked workers) and a WARNING says so: signed
ids then hold until the server restarts. `make serve` makes one per start and passes
it on; a deployment sets its own (several servers behind one load balancer must share
it).
"""

import argparse
import base64
import hashlib
import hmac
import logging
import os
import re
import secrets
import sys
import uuid
from typing import List, Optional, Text

logger = logging.getLogger(__name__)

SECRET_VARIABLE = "INTAKE_CONVERSATION_SECRET"
TOKEN_VARIABLES = ("INTAKE_REST_TOKEN", "RASA_AUTH_TOKEN")
SIGNATURE_CHARS = 43
SIGNED = re.compile(r"(?P<id>[A-Za-z0-9_-]{1,80})\.(?P<signature>[A-Za-z0-9_-]{43})")


def secret() -> bytes:
    value = os.environ.get(SECRET_VARIABLE)
    if not value:
        value = secrets.token_urlsafe(32)
        # In the environment, so forked Sanic workers and restarts of this process's
        # children share it.
        os.environ[SECRET_VARIABLE] = value
        logger.warning(
            "%s is not set: made a random one for this server process; signed "
            "conversation ids are valid until it restarts.",
            SECRET_VARIABLE,
        )
    return value.encode()


def signature(channel: Text, client_id: Text) -> Text:
    digest = hmac.new(secret(), f"{channel}:{client_id}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def sign(channel: Text, client_id: Text) -> Text:
    """The id a client sends: `<client id>.<signature>`."""
    return f"{client_id}.{signature(channel, client_id)}"


def new_signed(channel: Text) -> Text:
    return sign(channel, uuid.uuid4().hex)


def verified(channel: Text, signed: object) -> Optional[Text]:
    """The client id inside a correctly signed id, or None."""
    if not isinstance(signed, str):
        return None
    match = SIGNED.fullmatch(signed)
    if not match:
        return None
    expected = signature(channel, match["id"])
    return match["id"] if hmac.compare_digest(expected, match["signature"]) else None


NAMESPACE_MARK = ":"
UNPREFIXED_CHANNELS = ("rest",)


def conversation_id(channel: Text, client_id: Text) -> Text:
    """The id the stores use: the channel's namespace, then the client's id (REST: the
    client's id alone, which may not contain the mark)."""
    if channel in UNPREFIXED_CHANNELS:
        return client_id
    return f"{channel}{NAMESPACE_MARK}{client_id}"


def client_id(channel: Text, conversation: Text) -> Text:
    """The reverse of conversation_id (for output channels that need the raw id)."""
    prefix = f"{channel}{NAMESPACE_MARK}"
    return conversation[len(prefix) :] if conversation.startswith(prefix) else conversation


def _server_arguments() -> argparse.Namespace:
    """`--auth-token` and `--cors` of the `rasa run` this process is (intake/serve.py
    sets them the same way), for the channels, which Rasa does not tell."""
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("-t", "--auth-token")
    parser.add_argument("--cors", nargs="*")
    known, _ = parser.parse_known_args(sys.argv[1:])
    return known


def api_token() -> Optional[Text]:
    for variable in TOKEN_VARIABLES:
        if os.environ.get(variable):
            return os.environ[variable]
    return _server_arguments().auth_token or None


def page_origins() -> List[Text]:
    """The origins allowed to open a WebSocket: INTAKE_PAGE_ORIGINS (comma-separated),
    else the server's `--cors` list (the page's origin under `make serve`)."""
    configured = os.environ.get("INTAKE_PAGE_ORIGINS")
    if configured:
        return [origin.strip() for origin in configured.split(",") if origin.strip()]
    return [origin for origin in (_server_arguments().cors or []) if origin and origin != "*"]


def has_api_token(provided: Optional[Text]) -> bool:
    token = api_token()
    return bool(token and provided and hmac.compare_digest(provided.encode(), token.encode()))
