"""Recording what a message brought: files, the submission, bounces, quarantine, the ack.

Every function adds to the caller's transaction (one per message) and logs its event.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import Session, col, func, select

from bot.core.store import BlobStore
from bot.intake.attachments import UNOPENED_KINDS
from bot.intake.bounce import BounceRecipient
from bot.intake.contents import Contents
from bot.intake.reasons import english
from db.events import log_event
from db.models import Agency, Attachment, Campaign, Contact, InboundMessage, OutboundMail, Submission
from db.vocabulary import InboundState, ParseStatus

# What the agency reads in its acknowledgement about a file it sent.
PROBLEM_REFUSED = "tệp bị từ chối vì vượt giới hạn an toàn"
PROBLEM_UNREADABLE = "chưa đọc được nội dung tệp; Cục Báo chí sẽ kiểm tra và liên hệ nếu cần"
PROBLEM_NOT_REPORT = "không phải tệp báo cáo"
PROBLEM_UNOPENED = ("hệ thống chưa mở được loại tệp này (tệp nén RAR/7z/gzip, thư Outlook .msg); đề nghị gửi lại "
                    "báo cáo dưới dạng tệp Word hoặc PDF, hoặc tệp nén ZIP")


def record_files(session: Session, store: BlobStore, inbound: InboundMessage, contents: Contents) -> list[Attachment]:
    rows = []
    for pf in contents.files:
        f = pf.file
        blob = store.put(f.data)[1] if f.data else ""
        status = "skipped" if f.skipped_reason else ("parsed" if pf.found_sections else
                                                    ("failed" if pf.result is not None else "skipped"))
        row = Attachment(inbound_id=inbound.id, filename=f.filename, sha256=f.sha256, size=f.size,
                         kind=f.detected_kind, origin=f.origin, blob_path=blob, parse_status=status,
                         parse_result=pf.result, reason=pf.problem, reason_code=pf.problem_code)
        session.add(row)
        rows.append(row)
    session.flush()
    return rows


def agency_problem(row: Attachment) -> str:
    """What the acknowledgement tells the agency about one of its files ("" when it was read)."""
    if row.parse_status == ParseStatus.PARSED:
        return ""
    if row.parse_status == ParseStatus.FAILED:
        return PROBLEM_UNREADABLE
    if row.kind in UNOPENED_KINDS:
        return PROBLEM_UNOPENED
    return PROBLEM_REFUSED if row.reason_code == "over_limit" else PROBLEM_NOT_REPORT


def record_submission(session: Session, campaign: Campaign, agency: Agency, inbound: InboundMessage,
                      merged: dict, attachments: list[Attachment], received_at: datetime,
                      *, actor: str = "intake", now: datetime | None = None) -> Submission:
    """The submission a mail brought (its files, or its body when it had none)."""
    if inbound.from_addr:
        clear_temporary_failures(session, inbound.from_addr)
    sources = [{"filename": a.filename, "sha256": a.sha256, "size": a.size, "status": a.parse_status}
               for a in attachments] or [{"filename": "(nội dung thư)", "sha256": inbound.sha256,
                                           "size": inbound.size, "status": "parsed"}]
    return add_submission(session, campaign, agency, merged, sources, received_at, inbound_id=inbound.id,
                          actor=actor, now=now)


def add_submission(session: Session, campaign: Campaign, agency: Agency, merged: dict, sources: list[dict],
                   received_at: datetime, *, inbound_id: int | None = None, actor: str = "intake",
                   now: datetime | None = None) -> Submission:
    """A new version for (campaign, agency); the earlier current one is superseded, both kept."""
    previous = session.exec(select(Submission).where(
        Submission.campaign_id == campaign.id, Submission.agency_id == agency.id)).all()
    for p in previous:
        p.is_current = False
    sub = Submission(
        campaign_id=campaign.id, agency_id=agency.id, inbound_id=inbound_id,
        version=max((p.version for p in previous), default=0) + 1, received_at=received_at,
        on_time=received_at <= campaign.deadline, completeness=merged["completeness"],
        missing=merged["missing"], sections=merged["sections"], metrics=merged["metrics"], sources=sources,
    )
    session.add(sub)
    session.flush()
    log_event(session, "submission.recorded", campaign_id=campaign.id, agency_id=agency.id, actor=actor, at=now,
              detail={"submission_id": sub.id, "version": sub.version, "inbound_id": inbound_id,
                      "completeness": sub.completeness, "missing": sub.missing, "on_time": sub.on_time})
    return sub


TEMPORARY_BOUNCE_DAYS = 4  # bot.core.config IntakeConfig.temporary_bounce_days, its default


def record_bounce(session: Session, inbound: InboundMessage, recipients: list[BounceRecipient],
                  returned_ids: list[str], *, actor: str = "intake", now: datetime | None = None,
                  transient: bool = False, temporary_days: int = TEMPORARY_BOUNCE_DAYS) -> list[Contact]:
    """Record what a bounce says of each failed recipient's contacts: a permanent failure marks the
    contact bounced (never written to again); a temporary one keeps it active and counts it, until it
    has failed so for `temporary_days` (then bounced too). The agency is `bounced` once all its
    primary contacts are (derived in bot/staff/status.py). A bounce naming nobody stands for the
    recipients of our returned mail, permanent unless the notice is only a delay (`transient`)."""
    verdicts: dict[str, BounceRecipient | None] = {}
    for r in recipients:
        if r.address and r.failed:
            verdicts.setdefault(r.address.lower(), r)
    if not recipients and returned_ids:  # no address stated: the recipients of our returned mail
        wanted = returned_ids + [f"<{i}>" for i in returned_ids]  # the outbox keeps the brackets
        for row in session.exec(select(OutboundMail).where(col(OutboundMail.message_id).in_(wanted))):
            for a in row.to_addrs:
                verdicts.setdefault(a.lower(), None)
    contacts = list(session.exec(select(Contact).where(func.lower(Contact.email).in_(verdicts)))) if verdicts else []
    at = inbound.received_at or now
    for c in contacts:
        r = verdicts[c.email.lower()]
        permanent = r.permanent if r is not None else not transient
        if c.state == "bounced":
            continue
        if permanent:
            _mark_bounced(session, c, inbound, _bounce_reason(recipients, c.email), at, actor, now)
        else:
            _count_temporary(session, c, inbound, r, at, temporary_days, actor, now)
    if contacts:
        inbound.agency_id = contacts[0].agency_id
    return contacts


def _mark_bounced(session: Session, c: Contact, inbound: InboundMessage, reason: str, at: datetime,
                  actor: str, now: datetime | None, *, after_temporary: bool = False) -> None:
    c.state, c.state_reason, c.state_changed_at = "bounced", reason, at
    if not after_temporary:  # the run's facts stay only on a contact that its run made bounced
        c.temp_failure_since = c.temp_failure_at = None
        c.temp_failures = 0
    agency = session.get(Agency, c.agency_id)
    log_event(session, "contact.bounced", agency_id=c.agency_id, actor=actor, at=now,
              detail={"contact_id": c.id, "inbound_id": inbound.id, "agency": agency.code if agency else None,
                      "reason": c.state_reason, "after_temporary_failures": after_temporary})


def _count_temporary(session: Session, c: Contact, inbound: InboundMessage, r: BounceRecipient | None,
                     at: datetime, days: int, actor: str, now: datetime | None) -> None:
    """One more temporary failure of an active contact; a run lasting `days` makes it bounced (its
    temp_failure_* facts kept: bot/staff/digest.py tells staff it failed for days, not once)."""
    if c.temp_failure_since is None:
        c.temp_failure_since, c.temp_failures = at, 0
    c.temp_failures += 1
    c.temp_failure_at = max(at, c.temp_failure_at or at)
    reason = " ".join(filter(None, (r.status, r.diagnostic)))[:500] if r is not None else ""
    c.temp_failure_reason = reason or c.temp_failure_reason
    agency = session.get(Agency, c.agency_id)
    log_event(session, "contact.temporary_failure", agency_id=c.agency_id, actor=actor, at=now,
              detail={"contact_id": c.id, "inbound_id": inbound.id, "agency": agency.code if agency else None,
                      "reason": reason, "since": c.temp_failure_since.isoformat(), "count": c.temp_failures})
    if c.temp_failure_at - c.temp_failure_since >= timedelta(days=days):
        _mark_bounced(session, c, inbound, c.temp_failure_reason or BOUNCED_WITHOUT_REPLY[0], at, actor, now,
                      after_temporary=True)


def clear_temporary_failures(session: Session, address: str) -> None:
    """A mail from the address shows it is in use: a run of temporary failures ends."""
    for c in session.exec(select(Contact).where(func.lower(Contact.email) == address.lower(),
                                                col(Contact.temp_failure_since).is_not(None))):
        c.temp_failure_since = c.temp_failure_at = None
        c.temp_failures = 0


# A contact's bounce reason when the bounce quoted no server reply for it.
BOUNCED_WITHOUT_REPLY = ("bounced", "bounced (our message was returned)")


def _bounce_reason(recipients: list[BounceRecipient], email: str) -> str:
    for r in recipients:
        if r.address and r.address.lower() == email.lower():
            return " ".join(filter(None, (r.status, r.diagnostic)))[:500] or BOUNCED_WITHOUT_REPLY[0]
    return BOUNCED_WITHOUT_REPLY[1]


def set_reason(row: InboundMessage, code: str, args: dict | None = None) -> None:
    """The reason as code + arguments (what code reads) and its English line (what people read)."""
    row.reason_code, row.reason_args = code, dict(args) if args else None
    row.reason = english(code, args)[:2000] if code else ""


def quarantine(session: Session, inbound: InboundMessage, code: str, args: dict | None = None, *,
               actor: str = "intake", now: datetime | None = None) -> None:
    inbound.state = InboundState.QUARANTINED
    set_reason(inbound, code, args)
    log_event(session, "mail.quarantined", campaign_id=inbound.campaign_id, agency_id=inbound.agency_id,
              actor=actor, at=now, detail={"inbound_id": inbound.id, "reason": inbound.reason[:500],
                                           "reason_code": code})


def acks_sent_to(session: Session, address: str, now: datetime) -> int:
    """Acknowledgements queued to this address in the last 24 hours (the loop cap)."""
    since = now - timedelta(days=1)
    rows = session.exec(select(OutboundMail.to_addrs).where(
        OutboundMail.kind == "ack", OutboundMail.created_at >= since)).all()
    return sum(1 for to in rows if address.lower() in {a.lower() for a in to})
