"""Which agency a quarantined mail probably came from: ranked guesses for staff. Pure.

Where the intake's matcher (bot/intake/match.py) stops at the first level that decides — and
quarantines when that level names several agencies or the sender is not registered — staff want
every clue at once: the thread headers pointing at a letter we sent, the subject token, the
sender's address or domain, the agency's name in the text, and the letter the mail cites. Each
clue is asked of the matcher's own Directory (or of match_agency on that clue alone), so a guess
never disagrees with how matching works; the clues of one agency add up.
"""
from __future__ import annotations

import unicodedata
from collections import defaultdict
from dataclasses import dataclass

from bot.intake.match import CONFIDENCE, Directory, MsgFacts, match_agency

TOP = 3
NAME_CONFIDENCE = 0.5  # the agency's name written in the mail: suggestive, never proof
EXTRA_CLUE = 0.05  # each further kind of clue for the same agency
MAX_CONFIDENCE = 0.99
MIN_NAME_LENGTH = 6


@dataclass(frozen=True)
class Clue:
    kind: str  # thread | token | address | domain | name | cited
    detail: str  # the message-id, the subject, the address, the domain, the name, the letter's number


@dataclass(frozen=True)
class Guess:
    agency: str
    confidence: float
    clues: tuple[Clue, ...]


def rank_guesses(facts: MsgFacts, text: str, directory: Directory, names: dict[str, str],
                 limit: int = TOP) -> list[Guess]:
    """The `limit` likeliest agencies for a mail (`text`: its body and anything else readable)."""
    scores: dict[str, list[tuple[float, Clue]]] = defaultdict(list)
    for code, conf, clue in _clues(facts, text, directory, names):
        scores[code].append((conf, clue))
    cited = _cited(facts.subject + "\n" + text, directory)
    guesses = []
    for code, found in scores.items():
        clues = [c for _, c in sorted(found, key=lambda x: -x[0])]
        if cited:
            clues.append(Clue("cited", cited))
        kinds = len({c.kind for c in clues})
        conf = min(MAX_CONFIDENCE, max(x for x, _ in found) + EXTRA_CLUE * (kinds - 1))
        guesses.append(Guess(code, round(conf, 2), tuple(dict.fromkeys(clues))))
    guesses.sort(key=lambda g: (-g.confidence, g.agency))
    return guesses[:limit]


def _clues(facts: MsgFacts, text: str, d: Directory, names: dict[str, str]):
    for mid in facts.thread_ids:
        ref = d.outbox_ref(mid)
        if ref:
            yield ref[1], CONFIDENCE["thread"], Clue("thread", mid)
    if facts.subject:
        yield from _level(match_agency(MsgFacts((), facts.subject, ""), d), "token", facts.subject)
    if facts.from_address:
        m = match_agency(MsgFacts((), "", facts.from_address), d)
        detail = facts.from_address.lower() if m.method == "address" else facts.from_address.rpartition("@")[2].lower()
        yield from _level(m, m.method or "domain", detail)
    folded = _fold(facts.subject + "\n" + text)
    for code, name in names.items():
        if len(name) >= MIN_NAME_LENGTH and _fold(name) in folded:
            yield code, NAME_CONFIDENCE, Clue("name", name)


def _level(m, kind: str, detail: str):
    """The matcher's answer on one clue: its agency, or every candidate of an ambiguous level."""
    if m.agency_code:  # a token alone has no sender to check: its own level's confidence
        yield m.agency_code, CONFIDENCE["token"] if kind == "token" else m.confidence, Clue(kind, detail)
    elif m.candidates:
        share = CONFIDENCE.get(kind, 0.5) / len(m.candidates)
        for code in m.candidates:
            yield code, share, Clue(kind, detail)


def _cited(text: str, d: Directory) -> str:
    folded = _fold(text)
    return next((c for c in sorted(d.campaigns) if _fold(c) in folded), "")


def _fold(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).casefold().split())


# ---------------------------------------------------------------- said for people
def clue_en(c: Clue, agency: str) -> str:
    return {
        "thread": f"reply to our letter to {agency} ({c.detail})",
        "token": f"subject token for {agency}",
        "address": f"sender {c.detail} is a registered address of {agency}",
        "domain": f"sender domain {c.detail} is registered for {agency}",
        "parent_domain": f"sender domain {c.detail} is under a domain registered for {agency}",
        "name": f"the mail names {c.detail}",
        "cited": f"cites letter {c.detail}",
    }.get(c.kind, c.kind)


def clue_vi(c: Clue, agency: str) -> str:
    return {
        "thread": f"trả lời thư hệ thống đã gửi {agency}",
        "token": f"tiêu đề thư có mã của {agency}",
        "address": f"địa chỉ người gửi {c.detail} đã đăng ký cho {agency}",
        "domain": f"tên miền người gửi {c.detail} đã đăng ký cho {agency}",
        "parent_domain": f"tên miền người gửi {c.detail} thuộc tên miền đã đăng ký cho {agency}",
        "name": f"nội dung thư nhắc tới “{c.detail}”",
        "cited": f"thư trích dẫn Công văn số {c.detail}",
    }.get(c.kind, c.kind)
