"""Staff notifications: the notifiers and the background sender of the outbox.

Notifiers, each on when its variables are set (all off by default):
  Slack incoming webhook   INTAKE_NOTIFY_SLACK_WEBHOOK_URL
  signed webhook (HTTPS)   INTAKE_NOTIFY_WEBHOOK_URL, INTAKE_NOTIFY_WEBHOOK_SECRET: the JSON
                           body signed with HMAC-SHA256 in `X-Intake-Signature: sha256=<hex>`
  email (SMTP, STARTTLS)   INTAKE_NOTIFY_SMTP_HOST, _PORT (587), _USER, _PASSWORD, _FROM, _TO
                           (comma-separated); _CA_FILE trusts a private CA
Plain http:// URLs are accepted for loopback hosts only; SMTP without STARTTLS is refused.

What is sent: the category (new_intake, handoff_request, urgent_safety), the reference
(the id of the record, looked up with `python -m intake`), the notification id and
the time. Never message text, never contact details.

The sender (NotificationSender) runs in a daemon thread of the Rasa server (started by
the tracker store's safety escalation) and of the action server, never inside a chat
turn. Each notifier's delivery is marked on the outbox row as soon as it succeeds, so a
retry goes only to the notifiers that failed; failures are retried with exponential
backoff (INTAKE_NOTIFY_RETRY_SECONDS, doubling up to an hour). A sender claims a row for
a while before delivering it, so several workers or processes never deliver one row at
the same time. Delivery is at least once: a process killed between a notifier's
acceptance and the mark (milliseconds) delivers that one again after the claim expires,
with the same notification id (`X-Intake-Notification-Id`) for a receiver to drop.
Rows older than INTAKE_NOTIFY_MAX_AGE_HOURS (72) are not sent any more and stay listed
as failed (`python -m intake notifications`).
"""

import atexit
import datetime as dt
import hashlib
import hmac
import ipaddress
import json
import logging
import os
import smtplib
import ssl
import threading
import urllib.error
import urllib.parse
import urllib.request
from email.message import EmailMessage
from typing import Dict, List, Optional, Text

import sqlalchemy as sa
from sqlalchemy.exc import SQLAlchemyError

from intake_stores import outbox
from intake_stores.outbox import notification_outbox

logger = logging.getLogger(__name__)

# With its leading space: a response writes "...sentence.{on_call_line} Next..." and reads
# right whether it is filled or empty.
ON_CALL_LINE = " I've let the practice's on-call team know."
TITLES = {
    outbox.NEW_INTAKE: "New intake",
    outbox.HANDOFF_REQUEST: "Hand-off request: someone asked to talk to a person",
    outbox.URGENT_SAFETY: "URGENT safety record: please follow up now",
}
LOOKUP = {
    outbox.NEW_INTAKE: "python -m intake show {reference}",
    outbox.HANDOFF_REQUEST: "python -m intake show {reference}",
    outbox.URGENT_SAFETY: "python -m intake safety {reference}",
}


class NotifierError(Exception):
    """A delivery failed; the message names the kind of failure only."""


def _env(name: Text, default: Text = "") -> Text:
    return os.environ.get(name, default).strip()


def _float_env(name: Text, default: float) -> float:
    try:
        return float(_env(name) or default)
    except ValueError:
        return default


def _is_loopback(host: Optional[Text]) -> bool:
    if host in ("localhost",):
        return True
    try:
        return ipaddress.ip_address(host or "").is_loopback
    except ValueError:
        return False


def _check_url(url: Text, variable: Text) -> Text:
    parts = urllib.parse.urlsplit(url)
    if parts.scheme == "https" or (parts.scheme == "http" and _is_loopback(parts.hostname)):
        return url
    raise ValueError(f"{variable} must be an https:// URL (http:// only on loopback)")


def message(payload: Dict) -> Text:
    """The human-readable line: category, reference, how to look it up. Nothing else."""
    title = TITLES.get(payload["category"], payload["category"])
    lookup = LOOKUP.get(payload["category"], "python -m intake").format(reference=payload["reference"])
    return f"{title}. Reference {payload['reference']} ({payload['created_at']}). Look it up with: {lookup}"


