"""The contact block and the hand-off requests of the clinician summary (staff only:
these are decrypted contact details)."""

from typing import List, Text

from intake.contact_details import METHOD_LABELS, PAYMENT_LABELS, display_phone
from intake_stores.handoff_requests import HandoffRequest

AGE_LABELS = {
    "adult": "confirmed adult",
    "minor": "UNDER the minimum age: parent/guardian path",
    "not_given": "not given",
}


def _reach(method, phone, email) -> Text:
    address = display_phone(phone) if phone and method != "email" else (email or phone)
    if not address:
        return "no way to reach them was given: they were told to call the practice"
    return f"{METHOD_LABELS.get(method, method or 'contact')}: {address}"


def _named(voicemail_ok) -> Text:
    return {True: "may name the practice", False: "must NOT name the practice"}.get(voicemail_ok, "not asked")


def contact_lines(record) -> List[Text]:
    lines = [
        "## Contact",
        "",
        f"- **Name:** {record.contact_name or 'not given'}",
        f"- **Reach by:** {_reach(record.contact_method, record.contact_phone, record.contact_email)}",
        f"- **Messages:** {_named(record.contact_voicemail_ok)}",
        f"- **Best time:** {record.contact_best_time or 'not given'}",
    ]
    if record.contact_region:
        lines.append(f"- **Lives in:** {record.contact_region}")
    if record.contact_age:
        lines.append(f"- **Age check:** {AGE_LABELS.get(record.contact_age, record.contact_age)}")
    if record.contact_payment:
        lines.append(f"- **Payment:** {PAYMENT_LABELS.get(record.contact_payment, record.contact_payment)}")
    return lines


def handoff_lines(requests: List[HandoffRequest]) -> List[Text]:
    if not requests:
        return []
    lines = ["## Asked to talk to a person", ""]
    for request in requests:
        when = request.created_at.strftime("%Y-%m-%d %H:%M UTC") if request.created_at else "unknown time"
        hours = "within office hours" if request.within_office_hours else "outside office hours"
        urgency = "**URGENT**" if request.urgency == "urgent" else "routine"
        lines.append(
            f"- {when} ({hours}), {urgency}: "
            f"{_reach(request.contact_method, request.contact_phone, request.contact_email)}"
            + (f", ask for {request.contact_name}" if request.contact_name else "")
            + f"; messages {_named(request.contact_voicemail_ok)}"
            + (f"; best time {request.contact_best_time}" if request.contact_best_time else "")
        )
        if request.reason:
            lines.append(f'  - In their words: "{" ".join(request.reason.split())[:200]}"')
        lines.append(f"  - Request `{request.id}`")
    return lines


def render_handoffs_only(conversation_id: Text, requests: List[HandoffRequest]) -> Text:
    """For a person who asked for a human before (or without) an intake record."""
    lines = [
        f"# Hand-off request: conversation `{conversation_id}`",
        "",
        "No intake record: the person asked for a person before completing the intake.",
        "",
    ]
    return "\n".join(lines + handoff_lines(requests)) + "\n"
