"""python -m intake.serve: everything a practice runs, on 127.0.0.1 by default.

Starts the action server (`python -m actions`), a small web server for the practice's
page with the chat widget (web/), and the Rasa server with the HTTP API, the REST and
socket.io channels (and Slack or Telegram when their variables are set). Prints the
URLs. CORS on the Rasa server is limited to the page's own origin (INTAKE_CORS_ORIGINS
to name others, e.g. the practice's real site).

The HTTP API only runs with an auth token: RASA_AUTH_TOKEN, or one generated on first
start and kept in var/auth_token (mode 600). The token is never printed or logged, and
it is handed to Rasa inside this process, so it is not on any command line either.
INTAKE_AUTH_TOKEN_FILE names another file.

Conversation ids are signed with INTAKE_CONVERSATION_SECRET (intake_channels/ownership.py);
without it, one is made for each start and handed to Rasa inside this process: the web
page's sessions and signed REST senders then hold until the next start.
"""

import argparse
import html
import json
import os
import secrets
import subprocess
import sys
import threading
from functools import lru_cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Dict, List, Optional, Text

from intake.practice import practice_settings
from intake.private_files import local_secret, private_directory, restrict_new_files
from intake_rasa_patches import cli as intake_rasa
from intake_stores.encryption import PROFILE_VARIABLE, EncryptionKeyError, check_key

ROOT = Path(__file__).resolve().parent.parent
WEB = ROOT / "web"
WIDGET_BUNDLE = WEB / "node_modules" / "rasa-webchat" / "lib" / "index.js"
TOKEN_FILE = Path(os.environ.get("INTAKE_AUTH_TOKEN_FILE") or ROOT / "var" / "auth_token")
TOKEN_VARIABLE = "RASA_AUTH_TOKEN"
CONVERSATION_SECRET_VARIABLE = "INTAKE_CONVERSATION_SECRET"
# The bundle's stylesheets @import a web font from Google; stripped when served, so the
# page fetches nothing from the internet (the widget falls back to system fonts).
REMOTE_FONT_IMPORT = b"@import url(https://fonts.googleapis.com/css?family=Inter:400,500,700&display=swap);"
PROFILES = {"dev": ROOT / "endpoints.yml", "prod": ROOT / "endpoints.prod.yml"}


def auth_token(token_file: Path = TOKEN_FILE) -> Text:
    token = os.environ.get(TOKEN_VARIABLE)
    if token:
        return token
    if token_file.exists():
        return token_file.read_text().strip()
    token_file.parent.mkdir(parents=True, exist_ok=True)
    token = secrets.token_urlsafe(32)
    descriptor = os.open(token_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        handle.write(token + "\n")
    return token


@lru_cache(maxsize=1)
def widget_bundle() -> bytes:
    return WIDGET_BUNDLE.read_bytes().replace(REMOTE_FONT_IMPORT, b"")


class PageHandler(BaseHTTPRequestHandler):
    """Serves web/ with the practice's details filled in, the widget bundle from
    node_modules, and nothing else (no directory listings, no node_modules browsing)."""

    page_values: Dict[Text, Text] = {}
    widget_config: Dict[Text, Text] = {}
    rasa_origin = ""

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        path = self.path.split("?", 1)[0]
        if path in ("/", "/index.html"):
            page = (WEB / "index.html").read_text(encoding="utf-8")
            self._send(page.format(**self.page_values).encode(), "text/html; charset=utf-8")
        elif path == "/config.js":
            body = f"window.INTAKE_CONFIG = {json.dumps(self.widget_config)};\n"
            self._send(body.encode(), "text/javascript; charset=utf-8")
        elif path == "/vendor/webchat.js":
            self._send(widget_bundle(), "text/javascript; charset=utf-8")
        elif path in ("/chat.js", "/page.css"):
            kind = "text/javascript" if path.endswith(".js") else "text/css"
            self._send((WEB / path.lstrip("/")).read_bytes(), f"{kind}; charset=utf-8")
        else:
            self.send_error(404)

    def _send(self, body: bytes, content_type: Text) -> None:
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Referrer-Policy", "no-referrer")
        websocket_origin = self.rasa_origin.replace("http", "ws", 1)
        self.send_header(
            "Content-Security-Policy",
            "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; "
            f"connect-src 'self' {self.rasa_origin} {websocket_origin}",
        )
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: Text, *args) -> None:
        pass  # request lines carry no user text, but there is nothing worth logging


