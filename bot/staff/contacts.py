"""Staff change an agency's addresses (add, remove, replace): one function behind the CLI
(`reportbot agencies contact`), the console and the API. A new address of an agency whose
letter never reached a live address gets the letter at the next tick: the planner sees that
no dispatch went to a live address (outbound/planner.py, `letter_reached`), so the letter is
queued once, like any mail, however often staff press the button.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel import Session, func, select

from bot.campaigns.agency_load import agency_by_code
from bot.core.errors import Conflict, NotFound, UserError
from db.events import log_event
from db.models import Agency, Contact
from db.vocabulary import DEAD_CONTACT_STATES

# One address, as people type it: no display name, no spaces, a dot in the domain.
_ADDRESS = re.compile(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
                      r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$")
ROLES = ("primary", "escalation")


def clean_address(text: str) -> str:
    """The address lower-cased and trimmed, or UserError naming it."""
    addr = (text or "").strip().strip("<>").strip()
    if len(addr) > 254 or not _ADDRESS.match(addr):
        raise UserError(f"EMAIL: {text!r} is not an e-mail address")
    return addr.lower()


@dataclass
class ContactChange:
    agency: str
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    live: list[str] = field(default_factory=list)  # the agency's addresses mail goes to now


def change_contacts(session: Session, code: str, *, add: list[str] = (), remove: list[str] = (),
                    role: str = "primary", actor: str, now: datetime) -> ContactChange:
    """Add and remove addresses of one agency in one transaction; nothing changes when any part
    is wrong (an invalid or unknown address, an address already there, nothing asked)."""
    if role not in ROLES:
        raise UserError(f"--role: {role!r} is not one of {', '.join(ROLES)}")
    agency = agency_by_code(session, code)
    adding, removing = [clean_address(a) for a in add], [clean_address(a) for a in remove]
    if not adding and not removing:
        raise UserError("say which address to --add, --remove or --replace")
    if set(adding) & set(removing):
        raise UserError(f"EMAIL: {sorted(set(adding) & set(removing))[0]} is both added and removed")
    have = {c.email.lower(): c for c in session.exec(select(Contact).where(Contact.agency_id == agency.id))}
    for a in removing:
        if a not in have:
            raise NotFound(f"EMAIL: {a} is not an address of {agency.code}")
    for a in adding:
        if a in have:
            raise Conflict(f"EMAIL: {a} is already an address of {agency.code}")
    others = _held_elsewhere(session, agency, adding)
    if others:
        raise Conflict(f"EMAIL: {others[0][0]} is an address of {others[0][1]}; remove it there first")
    for a in removing:
        session.delete(have[a])
        log_event(session, "contact.removed", agency_id=agency.id, actor=actor, at=now,
                  detail={"email": a, "role": have[a].role, "state": str(have[a].state)})
    for a in adding:
        session.add(Contact(agency_id=agency.id, email=a, role=role, state_changed_at=now))
        log_event(session, "contact.added", agency_id=agency.id, actor=actor, at=now,
                  detail={"email": a, "role": role})
    session.flush()
    live = [c.email for c in session.exec(select(Contact).where(Contact.agency_id == agency.id)
                                          .order_by(Contact.id)) if c.state not in DEAD_CONTACT_STATES]
    return ContactChange(agency.code, adding, removing, live)


def _held_elsewhere(session: Session, agency: Agency, addresses: list[str]) -> list[tuple[str, str]]:
    """Addresses another agency has: matching replies by sender needs one owner per address."""
    if not addresses:
        return []
    rows = session.exec(select(Contact.email, Agency.code).join(Agency, Agency.id == Contact.agency_id)
                        .where(func.lower(Contact.email).in_(addresses), Contact.agency_id != agency.id)).all()
    return [(e.lower(), c) for e, c in rows]
