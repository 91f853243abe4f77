"""What staff do by hand: take an agency off a campaign's list (exempt), record a report that
came by another road (post, the document management system, a USB stick) so reminders stop and
it is in the digest and the export like any other, and retry a failed mail or address (mail
set aside is dealt with in staff/quarantine.py). The database edge; one transaction each; every
action is an event naming its actor."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import update
from sqlmodel import Session, func, select

from bot.campaigns.agency_load import agency_by_code
from bot.campaigns.campaign_load import campaign_outline
from bot.core.app import App
from bot.core.errors import Conflict, NotFound, UserError
from bot.core.store import BlobStore
from bot.intake.contents import merge_reports, parse_document
from bot.intake.recording import add_submission
from db.engine import session_scope
from db.events import log_event
from db.models import Agency, Campaign, Contact, Enrollment, OutboundMail, Submission
from db.vocabulary import DEAD_CONTACT_STATES, ContactState, OutboxStatus

HAND_CHANNEL = "ngoài thư điện tử"  # a report recorded by hand: its sources say so, the export names it


def enrolled_agency(session: Session, campaign: Campaign, code: str) -> tuple[Agency, Enrollment]:
    agency = agency_by_code(session, code)
    enrollment = session.exec(select(Enrollment).where(Enrollment.campaign_id == campaign.id,
                                                       Enrollment.agency_id == agency.id)).first()
    if enrollment is None:
        raise UserError(f"AGENCY_CODE: {agency.code} is not enrolled in {campaign.code}")
    return agency, enrollment


def set_exempt(session: Session, campaign: Campaign, code: str, reason: str | None, *, now: datetime,
               actor: str = "cli") -> bool:
    """Exempt the agency (reason given) or put it back on the list (None); False when unchanged."""
    agency, enrollment = enrolled_agency(session, campaign, code)
    if reason is not None and not reason.strip():
        raise UserError("--reason: say why the agency need not report (staff read it in the status)")
    exempt = reason is not None
    if enrollment.exempt == exempt and (not exempt or enrollment.exempt_reason == reason.strip()):
        return False
    enrollment.exempt, enrollment.exempt_reason = exempt, reason.strip() if exempt else ""
    log_event(session, "agency.exempted" if exempt else "agency.unexempted", campaign_id=campaign.id,
              agency_id=agency.id, actor=actor, at=now, detail={"reason": enrollment.exempt_reason})
    return True


@dataclass(frozen=True)
class HandedFile:
    filename: str
    data: bytes


def parse_handed(campaign: Campaign, files: list[HandedFile]) -> tuple[dict, list[dict]]:
    """Parse the files (sandboxed, slow: call outside a transaction); (merged report, per-file results)."""
    outline = campaign_outline(campaign)
    results = [parse_document(f.data, f.filename, outline) for f in files]
    return merge_reports(results, outline), results


def record_handed_report(session: Session, campaign: Campaign, code: str, files: list[HandedFile],
                         merged: dict, results: list[dict], *, received_at: datetime, now: datetime,
                         store: BlobStore, actor: str = "cli") -> Submission:
    """Store the files by hash and record them as the agency's next version (no acknowledgement)."""
    agency, _ = enrolled_agency(session, campaign, code)
    sources = []
    for f, result in zip(files, results):
        digest, _ = store.put(f.data)
        found = any(s["found"] for s in result["sections"])
        sources.append({"filename": f.filename, "sha256": digest, "size": len(f.data),
                        "status": "parsed" if found else "failed", "channel": HAND_CHANNEL})
    sub = add_submission(session, campaign, agency, merged, sources, received_at, actor=actor, now=now)
    log_event(session, "submission.by_hand", campaign_id=campaign.id, agency_id=agency.id, actor=actor, at=now,
              detail={"submission_id": sub.id, "files": [f.filename for f in files]})
    return sub


# ---------------------------------------------------------------- outbound mail and addresses
def retry_outbox_mail(app: App, mail_id: int, *, actor: str, now: datetime) -> None:
    """A failed outbox row goes back to pending, due at once, with a fresh count of attempts."""
    with session_scope(app.engine) as s:
        row = s.get(OutboundMail, mail_id)
        if row is None:
            raise NotFound(f"MAIL_ID: no outbox mail #{mail_id}")
        won = s.connection().execute(
            update(OutboundMail).where(OutboundMail.id == mail_id, OutboundMail.status == OutboxStatus.FAILED)
            .values(status=OutboxStatus.PENDING, attempts=0, next_attempt_at=None, claimed_by=None,
                    claimed_at=None)).rowcount
        if won != 1:
            raise Conflict(f"outbox mail #{mail_id} is {row.status}, not failed")
        log_event(s, "outbox.retried", campaign_id=row.campaign_id, agency_id=row.agency_id, actor=actor, at=now,
                  detail={"outbound_id": mail_id, "kind": row.kind, "last_error": row.last_error[:300]})


def retry_contact(app: App, email: str, *, actor: str, now: datetime) -> int:
    """Addresses our server refused (failed) or that bounced are written to again: staff checked
    them with the agency. Returns how many contact rows became active."""
    wanted = email.strip().lower()
    with session_scope(app.engine) as s:
        rows = s.exec(select(Contact).where(func.lower(Contact.email) == wanted)).all()
        if not rows:
            raise NotFound(f"EMAIL: no contact {email!r}")
        dead = [c for c in rows if c.state in DEAD_CONTACT_STATES]
        if not dead:
            raise Conflict(f"{email} is already active")
        for c in dead:
            log_event(s, "contact.retried", agency_id=c.agency_id, actor=actor, at=now,
                      detail={"email": c.email, "was": str(c.state), "reason": c.state_reason[:300]})
            c.state, c.state_reason, c.state_changed_at = ContactState.ACTIVE, "", now
        return len(dead)
