"""The one-page referral summary a clinician reads in 30 seconds: urgency first."""

from typing import List, Optional, Text

from intake.contact_summary import contact_lines, handoff_lines
from intake.screening import ANSWER_LABELS, SELF_HARM_ITEM
from intake.vocabulary import (
    CLINICIAN_FLAGS,
    CONCERN_LABELS,
    COPING_WORDS,
    IPT_FOCUS_LABELS,
    IPT_FOCUS_REASONS,
    describe_schedule,
    join_words,
)
from intake_stores.handoff_requests import HandoffRequest
from intake_stores.intake_records import IntakeRecord

QUOTE_MAX_CHARS = 200


def _quote(text: Text) -> Text:
    text = " ".join((text or "").split())
    return text if len(text) <= QUOTE_MAX_CHARS else text[: QUOTE_MAX_CHARS - 1].rstrip() + "…"


def describe_screening(record: IntakeRecord) -> Text:
    """Scores with their bands; the short screens when the full forms were not indicated."""
    if record.screening_status == "declined":
        return "declined in chat (to do at assessment)"
    parts = []
    for name, full_score, full_band, short_score in (
        ("PHQ-9", record.phq9_score, record.phq9_band, record.phq2_score),
        ("GAD-7", record.gad7_score, record.gad7_band, record.gad2_score),
    ):
        if full_score is not None:
            parts.append(f"{name} {full_score} ({full_band})")
        elif short_score is not None:
            short = name[:3] + "-2"
            parts.append(
                f"{short} {short_score}"
                + (" (below 3: full form not indicated)" if short_score < 3 else " (full form not completed)")
            )
    if not parts:
        return "not completed"
    status = "; skipped part-way" if record.screening_status == "skipped" else ""
    return ", ".join(parts) + status


def render_summary(record: IntakeRecord, handoffs: Optional[List[HandoffRequest]] = None) -> Text:
    """Markdown; reads as plain text too. Contains the decrypted contact details: for
    staff only (the CLI and the export)."""
    when = record.created_at.strftime("%Y-%m-%d %H:%M UTC") if record.created_at else "unknown date"
    urgency = (
        "**URGENT: risk flag.** The person triggered the crisis response during the intake. Contact them first."
        if record.urgent
        else "Routine: no risk indicators were raised in the conversation."
    )
    self_harm = record.screening_answers.get(SELF_HARM_ITEM, 0)
    if self_harm:
        urgency += f' PHQ-9 item 9 (thoughts of being better off dead or of self-harm): "{ANSWER_LABELS[self_harm]}".'
    concerns = join_words([CONCERN_LABELS.get(c, c) for c in record.concerns]) or "none stated"
    tried = join_words([COPING_WORDS.get(c, c) for c in record.coping_strategies]) or "nothing mentioned"
    if record.ipt_focus:
        focus = f"{IPT_FOCUS_LABELS[record.ipt_focus]}, because {IPT_FOCUS_REASONS[record.ipt_focus]}"
    else:
        focus = "no specific IPT problem area yet (general interpersonal focus)"
    therapy = {True: "accepted the IPT suggestion", False: "declined therapy for now"}.get(
        record.therapy_accepted, "not decided"
    )
    schedule = describe_schedule(record.preferred_days, record.preferred_time, record.session_format) or "not given"
    if record.schedule_note:  # the alternatives of a ranked answer
        schedule += f" (noted: {record.schedule_note})"
    flags = [CLINICIAN_FLAGS[c] for c in record.concerns if c in CLINICIAN_FLAGS]
    lines = [
        f"# Intake summary: {when}",
        "",
        urgency,
        "",
        *([f"**Flag for the clinician:** {'; '.join(flags)}. Ask about it at first contact.", ""] if flags else []),
        *(
            [f"**Language:** wrote in `{record.language}`; the assistant speaks English only.", ""]
            if record.language and record.language != "en"
            else []
        ),
        f"- **Presenting concerns:** {concerns}",
        f'- **In their words:** "{_quote(record.presenting_problem)}"'
        if record.presenting_problem
        else "- **In their words:** (no disclosure recorded)",
        f"- **Tried so far:** {tried}",
        f"- **Suggested IPT focus:** {focus}. A suggestion from the intake assistant, to be confirmed at assessment; not a diagnosis.",
        f"- **Therapy:** {therapy}",
        f"- **Scheduling:** {schedule}",
        f"- **Screening:** {describe_screening(record)}. Self-report scores to inform triage; not a diagnosis.",
        "",
        *contact_lines(record),
        "",
        *([*handoff_lines(handoffs), ""] if handoffs else []),
        f"Conversation `{record.conversation_id}` · record `{record.id}`",
    ]
    return "\n".join(lines) + "\n"
