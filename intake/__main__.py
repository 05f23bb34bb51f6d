"""Staff command line for intake records: python -m intake COMMAND (--help for each).

  list      newest first, urgent first; --since/--until YYYY-MM-DD, --urgent
  show ID   the clinician summary of one record (record id or conversation id)
  export    --format json|csv|markdown [--output FILE]
  delete ID the record (or safety record) and every tracker event of its conversation
  purge     records and conversations older than --older-than DAYS (default: the
            retention period, INTAKE_RETENTION_DAYS, 90), and conversations without
            consent once their session is over
  notifications       staff notifications not delivered yet (failed and pending);
            --status failed|unsent|sent|all
  send-notifications  runs the notification sender here (--once: one pass)
  safety [ID]         urgent safety records (tier, categories, channel, conversation)

Databases: INTAKE_DATABASE_URL (intake records), INTAKE_TRACKER_URL (Rasa's tracker
store); both default to the SQLite files under var/. Errors are one line on stderr
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

from intake_stores.erasure import TrackerEvents, erase_conversation, retention_days
from intake.practice import PracticeConfigError
from intake.private_files import restrict_new_files
from intake_stores.intake_records import IntakeRecord, IntakeStore, IntakeStoreError
from intake.summary import render_summary
from intake import notifications as staff_notifications
from intake_stores import safety_records

SESSION_MINUTES = 60  # endpoints' session_expiration_time: after it, no consent means no text kept
EXPORT_FIELDS = ["id", "conversation_id", "created_at", "updated_at", "urgent", "risk_flag", "concerns",
                 "coping_strategies", "ipt_focus", "therapy_accepted", "preferred_days", "preferred_time",
                 "session_format", "presenting_problem", "phq2_score", "gad2_score", "phq9_score",
                 "phq9_band", "gad7_score", "gad7_band", "screening_status", "screening_answers"]


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


def export_text(records: List[IntakeRecord], fmt: str) -> str:
    if fmt == "json":
        return json.dumps([_as_dict(r) for r in records], indent=2, ensure_ascii=False) + "\n"
    if fmt == "markdown":
        return "\n---\n\n".join(render_summary(r) for r in records)
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


def _record(store: IntakeStore, key: str) -> IntakeRecord:
    record = store.find(key)
    if record is None:
        raise CommandError(f"no intake record with id or conversation id '{key}'")
    return record


def run(args: argparse.Namespace, store: IntakeStore, tracker: TrackerEvents) -> str:
    if args.command == "list":
        records = store.all(since=args.since, until=args.until, urgent_only=args.urgent)
        lines = [f"{'id':36}  {'created (UTC)':16}  {'':6}  concerns"]
        for r in records:
            created = r.created_at.strftime("%Y-%m-%d %H:%M") if r.created_at else ""
            lines.append(f"{r.id:36}  {created:16}  {'URGENT' if r.urgent else '':6}  {', '.join(r.concerns)}")
        return "\n".join(lines) + f"\n{len(records)} record(s)\n"
    if args.command == "show":
        return render_summary(_record(store, args.id))
    if args.command == "export":
        text = export_text(store.all(), args.format)
        if args.output:
            with open(args.output, "w", encoding="utf-8") as handle:
                handle.write(text)
            return f"exported to {args.output}\n"
        return text
    if args.command == "delete":
        safety = [r for r in store.safety_records() if args.id in (r.id, r.conversation_id)]
        if safety and store.find(args.id) is None:  # a safety record without an intake record
            conversation_id = safety[0].conversation_id
            erase_conversation(conversation_id, store, tracker)
            store.delete_safety_records(conversation_id)
            return f"deleted safety record(s) and conversation {conversation_id}\n"
        record = _record(store, args.id)
        erase_conversation(record.conversation_id, store, tracker)
        store.delete_safety_records(record.conversation_id)
        return f"deleted record {record.id} and conversation {record.conversation_id}\n"
    if args.command == "purge":
        now = dt.datetime.now(dt.timezone.utc)
        cutoff = now - dt.timedelta(days=args.older_than if args.older_than is not None else retention_days())
        conversations = {r.conversation_id for r in store.all(until=cutoff)}
        conversations |= set(tracker.conversations_inactive_since(cutoff))
        conversations |= set(tracker.conversations_without_consent(now - dt.timedelta(minutes=SESSION_MINUTES)))
        for conversation_id in conversations:
            erase_conversation(conversation_id, store, tracker)
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
    lines = [f"{'notification':36}  {'created (UTC)':19}  {'category':15}  {'reference':36}  "
             f"{'tries':5}  {'sent (UTC)':19}  delivered / last error"]
    for row in rows:
        delivered = ",".join(json.loads(row["delivered"] or "[]"))
        detail = " / ".join(x for x in (delivered, row["last_error"] or "") if x)
        lines.append(f"{row['id']:36}  {_when(row['created_at']):19}  {row['category']:15}  "
                     f"{row['reference']:36}  {row['attempts']:<5}  {_when(row['sent_at']):19}  {detail}")
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
        lines.append(f"{r['id']:36}  {_when(r['created_at']):19}  {r['tier']:8}  "
                     f"{','.join(r['categories']) or '-':20}  {r['channel'] or '-':10}  {r['conversation_id']}")
    return "\n".join(lines) + f"\n{len(rows)} safety record(s)\n"


def parser() -> argparse.ArgumentParser:
    main = argparse.ArgumentParser(prog="python -m intake", description="Intake records for staff.")
    commands = main.add_subparsers(dest="command", required=True)
    listing = commands.add_parser("list", help="records, urgent first, newest first")
    listing.add_argument("--since", type=_date)
    listing.add_argument("--until", type=_date)
    listing.add_argument("--urgent", action="store_true", help="only urgent records")
    commands.add_parser("show", help="one record's summary").add_argument("id")
    export = commands.add_parser("export", help="all records")
    export.add_argument("--format", choices=["json", "csv", "markdown"], default="json")
    export.add_argument("--output")
    commands.add_parser("delete", help="a record and its conversation").add_argument("id")
    purge = commands.add_parser("purge", help="apply the retention period")
    purge.add_argument("--older-than", type=int, metavar="DAYS", help="default: the retention period")
    listing = commands.add_parser("notifications", help="staff notifications not delivered yet")
    listing.add_argument("--status", choices=["failed", "unsent", "sent", "all"], default="unsent",
                         help="default: unsent (failed and pending)")
    sending = commands.add_parser("send-notifications", help="run the notification sender")
    sending.add_argument("--once", action="store_true", help="one pass, then exit")
    commands.add_parser("safety", help="urgent safety records").add_argument("id", nargs="?")
    return main


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = parser().parse_args(argv)
    try:
        sys.stdout.write(run(args, IntakeStore.from_environment(), TrackerEvents()))
        return 0
    except (CommandError, IntakeStoreError, PracticeConfigError, OSError) as error:
        print(f"intake: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    restrict_new_files()  # exports and databases readable by their owner only
    sys.exit(main())
