"""One agency's page: what the database knows about it in a campaign (queries only), and the
list's filters (pure)."""
from __future__ import annotations

from collections.abc import Sequence

from sqlmodel import Session, col, or_, select

from bot.staff.reasons import file_reason, mail_reason
from bot.web.auth import WebError
from bot.web.labels import fold
from db.models import Agency, Attachment, Campaign, Contact, Enrollment, Event, InboundMessage, OutboundMail, Submission

MAX_EVENTS = 500


def filter_rows(rows: Sequence[dict], *, state: str = "", category: str = "", q: str = "") -> list[dict]:
    """The status rows that match every filter given (q: in the code or the name, any case or accents)."""
    needle = fold(q.strip())
    return [r for r in rows if (not state or r["state"] == state) and (not category or r["category"] == category)
            and (not needle or needle in fold(r["agency"]) or needle in fold(r["name"]))]


def find_agency(session: Session, code: str) -> Agency:
    agency = session.exec(select(Agency).where(Agency.code == code.strip().upper())).first()
    if agency is None:
        raise WebError(404, "Không tìm thấy cơ quan có mã này.")
    return agency


def agency_page(session: Session, campaign: Campaign, agency: Agency, status_row: dict | None) -> dict:
    enrollment = session.exec(select(Enrollment).where(Enrollment.campaign_id == campaign.id,
                                                       Enrollment.agency_id == agency.id)).first()
    contacts = list(session.exec(select(Contact).where(Contact.agency_id == agency.id)
                                 .order_by(Contact.role.desc(), Contact.email)))  # type: ignore[attr-defined]
    sent = list(session.exec(select(OutboundMail).where(OutboundMail.agency_id == agency.id, or_(
        OutboundMail.campaign_id == campaign.id, col(OutboundMail.campaign_id).is_(None)))
        .order_by(OutboundMail.created_at, OutboundMail.id)))
    received = list(session.exec(select(InboundMessage).where(InboundMessage.agency_id == agency.id)
                                 .order_by(InboundMessage.received_at, InboundMessage.id)))
    files = {}
    if received:
        for f in session.exec(select(Attachment).where(col(Attachment.inbound_id).in_([m.id for m in received]))
                              .order_by(Attachment.id)):
            files.setdefault(f.inbound_id, []).append(f)
    subs = list(session.exec(select(Submission).where(Submission.campaign_id == campaign.id,
                                                      Submission.agency_id == agency.id)
                             .order_by(col(Submission.version).desc())))
    events = list(session.exec(select(Event).where(Event.agency_id == agency.id)
                               .order_by(col(Event.at).desc(), col(Event.id).desc()).limit(MAX_EVENTS)))
    titles = {n["id"]: n["title"] for n in campaign.outline or []}
    return {
        "agency": agency, "campaign": campaign, "tz": campaign.timezone, "row": status_row,
        "enrollment": enrollment, "contacts": contacts, "sent": sent,
        "received": [{"m": m, "files": files.get(m.id, []), "reason_vi": mail_reason(m.reason) if m.reason else ""}
                     for m in received],
        "submissions": [_submission(s, titles) for s in subs], "events": events, "titles": titles,
        "file_reason": file_reason,
    }


def _submission(sub: Submission, titles: dict[str, str]) -> dict:
    by_name = {s.get("filename"): s for s in sub.sources or []}
    sections = []
    for sec in sub.sections or []:
        src = by_name.get(sec.get("source")) if sec.get("source") else (sub.sources[0] if len(sub.sources or []) == 1
                                                                         else None)
        sections.append({"id": sec["id"], "title": titles.get(sec["id"], sec.get("heading") or ""),
                         "found": sec.get("found", False), "text": sec.get("text") or "",
                         "confidence": sec.get("confidence"), "source": src})
    return {"s": sub, "sections": sections, "missing": [(i, titles.get(i, "")) for i in sub.missing or []],
            "sources": sub.sources or []}


def events_json(session: Session, agency: Agency, tz_name: str) -> list[dict]:
    """GET /api/v1/agencies/{CODE}/events: the agency's audit trail, oldest first."""
    from zoneinfo import ZoneInfo  # noqa: PLC0415 - tiny; keeps the page imports short

    tz = ZoneInfo(tz_name)
    rows = session.exec(select(Event).where(Event.agency_id == agency.id).order_by(Event.at, Event.id))
    return [{"id": e.id, "at": e.at.astimezone(tz).isoformat(), "kind": e.kind, "actor": e.actor,
             "campaign_id": e.campaign_id, "detail": e.detail or {}} for e in rows]
