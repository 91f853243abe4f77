"""Is the sender who the From header says, as far as our own mail server checked?

Pure. Only `Authentication-Results` fields carrying our server's authserv-id are read,
and only the topmost ones: our server adds its fields above its own Received header,
so anything below the first Received under them came with the message and may be forged
(RFC 8601 §5 also asks the border MTA to delete such fields). Per method the topmost
result wins, so a lower field can never overturn ours.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass
from email.message import EmailMessage

import authres

from bot.intake import headers as h
from bot.intake.match import GENERIC_SUFFIXES

POLICIES = ("off", "record", "require")


@dataclass(frozen=True)
class Verification:
    passed: bool | None  # None: not checked (policy off) or nothing to judge under "record"
    spf: str | None  # "pass", "fail", "softfail", "none", ... as our server wrote it
    dkim: str | None  # best DKIM result (pass if any signature passed)
    dmarc: str | None
    aligned: bool  # From domain belongs to the agency and an authentication passed for it
    reason: str
    from_domain: str = ""
    dkim_domains: tuple[str, ...] = ()  # d= of passing signatures
    spf_domain: str = ""


@dataclass(frozen=True)
class _Result:
    method: str
    result: str
    props: dict[str, str]


def verify(
    msg: EmailMessage,
    authserv_id: str,
    agency_domains: Collection[str],
    policy: str,
    *,
    agency_addresses: Collection[str] = (),
) -> Verification:
    """`agency_addresses`: registered contact addresses (a webmail address is aligned only exactly)."""
    try:
        return _verify(msg, authserv_id.strip().lower(), agency_domains, policy, agency_addresses)
    except Exception as exc:  # noqa: BLE001
        passed = False if policy == "require" else None
        return Verification(passed, None, None, None, False, f"verification failed ({type(exc).__name__})")


def _verify(msg, authserv_id, agency_domains, policy, agency_addresses) -> Verification:
    if policy not in POLICIES:
        policy = "require"  # an unknown policy must not open the door
    sender = h.from_address(msg)
    from_domain = h.domain_of(sender)
    if policy == "off":
        return Verification(None, None, None, None, False, "sender policy off", from_domain)
    if not authserv_id:
        return _undecided(policy, "security.authserv_id is not configured", from_domain)
    results = _our_results(msg, authserv_id)
    if not results:
        return _undecided(policy, f"no Authentication-Results from {authserv_id}", from_domain)
    spf = results.get("spf")
    dmarc = results.get("dmarc")
    dkim_all = [r for m, r in results.items() if m == "dkim" or m.startswith("dkim#")]
    dkim_pass = tuple(dict.fromkeys(r.props.get("header.d", "").lower() for r in dkim_all if r.result == "pass"))
    spf_domain = _spf_domain(spf)
    authenticated = _authenticated(from_domain, dmarc, dkim_pass, spf, spf_domain)
    belongs = _belongs(sender, from_domain, agency_domains, agency_addresses)
    aligned = bool(authenticated and belongs)
    reason = _reason(authenticated, belongs, from_domain)
    return Verification(
        passed=aligned, spf=spf.result if spf else None, dkim=_best(dkim_all), dmarc=dmarc.result if dmarc else None,
        aligned=aligned, reason=reason, from_domain=from_domain, dkim_domains=tuple(d for d in dkim_pass if d),
        spf_domain=spf_domain,
    )


def _spf_domain(spf: _Result | None) -> str:
    if spf is None:
        return ""
    value = (spf.props.get("smtp.mailfrom") or spf.props.get("smtp.helo") or "").strip().strip("<>").lower()
    return h.domain_of(value) or value  # "user@domain" or a bare domain


def _undecided(policy: str, reason: str, from_domain: str) -> Verification:
    return Verification(False if policy == "require" else None, None, None, None, False, reason, from_domain)


def _our_results(msg: EmailMessage, authserv_id: str) -> dict[str, _Result]:
    """Results of our topmost Authentication-Results fields, first (topmost) per method."""
    found: dict[str, _Result] = {}
    started = False
    dkim_count = 0
    for name, value in msg.raw_items():
        lname = name.lower()
        if lname == "received" and started:
            break  # below our server's Received: fields that came with the message
        if lname != "authentication-results":
            continue
        parsed = parse_authentication_results(h.decode_header_value(value, 16_384))
        if parsed is None or parsed[0] != authserv_id:
            continue
        started = True
        for res in parsed[1]:
            key = res.method
            if key == "dkim":  # several signatures: keep each
                key = f"dkim#{dkim_count}" if dkim_count else "dkim"
                dkim_count += 1
            found.setdefault(key, res)
    return found


def _authenticated(from_domain: str, dmarc, dkim_pass, spf, spf_domain: str) -> str | None:
    """Which check proves the From domain (DMARC-style relaxed alignment), or None."""
    if not from_domain:
        return None
    if dmarc and dmarc.result == "pass":
        header_from = dmarc.props.get("header.from", from_domain).lower()
        if _related(header_from, from_domain):
            return "dmarc"
    if any(_related(d, from_domain) for d in dkim_pass if d):
        return "dkim"
    if spf and spf.result == "pass" and spf_domain and _related(spf_domain, from_domain):
        return "spf"
    return None


def _belongs(sender: str, from_domain: str, domains: Collection[str], addresses: Collection[str]) -> bool:
    if sender and sender in {a.lower() for a in addresses}:
        return True
    return any(from_domain == d or from_domain.endswith("." + d) for d in (x.lower().strip(".") for x in domains) if d)


def _related(a: str, b: str) -> bool:
    """Same domain, or one under the other below a registry suffix (relaxed alignment)."""
    a, b = a.lower().strip("."), b.lower().strip(".")
    if a == b:
        return True
    shorter, longer = (a, b) if len(a) < len(b) else (b, a)
    return longer.endswith("." + shorter) and shorter not in GENERIC_SUFFIXES and "." in shorter


def _best(results: list[_Result]) -> str | None:
    if not results:
        return None
    order = ("pass", "fail", "permerror", "temperror", "neutral", "policy", "none")
    return min((r.result for r in results), key=lambda x: order.index(x) if x in order else len(order))


def _reason(authenticated: str | None, belongs: bool, from_domain: str) -> str:
    if authenticated and belongs:
        return f"{authenticated} pass for {from_domain}, a domain of the agency"
    if not authenticated:
        return f"no passing DMARC/DKIM/SPF aligned with From domain {from_domain or '(none)'}"
    return f"{authenticated} pass for {from_domain}, which is not a registered domain of the agency"


# --- parsing ------------------------------------------------------------------------------

def parse_authentication_results(value: str) -> tuple[str, list[_Result]] | None:
    """(authserv-id lower-cased, results) of one Authentication-Results value; None if unreadable."""
    try:

        parsed = authres.AuthenticationResultsHeader.parse_value(value)
        results = [
            _Result(r.method.lower(), (r.result or "").lower(),
                    {f"{p.type}.{p.name}".lower(): str(p.value) for p in r.properties})
            for r in parsed.results
        ]
        return str(parsed.authserv_id).lower(), results
    except Exception:  # noqa: BLE001 - authres is strict; real headers are not
        return _hand_parse(value)


_COMMENT = re.compile(r"\([^()]*\)")


def _hand_parse(value: str) -> tuple[str, list[_Result]] | None:
    text = value
    for _ in range(5):  # nested comments, innermost first
        text = _COMMENT.sub(" ", text)
    parts = [p.strip() for p in text.split(";")]
    if not parts or not parts[0]:
        return None
    authserv_id = parts[0].split()[0].lower()
    results = []
    for part in parts[1:]:
        m = re.match(r"([\w.-]+)(?:/\d+)?\s*=\s*([\w-]+)(.*)$", part, re.S)
        if not m:
            continue
        props = {k.lower(): v.strip('"') for k, v in re.findall(r"([\w-]+\.[\w.-]+)\s*=\s*(\"[^\"]*\"|[^\s;]+)", m.group(3))}
        results.append(_Result(m.group(1).lower(), m.group(2).lower(), props))
    return authserv_id, results
