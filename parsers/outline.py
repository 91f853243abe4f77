"""Match a document's blocks to the campaign outline.

1. Blocks become units (paragraphs, table rows); letterhead/signature tagged.
2. Every plausible heading unit gets scored against every node (candidates.py).
3. A monotone alignment (dynamic programming) picks the set of headings, in
   outline order, with the highest total score: a body list "1. …" under II can
   never take I.1, a report title cannot take II if that loses all of I.
4. A second pass rewards headings that look like the ones already accepted at
   the same depth (same label kind, same boldness) and penalises other lists.
5. Text of a node = the units between its heading and the next accepted
   heading or the heading of a part the outline lacks (outside_parts.py); the
   preamble before the first heading and the closing (from "Trên đây là báo
   cáo", "Nơi nhận", signature titles) belong to no node.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from parsers.blocks import Block, fold
from parsers.candidates import THRESHOLD, Option, Scorer, is_candidate
from parsers.model import Outline
from parsers.outside_parts import appendix_texts, foreign_headings
from parsers.report import Section
from parsers.units import CLOSING, PLACEHOLDER, Unit, look_signature, to_units

RESCUE_WORDING = 0.8  # how clearly a left-over heading must name a node to take it out of order
_HARD_CLOSE = re.compile(r"^(nơi nhận\b|trên đây là báo cáo)")
_SOFT_CLOSE = re.compile(
    r"^(trên đây là|trân trọng|(kt|tm|tl|tuq|q)\.\s*\w|nơi nhận|- như trên|- lưu\b|lưu\s*:\s*vt|"
    r"(phó\s+)?(chủ tịch|bộ trưởng|thứ trưởng|giám đốc|tổng biên tập|tổng giám đốc|thủ trưởng|"
    r"chánh văn phòng|trưởng ban)\s*$)"
)


@dataclass
class Placed:
    unit: int
    option: Option


def match_blocks(blocks: list[Block], outline: Outline) -> list[Section]:
    return match_document(blocks, outline)[0]


def match_document(blocks: list[Block], outline: Outline) -> tuple[list[Section], list[str]]:
    """The outline's sections, and the texts of appendices (no section's, their figures still read)."""
    return match_units(to_units(blocks), outline)


def match_units(units: list[Unit], outline: Outline) -> tuple[list[Section], list[str]]:
    scorer = Scorer(outline)
    end = _hard_end(units)
    cand = [i for i in range(end) if is_candidate(units[i])]
    options = {i: scorer.options(units, i) for i in cand}
    placed = _align(options, len(scorer.nodes))
    if placed:
        bonus = _style_bonus(units, placed, scorer)
        options = {i: scorer.options(units, i, bonus) for i in cand}
        placed = _align(options, len(scorer.nodes))
    placed = _rescue_out_of_order(units, placed, options, scorer)
    tops = [p.unit for p in placed if scorer.nodes[p.option.nodes[0]].depth == 0]
    stops = foreign_headings(units, cand, {p.unit for p in placed}, _top_signature(units, placed, scorer), tops)
    appendices = appendix_texts(units, stops, [p.unit for p in placed], end)
    return _sections(units, placed, outline, end, stops), appendices


def _hard_end(units: list[Unit]) -> int:
    """Index where the closing surely starts: "Nơi nhận", signature table."""
    seen_body = False
    for i, u in enumerate(units):
        if u.label.kind and u.label.kind != "bullet":
            seen_body = True
        if not seen_body:
            continue
        if u.role == CLOSING or _HARD_CLOSE.match(fold(u.text)):
            return i
    return len(units)


def _align(options: dict[int, list[Option]], m: int) -> list[Placed]:
    """Highest-scoring set of headings whose nodes strictly follow outline order."""
    neg = float("-inf")
    dp = [0.0] + [neg] * m  # dp[k]: best total with nodes < k settled
    back: list[tuple[int, int, int, Option] | None] = [None] * (m + 1)
    hist: list[list] = []  # back arrays as they were before each candidate
    for i in sorted(options):
        opts = options[i]
        if not opts:
            continue
        prefix, arg = [], []
        best, best_k = neg, 0
        for k in range(m + 1):
            if dp[k] > best:
                best, best_k = dp[k], k
            prefix.append(best)
            arg.append(best_k)
        new, newback = dp[:], back[:]
        for o in opts:
            first, last = o.nodes[0], o.nodes[-1]
            gain = sum(o.score - THRESHOLD + 0.05 for _ in o.nodes)
            val = prefix[first] + gain
            if val > new[last + 1]:
                new[last + 1] = val
                newback[last + 1] = (len(hist), arg[first], i, o)
        hist.append(back)
        dp, back = new, newback
    k = max(range(m + 1), key=lambda x: dp[x])
    out: list[Placed] = []
    ptr = back[k]
    while ptr is not None:
        h, prev_k, i, o = ptr
        out.append(Placed(i, o))
        ptr = hist[h][prev_k]
    return out[::-1]


def _style_bonus(units: list[Unit], placed: list[Placed], scorer: Scorer):
    """Headings at one depth share a look; reward it, penalise other numbered lists."""
    by_depth: dict[int, Counter] = {}
    for p in placed:
        d = scorer.nodes[p.option.nodes[0]].depth
        by_depth.setdefault(d, Counter())[look_signature(units[p.unit])] += 1
    major = {d: c.most_common(1)[0][0] for d, c in by_depth.items()}
    known = set(major.values())

    def bonus(u: Unit, node) -> float:
        sig = look_signature(u)
        if major.get(node.depth) == sig:
            return 0.1
        if u.label.kind and u.label.kind != "bullet" and sig not in known:
            return -0.08
        return 0.0

    return bonus


def _top_signature(units: list[Unit], placed: list[Placed], scorer: Scorer) -> str | None:
    tops = Counter(look_signature(units[p.unit]) for p in placed if scorer.nodes[p.option.nodes[0]].depth == 0)
    return tops.most_common(1)[0][0] if tops else None


def _rescue_out_of_order(units: list[Unit], placed: list[Placed], options: dict[int, list[Option]],
                         scorer: Scorer) -> list[Placed]:
    """Top-level sections written out of outline order ("IV. ĐỀ XUẤT, KIẾN NGHỊ" before
    "V. KHÓ KHĂN, VƯỚNG MẮC"): the alignment keeps one of them; a heading left over whose
    title clearly names a node nobody took, set out like the other top-level headings, takes it."""
    taken = {k for p in placed for k in p.option.nodes}
    used = {p.unit for p in placed}
    top = _top_signature(units, placed, scorer)
    out = list(placed)
    for k, node in enumerate(scorer.nodes):
        if k in taken or node.depth != 0:
            continue
        best: Placed | None = None
        for i, opts in options.items():
            if i in used or look_signature(units[i]) != top:
                continue
            for o in opts:
                if o.nodes == (k,) and scorer.wording(o.segment.title, k) >= RESCUE_WORDING and (
                        best is None or o.score > best.option.score):
                    best = Placed(i, o)
        if best is not None:
            out.append(best)
            used.add(best.unit)
            taken.add(k)
    return sorted(out, key=lambda p: p.unit)


def _soft_end(units: list[Unit], start: int, end: int) -> int:
    for i in range(start, end):
        if _SOFT_CLOSE.match(fold(units[i].text)):
            return i
    return end


def _sections(units: list[Unit], placed: list[Placed], outline: Outline, end: int,
              stops: list[int]) -> list[Section]:
    sections = {n.id: Section(id=n.id) for n in outline.nodes}
    for j, p in enumerate(placed):
        seg = p.option.segment
        start = p.unit + seg.consumed
        stop = placed[j + 1].unit if j + 1 < len(placed) else _soft_end(units, start, end)
        stop = min([stop, *(i for i in stops if i >= start)])
        parts = [seg.rest] if seg.rest else []
        parts += [units[i].text for i in range(start, stop) if not units[i].role]
        text = "\n".join(x for x in parts if x)
        unfilled = not text and any(units[i].role == PLACEHOLDER for i in range(start, stop))
        for k in p.option.nodes:
            node = outline.nodes[k]
            if unfilled and not outline.children(node.id):
                continue  # a form's heading over an unfilled field: the section was not reported
            sections[node.id] = Section(
                id=node.id, found=True, heading=seg.heading, text=text,
                confidence=max(0.0, min(1.0, p.option.score)),
            )
    return [sections[n.id] for n in outline.nodes]
