"""Staff command line for intake records: python -m intake COMMAND (--help for each).

  list      newest first, urgent first; --since/--until YYYY-MM-DD, --urgent
  show ID   the clinician summary of one record (record id or conversation id, or a
            hand-off request id), with the contact details decrypted
  handoffs  requests to talk to a person, urgent first, newest first
  export    --format json|csv|markdown [--output FILE] (contact details decrypted)
  delete ID the record (or safety record), its hand-off requests and every tracker event
            of its conversation
  key       prints a new encryption key for INTAKE_ENCRYPTION_KEY
  purge     records and conversations older than --older-than DAYS (default: the
            retention period, INTAKE_RETENTION_DAYS, 90), and conversations without
            consent once their session is over
  notifications       staff notifications not delivered yet (failed and pending);
            --status failed|unsent|sent|all
  send-notifications  runs the notification sender here (--once: one pass)
  safety [ID]         urgent safety records (tier, categories, channel, conversation)

Databases: INTAKE_DATABASE_URL (intake records), INTAKE_TRACKER_URL (Rasa's tracker
store); both default to the SQLite files under var/. Contact details are decrypted with
INTAKE_ENCRYPTION_KEY (intake_stores/encryption.py). Errors are one line on stderr
with exit code 1 (2 for wrong usage).
"""

import argparse
import csv
import datetime as dt
import io
import json
import sys
from dataclasses import asdict
from typing import List, Optional, Sequence

from intake import notifications as staff_notifications
from intake.contact_summary import render_handoffs_only
from intake.practice import PracticeConfigError
from intake.private_files import restrict_new_files
from intake.summary import render_summary
from intake_stores import safety_records
from intake_stores.encryption import EncryptionKeyError, generate_key
from intake_stores.erasure import TrackerEvents, erase_conversation, retention_days
from intake_stores.handoff_requests import HandoffRequest, HandoffStore
from intake_stores.intake_records import IntakeRecord, IntakeStore, IntakeStoreError

SESSION_MINUTES = 60  # endpoints' session_expiration_time: after it, no consent means no text kept
EXPORT_FIELDS = [
    "id",
    "conversation_id",
    "created_at",
    "updated_at",
    "urgent",
    "risk_flag",
    "concerns",
    "coping_strategies",
    "ipt_focus",
    "therapy_accepted",
    "preferred_days",
    "preferred_time",
    "session_format",
    "presenting_problem",
    "phq2_score",
    "gad2_score",
    "phq9_score",
    "phq9_band",
    "gad7_score",
    "gad7_band",
    "screening_status",
    "screening_answers",
    "contact_name",
    "contact_method",
    "contact_phone",
    "contact_email",
    "contact_voicemail_ok",
    "contact_best_time",
    "contact_region",
    "contact_age",
    "contact_payment",
    "language",
    "schedule_note",
]
HANDOFF_FIELDS = [
    "id",
    "created_at",
    "urgency",
    "within_office_hours",
    "reason",
    "contact_name",
    "contact_method",
    "contact_phone",
    "contact_email",
    "contact_voicemail_ok",
    "contact_best_time",
]


class CommandError(Exception):
    pass


def _date(text: str) -> dt.datetime:
    try:
        return dt.datetime.strptime(text, "%Y-%m-%d").replace(tzinfo=dt.timezone.utc)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text}") from None


def _as_dict(record: IntakeRecord) -> dict:
    data = asdict(record)
    data["urgent"] = record.urgent
    for key in ("created_at", "updated_at"):
        data[key] = data[key].isoformat() if data[key] else None
    return {k: data[k] for k in EXPORT_FIELDS}


def _handoff_dict(request: HandoffRequest) -> dict:
    data = asdict(request)
    data["created_at"] = data["created_at"].isoformat() if data["created_at"] else None
    return {k: data[k] for k in HANDOFF_FIELDS}


def export_text(records: List[IntakeRecord], fmt: str, handoffs: Optional[HandoffStore] = None) -> str:
    requests = {r.conversation_id: handoffs.for_conversation(r.conversation_id) for r in records} if handoffs else {}
    if fmt == "json":
        return (
            json.dumps(
                [
                    {**_as_dict(r), "handoff_requests": [_handoff_dict(h) for h in requests.get(r.conversation_id, [])]}
                    for r in records
                ],
                indent=2,
                ensure_ascii=False,
            )
            + "\n"
        )
    if fmt == "markdown":
        return "\n---\n\n".join(render_summary(r, requests.get(r.conversation_id)) for r in records)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=EXPORT_FIELDS)
    writer.writeheader()
    for record in records:
        row = _as_dict(record)
        for key in ("concerns", "coping_strategies", "preferred_days"):
            row[key] = ";".join(row[key])
        row["screening_answers"] = ";".join(f"{k}={v}" for k, v in row["screening_answers"].items())
        writer.writerow(row)
    return out.getvalue()


