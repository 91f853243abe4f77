"""Which agency (and campaign) a reply belongs to. Pure: facts and an in-memory directory in.

Order of evidence, strongest first: thread headers pointing at our outbox, the subject
token "[5422/BTTTT-CBC #BYT]", the sender's exact address, the sender's domain (or a
parent domain) among the agencies' registered domains. A level that names several
agencies is ambiguous and gives no match; the next level is tried; nothing left means
quarantine (agency_code None).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from email.message import EmailMessage

from bot.intake import headers as h

# Domains many unrelated senders share: never evidence of an agency by themselves.
SHARED_DOMAINS = frozenset({
    "gmail.com", "googlemail.com", "yahoo.com", "yahoo.com.vn", "outlook.com", "hotmail.com", "live.com",
    "icloud.com", "zoho.com", "mail.ru", "yandex.ru", "vnn.vn", "fpt.vn", "viettel.vn",
})
# Registry suffixes: a parent-domain walk stops before reaching them.
GENERIC_SUFFIXES = frozenset({
    "vn", "gov.vn", "com.vn", "net.vn", "org.vn", "edu.vn", "ac.vn", "info.vn", "int.vn", "name.vn",
    "com", "net", "org", "edu", "gov", "int", "info", "example", "test", "invalid", "localhost",
})

CONFIDENCE = {"thread": 0.99, "token": 0.9, "address": 0.85, "domain": 0.7, "parent_domain": 0.6}
UNVERIFIED_SENDER_PENALTY = 0.25  # thread/token matched but the sender is not the agency's


@dataclass(frozen=True)
class MsgFacts:
    thread_ids: tuple[str, ...]  # In-Reply-To, then References (most recent first)
    subject: str
    from_address: str

    @classmethod
    def from_message(cls, msg: EmailMessage) -> MsgFacts:
        return cls(tuple(h.thread_ids(msg)), h.header(msg, "Subject", 4096), h.from_address(msg))


@dataclass
class Directory:
    """What match needs to know, loaded by the caller from the database."""

    outbox: dict[str, tuple[str, str]] = field(default_factory=dict)  # our Message-ID -> (campaign, agency)
    agencies: set[str] = field(default_factory=set)  # agency codes
    campaigns: set[str] = field(default_factory=set)  # campaign codes
    addresses: dict[str, set[str]] = field(default_factory=dict)  # contact address -> agency codes
    domains: dict[str, set[str]] = field(default_factory=dict)  # registered domain -> agency codes
    agency_campaigns: dict[str, set[str]] = field(default_factory=dict)  # agency -> campaigns it was sent

    def outbox_ref(self, message_id: str) -> tuple[str, str] | None:
        mid = message_id.strip().strip("<>").strip()
        ref = self.outbox.get(mid) or self.outbox.get(f"<{mid}>")
        if ref is None:  # some gateways change the case of the id
            low = mid.lower()
            ref = next((v for k, v in self.outbox.items() if k.strip("<>").lower() == low), None)
        return ref


@dataclass(frozen=True)
class MatchResult:
    agency_code: str | None
    campaign_code: str | None
    method: str | None  # "thread" | "token" | "address" | "domain" | None (no match)
    confidence: float
    candidates: tuple[str, ...] = ()  # agencies considered at the deciding (or last ambiguous) level
    reason: str = ""
    sender_known: bool | None = None  # is the From address/domain one of the matched agency's?


def match_agency(facts: MsgFacts, directory: Directory) -> MatchResult:
    try:
        return _match(facts, directory)
    except Exception as exc:  # noqa: BLE001 - never let matching stop the pipeline
        return MatchResult(None, None, None, 0.0, (), f"match failed ({type(exc).__name__})")


def _match(facts: MsgFacts, d: Directory) -> MatchResult:
    ambiguous: list[tuple[str, tuple[str, ...]]] = []
    for level in (_by_thread, _by_token, _by_address, _by_domain):
        result = level(facts, d)
        if result is None:
            continue
        if result.agency_code is None:  # ambiguous at this level: note it, try the next
            ambiguous.append((result.reason, result.candidates))
            continue
        return _with_sender_check(result, facts, d)
    if ambiguous:
        reason, candidates = ambiguous[-1]
        return MatchResult(None, None, None, 0.0, candidates, "; ".join(r for r, _ in ambiguous))
    return MatchResult(None, None, None, 0.0, (), "no thread, token, address or domain match")


def _by_thread(facts: MsgFacts, d: Directory) -> MatchResult | None:
    hits = [(mid, d.outbox_ref(mid)) for mid in facts.thread_ids]
    hits = [(mid, ref) for mid, ref in hits if ref]
    if not hits:
        return None
    agencies = tuple(dict.fromkeys(ref[1] for _, ref in hits))
    first_mid, (campaign, agency) = hits[0]
    if len(agencies) > 1:  # the nearest reference wins, with less confidence
        return MatchResult(agency, campaign, "thread", CONFIDENCE["thread"] - 0.2, agencies,
                           f"thread headers name several agencies; nearest {first_mid}")
    return MatchResult(agency, campaign, "thread", CONFIDENCE["thread"], agencies, f"reply to our {first_mid}")


_DASHES = dict.fromkeys(map(ord, "‐‑‒–—―−"), "-")


def _squash(text: str) -> str:
    """Upper-case, NFKC (full-width brackets and digits), dashes unified, no whitespace."""
    text = unicodedata.normalize("NFKC", text).translate(_DASHES)
    return re.sub(r"\s+", "", text).upper()


def _by_token(facts: MsgFacts, d: Directory) -> MatchResult | None:
    subject = _squash(facts.subject)
    if "#" not in subject:
        return None
    found: dict[str, str | None] = {}
    for campaign in sorted(d.campaigns, key=len, reverse=True):
        key = _squash(campaign)
        for m in re.finditer(re.escape(key) + r"\]?#([A-Z0-9._-]+)", subject):
            code = _known_code(m.group(1), d.agencies)
            if code:
                found.setdefault(code, campaign)
    if not found:  # a token whose campaign part was mangled beyond recognition
        for m in re.finditer(r"\[([^\[\]#]{1,60})#([A-Z0-9._-]+)\]", subject):
            code = _known_code(m.group(2), d.agencies)
            if code:
                found.setdefault(code, next((c for c in d.campaigns if _squash(c) == m.group(1)), None))
    if not found:
        return None
    if len(found) > 1:
        return MatchResult(None, None, "token", 0.0, tuple(found), "subject carries several agency tokens")
    agency, campaign = next(iter(found.items()))
    return MatchResult(agency, campaign, "token", CONFIDENCE["token"], (agency,), "subject token")


def _known_code(text: str, agencies: set[str]) -> str | None:
    """The longest known agency code that `text` starts with, ending at a code boundary."""
    upper = {a.upper(): a for a in agencies}
    for length in range(len(text), 0, -1):
        code = text[:length].rstrip("._-")
        if code in upper and (length == len(text) or not text[length].isalnum()):
            return upper[code]
    return None


def _by_address(facts: MsgFacts, d: Directory) -> MatchResult | None:
    sender = facts.from_address.lower()
    agencies = tuple(sorted(_lookup(d.addresses, sender)))
    if not agencies:
        return None
    if len(agencies) > 1:
        return MatchResult(None, None, "address", 0.0, agencies, f"{sender} is a contact of several agencies")
    return MatchResult(agencies[0], _campaign_of(agencies[0], d), "address", CONFIDENCE["address"], agencies,
                       f"sender {sender} is a contact")


def _by_domain(facts: MsgFacts, d: Directory) -> MatchResult | None:
    domain = h.domain_of(facts.from_address)
    if not domain or domain in SHARED_DOMAINS:
        return None
    for candidate, kind in _domain_chain(domain):
        agencies = tuple(sorted(_lookup(d.domains, candidate)))
        if not agencies:
            continue
        if len(agencies) > 1:
            return MatchResult(None, None, "domain", 0.0, agencies, f"domain {candidate} is shared by several agencies")
        return MatchResult(agencies[0], _campaign_of(agencies[0], d), "domain", CONFIDENCE[kind], agencies,
                           f"sender domain {domain} under registered {candidate}")
    return None


def _domain_chain(domain: str):
    """The domain itself, then each parent down to (not including) a registry suffix."""
    labels = domain.split(".")
    yield domain, "domain"
    for i in range(1, len(labels) - 1):
        parent = ".".join(labels[i:])
        if parent in GENERIC_SUFFIXES or parent in SHARED_DOMAINS:
            return
        yield parent, "parent_domain"


def _lookup(table: dict[str, set[str]], key: str) -> set[str]:
    if not key:
        return set()
    return set(table.get(key) or table.get(key.lower()) or ())


def _campaign_of(agency: str, d: Directory) -> str | None:
    campaigns = d.agency_campaigns.get(agency, set())
    if len(campaigns) == 1:
        return next(iter(campaigns))
    if not d.agency_campaigns and len(d.campaigns) == 1:
        return next(iter(d.campaigns))
    return None


def _with_sender_check(result: MatchResult, facts: MsgFacts, d: Directory) -> MatchResult:
    if result.method in ("address", "domain"):
        return MatchResult(**{**result.__dict__, "sender_known": True})
    sender = facts.from_address.lower()
    domain = h.domain_of(sender)
    domains = [] if not domain or domain in SHARED_DOMAINS else [dom for dom, _ in _domain_chain(domain)]
    known = result.agency_code in _lookup(d.addresses, sender) or any(
        result.agency_code in _lookup(d.domains, dom) for dom in domains
    )
    confidence = result.confidence if known else max(0.0, result.confidence - UNVERIFIED_SENDER_PENALTY)
    reason = result.reason if known else f"{result.reason}; sender {sender or '(none)'} not registered for {result.agency_code}"
    return MatchResult(**{**result.__dict__, "confidence": round(confidence, 2), "reason": reason, "sender_known": known})