def start_page_server(host: Text, port: int, rasa_origin: Text) -> ThreadingHTTPServer:
    settings = practice_settings()
    title = settings["practice_name"][:1].upper() + settings["practice_name"][1:]
    handler = type(
        "ConfiguredPageHandler",
        (PageHandler,),
        {
            "page_values": {
                "practice_title": html.escape(title),
                "crisis_line": html.escape(settings["crisis_line"]),
                "emergency_number": html.escape(settings["emergency_number"]),
            },
            "widget_config": {"socketUrl": rasa_origin, "practiceTitle": title},
            "rasa_origin": rasa_origin,
        },
    )
    server = ThreadingHTTPServer((host, port), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def rasa_arguments(args: argparse.Namespace, token: Text, cors: List[Text]) -> List[Text]:
    return [
        "rasa",
        "run",
        "--enable-api",
        "--auth-token",
        token,
        "-m",
        args.model,
        "-i",
        args.host,
        "-p",
        str(args.port),
        "--endpoints",
        str(args.endpoints or PROFILES[args.profile]),
        "--credentials",
        str(args.credentials),
        "--cors",
        *cors,
    ]


def parse(argv: Optional[List[Text]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m intake.serve", description=__doc__.splitlines()[0])
    parser.add_argument("--profile", choices=sorted(PROFILES), default=os.environ.get("INTAKE_PROFILE", "dev"))
    parser.add_argument("--host", default=os.environ.get("INTAKE_HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("INTAKE_RASA_PORT", "5005")))
    parser.add_argument("--actions-port", type=int, default=int(os.environ.get("INTAKE_ACTIONS_PORT", "5055")))
    parser.add_argument("--web-port", type=int, default=int(os.environ.get("INTAKE_WEB_PORT", "8080")))
    parser.add_argument("--model", default=str(ROOT / "models" / "intake.tar.gz"))
    parser.add_argument("--endpoints", help="overrides the profile's endpoints file")
    parser.add_argument("--credentials", default=str(ROOT / "credentials.yml"))
    return parser.parse_args(argv)


def action_server_environment(actions_port: int) -> None:
    """The Rasa server calls the action server this process starts, with its secret
    (endpoints.yml reads both from the environment; the action server inherits it)."""
    os.environ["INTAKE_ACTIONS_URL"] = f"http://127.0.0.1:{actions_port}/webhook"
    os.environ[intake_rasa.ACTIONS_TOKEN_VARIABLE] = local_secret(
        intake_rasa.ACTIONS_TOKEN_VARIABLE, intake_rasa.ACTIONS_TOKEN_FILE
    )


def main(argv: Optional[List[Text]] = None) -> None:
    restrict_new_files()  # databases, tokens and logs readable by their owner only
    args = parse(argv)
    os.environ[PROFILE_VARIABLE] = args.profile  # the action server started below inherits it
    try:
        check_key()
    except EncryptionKeyError as error:
        sys.exit(f"python -m intake.serve: {error}")
    if not WIDGET_BUNDLE.exists():
        sys.exit(f"The chat widget is not installed ({WIDGET_BUNDLE}): run `make web`.")
    token = auth_token()
    if not os.environ.get(CONVERSATION_SECRET_VARIABLE):
        os.environ[CONVERSATION_SECRET_VARIABLE] = secrets.token_urlsafe(32)
        print(
            "Conversation ids: signed with a secret made for this start "
            f"(set {CONVERSATION_SECRET_VARIABLE} to keep sessions across restarts)",
            flush=True,
        )
    rasa_origin = f"http://{args.host}:{args.port}"
    page_origin = f"http://{args.host}:{args.web_port}"
    cors = [page_origin] + [o for o in os.environ.get("INTAKE_CORS_ORIGINS", "").split(",") if o]
    action_server_environment(args.actions_port)

    private_directory(ROOT / "var")
    # The page's port first: when it is taken, nothing else has been started.
    try:
        page_server = start_page_server(args.host, args.web_port, rasa_origin)
    except OSError as error:
        sys.exit(
            f"The chat page cannot listen on {args.host}:{args.web_port} ({error.strerror}): "
            "set INTAKE_WEB_PORT or --web-port."
        )
    actions_log = open(ROOT / "var" / "actions.log", "a")
    action_server = subprocess.Popen(
        [sys.executable, "-m", "actions", "--port", str(args.actions_port)],
        cwd=ROOT,
        stdout=actions_log,
        stderr=subprocess.STDOUT,
    )
    print(f"Chat page:     {page_origin}/", flush=True)
    print(f"Rasa server:   {rasa_origin} (REST: {rasa_origin}/webhooks/rest/webhook)", flush=True)
    print(f"Action server: http://127.0.0.1:{args.actions_port}/webhook", flush=True)
    source = f"${TOKEN_VARIABLE}" if os.environ.get(TOKEN_VARIABLE) else str(TOKEN_FILE)
    print(f"HTTP API token: in {source} (not shown)", flush=True)

    sys.argv = rasa_arguments(args, token, cors)
    try:
        intake_rasa.main()
    finally:
        page_server.shutdown()
        action_server.terminate()
        action_server.wait(timeout=20)


if __name__ == "__main__":
    main()
