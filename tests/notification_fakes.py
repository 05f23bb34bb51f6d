"""Local fakes of the staff notifiers' receivers, on loopback: an HTTP receiver (the signed
webhook and the Slack incoming webhook) and an SMTP server with STARTTLS (aiosmtpd) using
a self-signed certificate made here."""

import datetime as dt
import hashlib
import hmac
import ipaddress
import json
import ssl
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Dict, List, Optional

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID


class HTTPReceiver:
    """Counts POSTs by path. mode: "up" (200), "slow" (waits `delay` s, then 200), "hang"
    (waits `delay` s, then 503, not counted: past the sender's timeout), "accept-slowly"
    (counts at once, answers 200 after `delay` s), "error" (500). The webhook's signature is checked when a secret is given: a bad
    one is answered 401 and not counted."""

    def __init__(self, port: int, secret: Optional[str] = None) -> None:
        self.port, self.secret = port, secret
        self.mode, self.delay = "up", 0.0
        self.deliveries: List[Dict] = []  # accepted: {"path", "body", "headers"}
        self.bad_signatures = 0
        self.requests = 0
        self._lock = threading.Lock()
        self._server: Optional[ThreadingHTTPServer] = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def bodies(self, path: str) -> List[Dict]:
        with self._lock:
            return [json.loads(d["body"]) for d in self.deliveries if d["path"] == path]

    def start(self) -> "HTTPReceiver":
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with receiver._lock:
                    receiver.requests += 1
                if receiver.mode in ("slow", "hang"):
                    hang = receiver.mode == "hang"
                    time.sleep(receiver.delay)
                    if hang:
                        return self._reply(503)
                if receiver.mode == "accept-slowly":
                    with receiver._lock:
                        receiver.deliveries.append({"path": self.path, "body": body, "headers": dict(self.headers)})
                    time.sleep(receiver.delay)
                    return self._reply(200)
                if receiver.mode == "error":
                    return self._reply(500)
                if receiver.secret and self.path == "/hook":
                    expected = "sha256=" + hmac.new(receiver.secret.encode(), body, hashlib.sha256).hexdigest()
                    if not hmac.compare_digest(expected, self.headers.get("X-Intake-Signature", "")):
                        with receiver._lock:
                            receiver.bad_signatures += 1
                        return self._reply(401)
                with receiver._lock:
                    receiver.deliveries.append({"path": self.path, "body": body, "headers": dict(self.headers)})
                self._reply(200)

            def _reply(self, status: int) -> None:
                try:
                    self.send_response(status)
                    self.send_header("Content-Length", "2")
                    self.end_headers()
                    self.wfile.write(b"ok")
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the sender gave up waiting (its timeout): what "hang" is for

            def log_message(self, *args) -> None:
                pass

        ThreadingHTTPServer.allow_reuse_address = True
        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        """Afterwards the port refuses connections."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None


def self_signed_certificate(directory: Path) -> tuple:
    """(certificate file, key file) for 127.0.0.1 and localhost."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = dt.datetime.now(dt.timezone.utc)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = directory / "smtp-cert.pem", directory / "smtp-key.pem"
    cert_file.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return cert_file, key_file


class SMTPReceiver:
    """aiosmtpd on loopback; STARTTLS required before MAIL and AUTH; keeps each message
    with whether it came over TLS."""

    def __init__(self, port: int, directory: Path, user: str = "staff", password: str = "s3cret") -> None:
        self.port, self.user, self.password = port, user, password
        self.cert_file, key_file = self_signed_certificate(directory)
        self.context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        self.context.load_cert_chain(self.cert_file, key_file)
        self.messages: List[Dict] = []
        receiver = self

        class Handler:
            async def handle_DATA(self, server, session, envelope):  # noqa: N802
                receiver.messages.append(
                    {
                        "tls": session.ssl is not None,
                        "to": list(envelope.rcpt_tos),
                        "content": envelope.content.decode("utf-8", "replace"),
                    }
                )
                return "250 Message accepted"

        def authenticate(server, session, envelope, mechanism, auth_data):
            ok = auth_data.login.decode() == user and auth_data.password.decode() == password
            return AuthResult(success=ok)

        self.controller = Controller(
            Handler(),
            hostname="127.0.0.1",
            port=port,
            tls_context=self.context,
            require_starttls=True,
            authenticator=authenticate,
            auth_require_tls=True,
        )

    def start(self) -> "SMTPReceiver":
        self.controller.start()
        return self

    def stop(self) -> None:
        self.controller.stop()

    def environment(self, to: str = "oncall@practice.test") -> Dict[str, str]:
        return {
            "INTAKE_NOTIFY_SMTP_HOST": "127.0.0.1",
            "INTAKE_NOTIFY_SMTP_PORT": str(self.port),
            "INTAKE_NOTIFY_SMTP_USER": self.user,
            "INTAKE_NOTIFY_SMTP_PASSWORD": self.password,
            "INTAKE_NOTIFY_SMTP_FROM": "intake@practice.test",
            "INTAKE_NOTIFY_SMTP_TO": to,
            "INTAKE_NOTIFY_SMTP_CA_FILE": str(self.cert_file),
        }


def wait_until(condition, seconds: float = 15.0, step: float = 0.05) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(step)
    return condition()
