"""Who replies, when, and how: a seeded plan for every simulated agency. Pure.

Each agency gets a behaviour (on time; only after reminder n; late, after overdue reminder
n; never; a rejected address; a bounce report; a report first sent from an unregistered
address; an incomplete report corrected after the acknowledgement) and each reply a form
(DOCX in many shapes, PDF, scanned PDF, legacy .doc, the report typed into the mail
body, a zip). A reply is planned at `wait` working days after the mail that triggers it,
at `hour` local time; it is sent once that mail has actually arrived.
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.campaigns.workdays import add_working_days
from bot.demo.docspec import Shape

# Document shapes for DOCX replies (all read by the parsers); incomplete ones omit nodes.
SHAPES = (
    Shape("heading_styles", look="style"), Shape("bold_headings"), Shape("auto_numbering", auto=True),
    Shape("auto_numbering_styles", auto=True, look="style", sub="multi"), Shape("subitems_table", table_subitems=True),
    Shape("phan_roman", top="phan", sub="multi"), Shape("paren_subs", sub="paren"), Shape("letter_subs", sub="letter"),
    Shape("paraphrased", paraphrase=True), Shape("caps_top", look="caps"), Shape("letter_runin", sub="letter", runin=True),
    Shape("merged_iv_v", merge=True), Shape("phan_thu", top="phan_thu"), Shape("no_letterhead_tables", decree30=False),
)
OMISSIONS = (("I.3",), ("III.4", "IV"), ("I.7",), ("II",), ("III.3", "III.4"), ("V",), ("I.2", "I.4"))
WEBMAIL = "gmail.com"


@dataclass(frozen=True)
class Agency:
    code: str
    name: str
    category: str
    emails: tuple[str, ...]
    domains: tuple[str, ...]
    escalation: tuple[str, ...] = ()


@dataclass(frozen=True)
class Reply:
    agency: str
    n: int                  # 1, 2: the agency's n-th mail
    trigger: tuple[str, int]  # ("dispatch", 1) | ("reminder", k) | ("overdue", k) | ("ack", 1)
    at: datetime            # planned moment (aware)
    form: str               # docx | pdf | scan | doc | body | html | zip
    shape: Shape
    sender: str             # the From address
    threaded: bool          # a reply to the trigger mail, else a new message
    complete: bool = True

    @property
    def key(self) -> str:
        return f"{self.agency}-{self.n}"


@dataclass
class Scenario:
    behaviour: dict[str, str]             # agency code -> behaviour
    replies: list[Reply]
    auto_reply: set[str] = field(default_factory=set)
    reject_rcpt: set[str] = field(default_factory=set)   # addresses refused with 550 at RCPT
    dsn_bounce: set[str] = field(default_factory=set)    # addresses a bounce report comes back for

    def replies_of(self, code: str) -> list[Reply]:
        return [r for r in self.replies if r.agency == code]


# behaviour -> (count, trigger kind, possible trigger seqs, working days waited)
QUOTAS = (
    ("bounce_rcpt", 1), ("bounce_dsn", 1), ("quarantined", 1), ("corrected", 2), ("never", 7),
    ("late", 12), ("after_reminder", 20),
)


def _assign(codes: list[str], rng: random.Random) -> dict[str, str]:
    pool = codes[:]
    rng.shuffle(pool)
    out, i = {}, 0
    for name, n in QUOTAS:
        for code in pool[i:i + n]:
            out[code] = name
        i += n
    out.update({code: "on_time" for code in pool[i:]})
    return out


def _forms(repliers: list[str], slow_ok: list[str], rng: random.Random, office: bool) -> dict[str, str]:
    """A form per replying agency. The slow ones to read (a scan to OCR, a .doc through
    LibreOffice: seconds each, days on the demo's clock) go to late agencies answering the
    first overdue notice, in the quiet days around New Year, far from the pre-deadline rush."""
    slow = [("scan", 1), ("doc", 2 if office else 0)]
    quick = [("pdf", 8), ("body", 4), ("html", 1), ("zip", 2)]
    pool = slow_ok[:]
    rng.shuffle(pool)
    out, i = {}, 0
    for form, n in slow:
        for code in pool[i:i + n]:
            out[code] = form
        i += n
    rest = [c for c in repliers if c not in out]
    rng.shuffle(rest)
    i = 0
    for form, n in quick:
        for code in rest[i:i + n]:
            out[code] = form
        i += n
    out.update({code: "docx" for code in rest[i:]})
    return out


def _at(slot: datetime, wait: int, hour: float, tz: ZoneInfo) -> datetime:
    day = add_working_days(slot.astimezone(tz).date(), wait)
    minutes = int(hour * 60)
    return datetime.combine(day, time(minutes // 60, minutes % 60), tzinfo=tz)


def _trigger(behaviour: str, rng: random.Random) -> tuple[tuple[str, int], int]:
    """(trigger mail, working days waited after it)."""
    if behaviour == "after_reminder":
        k = rng.choice((1, 1, 1, 2, 2, 3))
        return ("reminder", k), {1: rng.randint(0, 2), 2: rng.randint(0, 1), 3: 0}[k]
    if behaviour in ("late", "quarantined"):
        k = 1 if behaviour == "quarantined" else rng.choice((1, 1, 1, 2, 2, 3))
        return ("overdue", k), {1: rng.randint(0, 2), 2: rng.randint(0, 1), 3: 0}[k]
    return ("dispatch", 1), rng.randint(0, 6)


def build_scenario(agencies: list[Agency], slots: dict[tuple[str, int], datetime], tz: str,
                   seed: int, *, office: bool) -> Scenario:
    """`slots`: the nominal calendar ((kind, seq) -> moment) the replies are planned against."""
    rng, zone = random.Random(seed), ZoneInfo(tz)
    by_code = {a.code: a for a in agencies}
    behaviour = _assign(sorted(by_code), rng)
    repliers = sorted(c for c, b in behaviour.items() if b not in ("never", "bounce_rcpt", "bounce_dsn"))
    timing = {code: _trigger(behaviour[code], rng) for code in repliers}
    late = [c for c in repliers if behaviour[c] == "late"]
    forms = _forms(repliers, late, rng, office)
    for c in late:  # the slow forms: after the first overdue notice, one or two days apart
        if forms[c] in ("scan", "doc"):
            timing[c] = (("overdue", 1), {"scan": 0, "doc": 1}[forms[c]] + sum(
                1 for x in late if x < c and forms[x] == "doc"))
    sc = Scenario(behaviour, [])
    for code in repliers:
        a, b = by_code[code], behaviour[code]
        trigger, wait = timing[code]
        hour = rng.uniform(9.0, 16.5) if trigger != ("dispatch", 1) or wait else rng.uniform(13.0, 16.5)
        at = _at(slots[trigger], wait, hour, zone)
        shape = rng.choice(SHAPES)
        complete = rng.random() > 0.1 and b != "corrected"
        if not complete:
            shape = Shape(f"{shape.name}_incomplete", **{**_fields(shape), "omit": rng.choice(OMISSIONS)})
        sender, threaded = _sender(a, rng)
        if b == "quarantined":  # first sent from a staffer's personal mailbox, then officially
            personal = f"{code.lower()}.vanthu.{rng.randint(1970, 1999)}@{WEBMAIL}"
            first = _at(slots[("dispatch", 1)], rng.randint(1, 3), rng.uniform(9.0, 16.5), zone)
            sc.replies.append(Reply(code, 1, ("dispatch", 1), first, "docx", shape, personal, True, complete))
            sc.replies.append(Reply(code, 2, trigger, at, forms[code], shape, a.emails[0], True, complete))
            continue
        sc.replies.append(Reply(code, 1, trigger, at, forms[code], shape, sender, threaded, complete))
        if b == "corrected":
            fixed = _at(at, rng.randint(1, 2), rng.uniform(9.0, 16.5), zone)
            full = Shape(shape.name.removesuffix("_incomplete"), **{**_fields(shape), "omit": ()})
            sc.replies.append(Reply(code, 2, ("ack", 1), fixed, "docx", full, a.emails[0], True, True))
    _mark_failures(sc, by_code, behaviour, rng)
    return sc


def _fields(shape: Shape) -> dict:
    return {k: getattr(shape, k) for k in Shape.__dataclass_fields__ if k != "name"}


def _sender(a: Agency, rng: random.Random) -> tuple[str, bool]:
    """Most reply to our mail from the registered address; some write a new message, some from
    another office of the same domain (a province's Department of Information and Communications)."""
    roll = rng.random()
    others = [d for d in a.domains if a.emails and not a.emails[0].endswith("@" + d)]
    if roll < 0.08 and others:
        return f"phongbaochi@{others[0]}", False
    if roll < 0.2:
        return a.emails[0], False
    return a.emails[0], True


def _mark_failures(sc: Scenario, by_code: dict[str, Agency], behaviour: dict[str, str], rng: random.Random) -> None:
    for code, b in behaviour.items():
        if b == "bounce_rcpt":
            sc.reject_rcpt.add(by_code[code].emails[0])
        elif b == "bounce_dsn":
            sc.dsn_bounce.add(by_code[code].emails[0])
    candidates = sorted(c for c, b in behaviour.items() if b in ("on_time", "never", "after_reminder"))
    sc.auto_reply = set(rng.sample(candidates, min(4, len(candidates))))


def planned_day(reply: Reply, tz: str):
    return reply.at.astimezone(ZoneInfo(tz)).date()


def nominal_slots(schedule) -> dict[tuple[str, int], datetime]:
    """bot.outbound.planner.nominal_schedule(...) as a mapping."""
    return {(s.kind, s.seq): s.due_at for s in schedule}


REPLY_GRACE = timedelta(minutes=20)  # after the trigger arrives, the earliest a reply goes out
