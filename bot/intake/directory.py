"""Loading the matcher's in-memory Directory from the database."""
from __future__ import annotations

from collections import defaultdict

from sqlmodel import Session, select

from bot.intake.match import Directory
from db.models import Agency, Campaign, Contact, Enrollment, OutboundMail


def load_directory(session: Session) -> Directory:
    d = Directory()
    campaigns = {c.id: c.code for c in session.exec(select(Campaign))}
    agencies = {a.id: a for a in session.exec(select(Agency))}
    d.campaigns = set(campaigns.values())
    d.agencies = {a.code for a in agencies.values()}
    addresses: dict[str, set[str]] = defaultdict(set)
    for c in session.exec(select(Contact)):
        addresses[c.email.lower()].add(agencies[c.agency_id].code)
    domains: dict[str, set[str]] = defaultdict(set)
    for a in agencies.values():
        for dom in a.domains or ():
            domains[dom.lower()].add(a.code)
    enrolled: dict[str, set[str]] = defaultdict(set)
    for e in session.exec(select(Enrollment)):
        enrolled[agencies[e.agency_id].code].add(campaigns[e.campaign_id])
    for mid, cid, aid in session.exec(select(OutboundMail.message_id, OutboundMail.campaign_id,
                                             OutboundMail.agency_id)):
        if cid is not None and aid is not None:
            d.outbox[mid] = (campaigns[cid], agencies[aid].code)
    d.addresses, d.domains, d.agency_campaigns = dict(addresses), dict(domains), dict(enrolled)
    return d
