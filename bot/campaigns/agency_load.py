"""Importing agencies into the database: idempotent (re-import updates, never duplicates)."""
from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, select

from bot.campaigns.agencies_file import AgencyRow
from bot.core.errors import NotFound
from db.events import log_event
from db.models import Agency, Campaign, Contact, Enrollment
from db.types import utcnow


@dataclass
class ImportSummary:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    enrolled: int = 0


def agency_by_code(session: Session, code: str) -> Agency:
    """The agency a person named on the command line (codes are upper case), or a clear error."""
    agency = session.exec(select(Agency).where(Agency.code == code.strip().upper())).first()
    if agency is None:
        raise NotFound(f"AGENCY_CODE: no agency {code!r}")
    return agency


def _wanted_contacts(row: AgencyRow) -> set[tuple[str, str]]:
    return {(e, "primary") for e in row.emails} | {(e, "escalation") for e in row.escalation_emails}


def _sync_contacts(session: Session, agency: Agency, row: AgencyRow) -> bool:
    """Add new addresses, drop removed ones; a kept address keeps its state (e.g. bounced)."""
    have = {(c.email, c.role): c for c in session.exec(select(Contact).where(Contact.agency_id == agency.id))}
    want = _wanted_contacts(row)
    for key in want - have.keys():
        session.add(Contact(agency_id=agency.id, email=key[0], role=key[1]))
    for key in have.keys() - want:
        session.delete(have[key])
    return want != have.keys()


def _apply(agency: Agency, row: AgencyRow) -> list[str]:
    fields = {"name": row.name, "category": row.category, "domains": list(row.domains),
              "contact_name": row.contact_name, "phone": row.phone}
    changed = [k for k, v in fields.items() if getattr(agency, k) != v]
    for k in changed:
        setattr(agency, k, fields[k])
    return changed


def import_agencies(session: Session, rows: list[AgencyRow], campaign: Campaign | None,
                    *, actor: str = "cli") -> ImportSummary:
    summary = ImportSummary()
    existing = {a.code: a for a in session.exec(select(Agency))}
    enrolled = set()
    if campaign is not None:
        enrolled = set(session.exec(select(Enrollment.agency_id).where(Enrollment.campaign_id == campaign.id)))
    for row in rows:
        agency = existing.get(row.code)
        if agency is None:
            agency = Agency(code=row.code, name="", category="", domains=[])
            _apply(agency, row)
            session.add(agency)
            session.flush()
            _sync_contacts(session, agency, row)
            log_event(session, "agency.created", agency_id=agency.id, actor=actor, detail={"code": row.code})
            summary.created += 1
        else:
            changed = _apply(agency, row)
            if _sync_contacts(session, agency, row):
                changed.append("contacts")
            if changed:
                agency.updated_at = utcnow()
                log_event(session, "agency.updated", agency_id=agency.id, actor=actor,
                          detail={"code": row.code, "changed": changed})
                summary.updated += 1
            else:
                summary.unchanged += 1
        if campaign is not None and agency.id not in enrolled:
            session.add(Enrollment(campaign_id=campaign.id, agency_id=agency.id))
            enrolled.add(agency.id)
            log_event(session, "agency.enrolled", campaign_id=campaign.id, agency_id=agency.id, actor=actor)
            summary.enrolled += 1
    return summary
