"""Why the intake did what it did, as a code plus arguments, and the English line for each.

Code reads `reason_code` (InboundMessage, Attachment); people reading logs and
`reportbot quarantine list` read the English line rendered here; staff read the Vietnamese
sentence bot/staff/reasons.py renders from the same code. Pure.
"""
from __future__ import annotations

ENGLISH: dict[str, str] = {
    "too_large": "message too large to read ({size_mb} MB, limit {limit_mb} MB); kept for staff",
    "own_mail": "our own mail came back",
    "bounce": "delivery failure notice",
    "delay_notice": "delay or success notice (no failure)",
    "auto_reply": "automatic reply",
    "feedback_report": "feedback-loop (abuse) report from a mail provider",
    "automated": "automated mail",
    "no_agency": "no agency matched: {detail}",
    "unregistered_sender": "sender is not a registered address of {agency} ({detail})",
    "campaign_unknown": "{agency}: cannot tell which campaign the reply is for",
    "verification_failed": "sender verification failed: {detail}",
    "broken_mime": "the MIME structure is broken ({defects}): its parts cannot be told apart; kept for staff",
    "no_report_content": "no report content (cover note or message)",
    "not_to_be_answered": "recorded without an acknowledgement: {detail}",
    "processing_failed": "processing failed: {error}",
    "rejected_by_staff": "rejected by staff",
}


def english(code: str, args: dict | None = None) -> str:
    """The English line for a reason code; an unknown code is shown as it is with its arguments."""
    template = ENGLISH.get(code)
    if template is None:
        return f"{code} {args}" if args else code
    try:
        return template.format(**(args or {}))
    except (KeyError, IndexError):
        return f"{template} {args}"