def _show(store: IntakeStore, handoffs: HandoffStore, key: str) -> str:
    record = store.find(key)
    if record is not None:
        return render_summary(record, handoffs.for_conversation(record.conversation_id))
    request = handoffs.find(key)
    conversation_id = request.conversation_id if request else key
    requests = handoffs.for_conversation(conversation_id)
    if not requests:
        raise CommandError(f"no intake record or hand-off request with id or conversation id '{key}'")
    return render_handoffs_only(conversation_id, requests)


def _conversation_of(store: IntakeStore, handoffs: HandoffStore, key: str) -> str:
    record = store.find(key)
    if record is not None:
        return record.conversation_id
    request = handoffs.find(key)
    if request is not None:
        return request.conversation_id
    if handoffs.for_conversation(key):
        return key
    raise CommandError(f"no intake record with id or conversation id '{key}'")


def run(args: argparse.Namespace, store: IntakeStore, tracker: TrackerEvents) -> str:
    handoffs = HandoffStore.beside(store)
    if args.command == "key":
        return generate_key() + "\n"
    if args.command == "list":
        records = store.all(since=args.since, until=args.until, urgent_only=args.urgent)
        lines = [f"{'id':36}  {'created (UTC)':16}  {'':6}  concerns"]
        for r in records:
            created = r.created_at.strftime("%Y-%m-%d %H:%M") if r.created_at else ""
            lines.append(f"{r.id:36}  {created:16}  {'URGENT' if r.urgent else '':6}  {', '.join(r.concerns)}")
        return "\n".join(lines) + f"\n{len(records)} record(s)\n"
    if args.command == "show":
        return _show(store, handoffs, args.id)
    if args.command == "handoffs":
        requests = handoffs.all()
        lines = [f"{'id':36}  {'created (UTC)':16}  {'':6}  {'office hours':12}  conversation"]
        for h in requests:
            created = h.created_at.strftime("%Y-%m-%d %H:%M") if h.created_at else ""
            lines.append(
                f"{h.id:36}  {created:16}  {'URGENT' if h.urgency == 'urgent' else '':6}  "
                f"{'within' if h.within_office_hours else 'outside':12}  {h.conversation_id}"
            )
        return "\n".join(lines) + f"\n{len(requests)} request(s)\n"
    if args.command == "export":
        text = export_text(store.all(), args.format, handoffs)
        if args.output:
            with open(args.output, "w", encoding="utf-8") as handle:
                handle.write(text)
            return f"exported to {args.output}\n"
        return text
    if args.command == "delete":
        record = store.find(args.id)
        safety = [r for r in store.safety_records() if args.id in (r.id, r.conversation_id)]
        if record is None and safety:  # a safety record without an intake record
            conversation_id = safety[0].conversation_id
        else:
            conversation_id = _conversation_of(store, handoffs, args.id)
        erase_conversation(conversation_id, store, tracker, handoffs)
        store.delete_safety_records(conversation_id)
        if record is None:
            return f"deleted the hand-off requests or safety records and conversation {conversation_id}\n"
        return f"deleted record {record.id} and conversation {record.conversation_id}\n"
    if args.command == "purge":
        now = dt.datetime.now(dt.timezone.utc)
        cutoff = now - dt.timedelta(days=args.older_than if args.older_than is not None else retention_days())
        conversations = {r.conversation_id for r in store.all(until=cutoff)}
        conversations |= set(tracker.conversations_inactive_since(cutoff))
        conversations |= set(tracker.conversations_without_consent(now - dt.timedelta(minutes=SESSION_MINUTES)))
        for conversation_id in conversations:
            erase_conversation(conversation_id, store, tracker, handoffs)
        # Safety records outlive a declined consent, not the retention period.
        safety = store.delete_safety_records(before=cutoff)
        store.delete_old_notifications(before=cutoff)
        return f"purged {len(conversations)} conversation(s), {safety} safety record(s)\n"
    if args.command == "notifications":
        return _notifications_text(store.notifications(args.status))
    if args.command == "send-notifications":
        return _send_notifications(store, args.once)
    if args.command == "safety":
        return _safety_text(store, args.id)
    raise CommandError(f"unknown command {args.command}")