class Notifier:
    name = "notifier"

    def __init__(self, timeout: float) -> None:
        self.timeout = timeout

    def send(self, payload: Dict) -> None:
        raise NotImplementedError

    def _post(self, url: Text, body: bytes, headers: Dict[Text, Text]) -> None:
        request = urllib.request.Request(url, data=body, method="POST", headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as reply:
                reply.read()
        except urllib.error.HTTPError as error:
            raise NotifierError(f"HTTP {error.code}") from None
        except (urllib.error.URLError, OSError) as error:
            reason = getattr(error, "reason", error)
            raise NotifierError(type(reason).__name__) from None


class SlackNotifier(Notifier):
    """A Slack incoming webhook: {"text": ...} with the category and the reference."""

    name = "slack"

    def __init__(self, url: Text, timeout: float) -> None:
        super().__init__(timeout)
        self.url = _check_url(url, "INTAKE_NOTIFY_SLACK_WEBHOOK_URL")

    def send(self, payload: Dict) -> None:
        body = json.dumps({"text": message(payload)}).encode()
        self._post(self.url, body, {"Content-Type": "application/json"})


def signature(secret: Text, body: bytes) -> Text:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


class WebhookNotifier(Notifier):
    """The payload as JSON, signed: X-Intake-Signature: sha256=HMAC-SHA256(secret, body)."""

    name = "webhook"

    def __init__(self, url: Text, secret: Text, timeout: float) -> None:
        super().__init__(timeout)
        if not secret:
            raise ValueError("INTAKE_NOTIFY_WEBHOOK_SECRET is required with INTAKE_NOTIFY_WEBHOOK_URL")
        self.url = _check_url(url, "INTAKE_NOTIFY_WEBHOOK_URL")
        self.secret = secret

    def send(self, payload: Dict) -> None:
        body = json.dumps(payload, sort_keys=True).encode()
        self._post(
            self.url,
            body,
            {
                "Content-Type": "application/json",
                "X-Intake-Signature": signature(self.secret, body),
                "X-Intake-Notification-Id": payload["id"],
            },
        )


class EmailNotifier(Notifier):
    """One email per notification over SMTP, always upgraded with STARTTLS."""

    name = "email"

    def __init__(
        self,
        host: Text,
        port: int,
        sender: Text,
        recipients: List[Text],
        user: Text,
        password: Text,
        timeout: float,
        ca_file: Text = "",
    ) -> None:
        super().__init__(timeout)
        if not sender or not recipients:
            raise ValueError(
                "INTAKE_NOTIFY_SMTP_FROM and INTAKE_NOTIFY_SMTP_TO are required with INTAKE_NOTIFY_SMTP_HOST"
            )
        self.host, self.port, self.sender, self.recipients = host, port, sender, recipients
        self.user, self.password, self.ca_file = user, password, ca_file

    def send(self, payload: Dict) -> None:
        mail = EmailMessage()
        mail["From"] = self.sender
        mail["To"] = ", ".join(self.recipients)
        mail["Subject"] = f"[intake] {TITLES.get(payload['category'], payload['category'])}"
        mail["X-Intake-Notification-Id"] = payload["id"]
        mail.set_content(message(payload) + "\n")
        context = ssl.create_default_context(cafile=self.ca_file or None)
        try:
            with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as smtp:
                smtp.starttls(context=context)  # raises when the server does not offer it
                if self.user:
                    smtp.login(self.user, self.password)
                smtp.send_message(mail)
        except (smtplib.SMTPException, OSError) as error:
            raise NotifierError(type(error).__name__) from None


def configured_notifiers() -> List[Notifier]:
    """The notifiers the environment turns on; [] when none (the default)."""
    timeout = _float_env("INTAKE_NOTIFY_TIMEOUT_SECONDS", 10.0)
    notifiers: List[Notifier] = []
    if _env("INTAKE_NOTIFY_SLACK_WEBHOOK_URL"):
        notifiers.append(SlackNotifier(_env("INTAKE_NOTIFY_SLACK_WEBHOOK_URL"), timeout))
    if _env("INTAKE_NOTIFY_WEBHOOK_URL"):
        notifiers.append(
            WebhookNotifier(_env("INTAKE_NOTIFY_WEBHOOK_URL"), _env("INTAKE_NOTIFY_WEBHOOK_SECRET"), timeout)
        )
    if _env("INTAKE_NOTIFY_SMTP_HOST"):
        notifiers.append(
            EmailNotifier(
                _env("INTAKE_NOTIFY_SMTP_HOST"),
                int(_env("INTAKE_NOTIFY_SMTP_PORT") or 587),
                _env("INTAKE_NOTIFY_SMTP_FROM"),
                [a.strip() for a in _env("INTAKE_NOTIFY_SMTP_TO").split(",") if a.strip()],
                _env("INTAKE_NOTIFY_SMTP_USER"),
                os.environ.get("INTAKE_NOTIFY_SMTP_PASSWORD", ""),
                timeout,
                _env("INTAKE_NOTIFY_SMTP_CA_FILE"),
            )
        )
    return notifiers


def notifications_configured() -> bool:
    """True when at least one notifier is turned on (what the person may be told)."""
    return any(
        _env(v) for v in ("INTAKE_NOTIFY_SLACK_WEBHOOK_URL", "INTAKE_NOTIFY_WEBHOOK_URL", "INTAKE_NOTIFY_SMTP_HOST")
    )


def on_call_line() -> Text:
    """The sentence for the {on_call_line} placeholder: said only when someone is notified
    (a notifier is configured, and configured correctly)."""
    try:
        return ON_CALL_LINE if configured_notifiers() else ""
    except ValueError:
        return ""


def payload_of(row) -> Dict:
    created = row.created_at.replace(tzinfo=dt.timezone.utc) if row.created_at.tzinfo is None else row.created_at
    return {
        "id": row.id,
        "category": row.category,
        "reference": row.reference,
        "created_at": created.isoformat(timespec="seconds"),
    }


def _aware(value: Optional[dt.datetime]) -> Optional[dt.datetime]:
    return value.replace(tzinfo=dt.timezone.utc) if value is not None and value.tzinfo is None else value


class NotificationSender:
    """Delivers due outbox rows to every notifier; run_once() for one pass, start() for a
    daemon thread polling every poll_seconds."""

    def __init__(
        self,
        engine: sa.engine.Engine,
        notifiers: List[Notifier],
        poll_seconds: float = 1.0,
        retry_seconds: float = 5.0,
        max_retry_seconds: float = 3600.0,
        claim_seconds: Optional[float] = None,
        max_age_hours: float = 72.0,
        batch: int = 20,
    ) -> None:
        self.engine = engine
        self.notifiers = notifiers
        self.poll_seconds = poll_seconds
        self.retry_seconds = retry_seconds
        self.max_retry_seconds = max_retry_seconds
        # Longer than the slowest pass over one row (every notifier timing out).
        slowest = 5 + 2 * sum(n.timeout for n in notifiers)
        self.claim_seconds = max(claim_seconds or 30 + slowest, slowest)
        self.max_age = dt.timedelta(hours=max_age_hours)
        self.batch = batch
        self._stop = threading.Event()
        self._thread: Optional[threading.Thread] = None
        outbox.ensure_schema(engine)

    @classmethod
    def from_environment(cls, engine: sa.engine.Engine) -> "NotificationSender":
        return cls(
            engine,
            configured_notifiers(),
            poll_seconds=_float_env("INTAKE_NOTIFY_POLL_SECONDS", 1.0),
            retry_seconds=_float_env("INTAKE_NOTIFY_RETRY_SECONDS", 5.0),
            max_age_hours=_float_env("INTAKE_NOTIFY_MAX_AGE_HOURS", 72.0),
            claim_seconds=_float_env("INTAKE_NOTIFY_CLAIM_SECONDS", 0.0) or None,
        )

    # The loop.

    def start(self) -> threading.Thread:
        self._thread = threading.Thread(target=self._run, name="intake-notifications", daemon=True)
        self._thread.start()
        return self._thread

    def stop(self, timeout: float = 30.0) -> None:
        """Stops after the row being delivered (it is marked, not sent twice)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                handled = self.run_once()
            except SQLAlchemyError as error:  # the database is away: try again later
                logger.warning("Notification outbox unavailable (%s)", type(error).__name__)
                handled = 0
            except Exception:  # never let the thread die: nothing else would send
                logger.exception("Notification sender pass failed")
                handled = 0
            if not handled:
                self._stop.wait(self.poll_seconds)

    def run_once(self) -> int:
        """Delivers the rows due now; returns how many it took on."""
        handled = 0
        for row in self._due():
            if self._stop.is_set():
                break
            if self._claim(row.id):
                self._deliver(row)
                handled += 1
        return handled

    # One row.

    def _due(self) -> list:
        current = outbox.now()
        table = notification_outbox
        query = (
            sa.select(table)
            .where(
                table.c.sent_at.is_(None),
                table.c.next_attempt_at <= current,
                sa.or_(table.c.claimed_until.is_(None), table.c.claimed_until < current),
            )
            .order_by(
                # Urgent safety records first.
                sa.case((table.c.category == outbox.URGENT_SAFETY, 0), else_=1),
                table.c.next_attempt_at,
            )
            .limit(self.batch)
        )
        with self.engine.connect() as connection:
            return connection.execute(query).all()

    def _claim(self, row_id: Text) -> bool:
        current = outbox.now()
        table = notification_outbox
        with self.engine.begin() as connection:
            claimed = connection.execute(
                table.update()
                .where(
                    table.c.id == row_id,
                    table.c.sent_at.is_(None),
                    sa.or_(table.c.claimed_until.is_(None), table.c.claimed_until < current),
                )
                .values(claimed_until=current + dt.timedelta(seconds=self.claim_seconds))
            ).rowcount
        return claimed == 1

    def _update(self, row_id: Text, **values) -> None:
        with self.engine.begin() as connection:
            connection.execute(notification_outbox.update().where(notification_outbox.c.id == row_id).values(**values))

    def _deliver(self, row) -> None:
        if outbox.now() - _aware(row.created_at) > self.max_age:
            self._update(
                row.id,
                claimed_until=None,
                last_error="expired: not sent in time",
                next_attempt_at=dt.datetime.max.replace(tzinfo=dt.timezone.utc),
            )
            logger.warning("Notification %s (%s) expired unsent", row.id, row.category)
            return
        payload = payload_of(row)
        done = outbox.delivered(row)
        errors = []
        for notifier in self.notifiers:
            if notifier.name in done:
                continue
            try:
                notifier.send(payload)
            except NotifierError as error:
                errors.append(f"{notifier.name}: {error}")
                continue
            except Exception as error:  # a notifier's bug must not stop the others
                errors.append(f"{notifier.name}: {type(error).__name__}")
                continue
            done.append(notifier.name)
            self._update(row.id, delivered=json.dumps(done))  # at once: a retry skips it
        attempts = row.attempts + 1
        if not errors:
            self._update(row.id, attempts=attempts, sent_at=outbox.now(), claimed_until=None, last_error=None)
            logger.info("Notification %s (%s) delivered", row.id, row.category)
            return
        delay = min(self.max_retry_seconds, self.retry_seconds * 2 ** (attempts - 1))
        error_text = "; ".join(errors)[:200]
        self._update(
            row.id,
            attempts=attempts,
            claimed_until=None,
            last_error=error_text,
            next_attempt_at=outbox.now() + dt.timedelta(seconds=delay),
        )
        logger.warning(
            "Notification %s (%s) failed, attempt %d, retry in %.1f s: %s",
            row.id,
            row.category,
            attempts,
            delay,
            error_text,
        )


_started: Dict[int, NotificationSender] = {}
_start_lock = threading.Lock()


def start_background_sender(engine: Optional[sa.engine.Engine] = None) -> Optional[NotificationSender]:
    """Starts this process's sender thread once (per process: forked workers get their
    own); None when no notifier is configured. Never raises: a broken configuration is
    logged and the chat goes on."""
    if not notifications_configured():
        return None
    with _start_lock:
        pid = os.getpid()
        if pid in _started:
            return _started[pid]
        try:
            if engine is None:
                from intake_stores.intake_records import IntakeStore

                engine = IntakeStore.from_environment().engine
            sender = NotificationSender.from_environment(engine)
        except ValueError as error:  # our own configuration messages
            logger.error("Staff notifications are configured but cannot start: %s", error)
            return None
        except Exception as error:
            logger.error("Staff notifications cannot start (%s)", type(error).__name__)
            return None
        sender.start()
        # On a normal exit, finish the row being delivered rather than cut it (a cut
        # delivery would be sent again after the restart).
        atexit.register(sender.stop, 15.0)
        _started[pid] = sender
        logger.info("Staff notifications on: %s", ", ".join(n.name for n in sender.notifiers))
        return sender
