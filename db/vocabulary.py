"""The words the tables' state columns and kind columns may hold: one StrEnum per state column,
one tuple per set of kinds. Code compares against these, never against bare strings, so
"failed" means one thing per column and a typo is a NameError, not a silent mismatch.
StrEnum members are str: they compare equal to the stored text and serialise as it.
"""
from __future__ import annotations

from enum import StrEnum


class InboundState(StrEnum):
    """InboundMessage.state."""

    STORED = "stored"            # raw bytes kept; waiting to be processed (again, after a failure)
    PROCESSING = "processing"    # claimed by one intake worker (claimed_by, claimed_at)
    PROCESSED = "processed"
    QUARANTINED = "quarantined"  # kept for staff: not trusted or not matched
    REJECTED = "rejected"        # staff said it is not for us
    IGNORED = "ignored"          # automated mail that needs nobody (auto-reply, delay notice, own mail)
    FAILED = "failed"            # processing raised on every attempt; staff may retry it


class OutboxStatus(StrEnum):
    """OutboundMail.status."""

    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"        # refused for good (5xx) or out of attempts; staff may retry it
    CANCELLED = "cancelled"  # no longer needed (report in, agency exempt, address dead)


class ContactState(StrEnum):
    """Contact.state."""

    ACTIVE = "active"
    BOUNCED = "bounced"  # a bounce notice said the address does not exist (permanent)
    FAILED = "failed"    # our server refused to send to it (5xx at RCPT)


DEAD_CONTACT_STATES = (ContactState.BOUNCED, ContactState.FAILED)


class ParseStatus(StrEnum):
    """Attachment.parse_status."""

    PENDING = "pending"
    PARSED = "parsed"    # outline sections were found in it
    FAILED = "failed"    # parsed, or tried, without finding a report in it
    SKIPPED = "skipped"  # not opened (not a document, over a limit, a format we do not open)


class MailKind(StrEnum):
    """OutboundMail.kind."""

    DISPATCH = "dispatch"
    REMINDER = "reminder"
    OVERDUE = "overdue"
    ACK = "ack"
    DIGEST = "digest"


AGENCY_MAIL_KINDS = (MailKind.DISPATCH, MailKind.REMINDER, MailKind.OVERDUE)  # what the planner plans
REMINDER_KINDS = (MailKind.REMINDER, MailKind.OVERDUE)                        # stop once a report is in


class Classification(StrEnum):
    """InboundMessage.classification."""

    REPORT = "report"
    MESSAGE = "message"  # from a known agency, no report in it (a cover note)
    BOUNCE = "bounce"
    AUTO_REPLY = "auto_reply"
    OWN = "own"
    REPORT_OR_OTHER = "report_or_other"  # not automated; not (yet) recorded as a report