def _when(value: Optional[dt.datetime]) -> str:
    return value.strftime("%Y-%m-%d %H:%M:%S") if value else ""


def _notifications_text(rows: List[dict]) -> str:
    lines = [
        f"{'notification':36}  {'created (UTC)':19}  {'category':15}  {'reference':36}  "
        f"{'tries':5}  {'sent (UTC)':19}  delivered / last error"
    ]
    for row in rows:
        delivered = ",".join(json.loads(row["delivered"] or "[]"))
        detail = " / ".join(x for x in (delivered, row["last_error"] or "") if x)
        lines.append(
            f"{row['id']:36}  {_when(row['created_at']):19}  {row['category']:15}  "
            f"{row['reference']:36}  {row['attempts']:<5}  {_when(row['sent_at']):19}  {detail}"
        )
    failed = sum(1 for r in rows if r["sent_at"] is None and r["attempts"] > 0)
    return "\n".join(lines) + f"\n{len(rows)} notification(s), {failed} failed\n"


def _send_notifications(store: IntakeStore, once: bool) -> str:
    if not staff_notifications.notifications_configured():
        raise CommandError("no notifier configured (INTAKE_NOTIFY_* variables)")
    try:
        sender = staff_notifications.NotificationSender.from_environment(store.engine)
    except ValueError as error:
        raise CommandError(str(error)) from None
    if once:
        return f"{sender.run_once()} notification(s) handled\n"
    import signal

    signal.signal(signal.SIGTERM, lambda *_: sender._stop.set())
    try:
        sender._run()  # until SIGTERM or Ctrl-C; the row being delivered is finished first
    except KeyboardInterrupt:
        pass
    return "notification sender stopped\n"


def _safety_text(store: IntakeStore, key: Optional[str]) -> str:
    rows = [safety_records.as_dict(r) for r in store.safety_records()]
    if key:
        rows = [r for r in rows if key in (r["id"], r["conversation_id"])]
        if not rows:
            raise CommandError(f"no safety record with id or conversation id '{key}'")
    lines = [f"{'safety record':36}  {'created (UTC)':19}  {'tier':8}  {'categories':20}  {'channel':10}  conversation"]
    for r in rows:
        lines.append(
            f"{r['id']:36}  {_when(r['created_at']):19}  {r['tier']:8}  "
            f"{','.join(r['categories']) or '-':20}  {r['channel'] or '-':10}  {r['conversation_id']}"
        )
    return "\n".join(lines) + f"\n{len(rows)} safety record(s)\n"


def parser() -> argparse.ArgumentParser:
    main = argparse.ArgumentParser(prog="python -m intake", description="Intake records for staff.")
    commands = main.add_subparsers(dest="command", required=True)
    listing = commands.add_parser("list", help="records, urgent first, newest first")
    listing.add_argument("--since", type=_date)
    listing.add_argument("--until", type=_date)
    listing.add_argument("--urgent", action="store_true", help="only urgent records")
    commands.add_parser("show", help="one record's summary").add_argument("id")
    commands.add_parser("handoffs", help="requests to talk to a person")
    commands.add_parser("key", help="print a new encryption key (INTAKE_ENCRYPTION_KEY)")
    export = commands.add_parser("export", help="all records")
    export.add_argument("--format", choices=["json", "csv", "markdown"], default="json")
    export.add_argument("--output")
    commands.add_parser("delete", help="a record and its conversation").add_argument("id")
    purge = commands.add_parser("purge", help="apply the retention period")
    purge.add_argument("--older-than", type=int, metavar="DAYS", help="default: the retention period")
    listing = commands.add_parser("notifications", help="staff notifications not delivered yet")
    listing.add_argument(
        "--status",
        choices=["failed", "unsent", "sent", "all"],
        default="unsent",
        help="default: unsent (failed and pending)",
    )
    sending = commands.add_parser("send-notifications", help="run the notification sender")
    sending.add_argument("--once", action="store_true", help="one pass, then exit")
    commands.add_parser("safety", help="urgent safety records").add_argument("id", nargs="?")
    return main


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = parser().parse_args(argv)
    try:
        sys.stdout.write(run(args, IntakeStore.from_environment(), TrackerEvents()))
        return 0
    except (CommandError, IntakeStoreError, PracticeConfigError, EncryptionKeyError, OSError) as error:
        print(f"intake: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    restrict_new_files()  # exports and databases readable by their owner only
    sys.exit(main())
