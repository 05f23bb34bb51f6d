"""Staff command line for intake records: python -m intake COMMAND (--help for each).

  list      newest first, urgent first; --since/--until YYYY-MM-DD, --urgent
  show ID   the clinician summary of one record (record id or conversation id)
  export    --format json|csv|markdown [--output FILE]
  delete ID the record and every tracker event of its conversation
  purge     records and conversations older than --older-than DAYS (default: the
            retention period, INTAKE_RETENTION_DAYS, 90), and conversations without
            consent once their session is over

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

from intake.practice import PracticeConfigError
from intake.summary import render_summary
from intake_stores.erasure import TrackerEvents, erase_conversation, retention_days
from intake_stores.intake_records import IntakeRecord, IntakeStore, IntakeStoreError

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
        record = _record(store, args.id)
        erase_conversation(record.conversation_id, store, tracker)
        return f"deleted record {record.id} and conversation {record.conversation_id}\n"
    if args.command == "purge":
        now = dt.datetime.now(dt.timezone.utc)
        cutoff = now - dt.timedelta(days=args.older_than if args.older_than is not None else retention_days())
        conversations = {r.conversation_id for r in store.all(until=cutoff)}
        conversations |= set(tracker.conversations_inactive_since(cutoff))
        conversations |= set(tracker.conversations_without_consent(now - dt.timedelta(minutes=SESSION_MINUTES)))
        for conversation_id in conversations:
            erase_conversation(conversation_id, store, tracker)
        return f"purged {len(conversations)} conversation(s)\n"
    raise CommandError(f"unknown command {args.command}")


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
    sys.exit(main())
