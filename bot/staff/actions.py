"""What staff do by hand: take an agency off a campaign's list (exempt), and record a report that
came by another road (post, the document management system, a USB stick) so reminders stop and
it is in the digest and the export like any other. The database edge; one transaction each."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, select

from bot.campaigns.agency_load import agency_by_code
from bot.campaigns.campaign_load import campaign_outline
from bot.core.errors import UserError
from bot.core.store import BlobStore
from bot.intake.contents import merge_reports, parse_document
from bot.intake.recording import add_submission
from db.events import log_event
from db.models import Agency, Campaign, Enrollment, Submission

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
