"""Heading candidates: which units could head which outline node, and how well.

For each unit we try a few readings of "the heading part" (the whole line, its
bold run-in prefix, the part before a colon, the first sentence, the line joined
with the next one) and score each against every node's title and aliases. The
score mixes wording similarity with layout clues: a label whose number fits the
node, heading styles, bold or capitals.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from parsers.figures import FIGURE_CELL
from parsers.labels import Label, TitleIndex, parse_bare_label, tokens
from parsers.model import Outline, OutlineNode
from parsers.units import Unit
from parsers.vietnamese import fold

THRESHOLD = 0.62
CLEAR_TITLE = 0.9  # wording this close names the node whatever its number says
MEANING_CAP = 0.8  # a paraphrase never scores like the title itself
MAX_HEADING = 300


@dataclass(frozen=True)
class Segment:
    heading: str  # the heading as shown (label included)
    title: str  # the wording that is compared with node titles
    rest: str  # what follows on the same unit: the node's first text
    consumed: int = 1  # units used by the heading (2 when a wrapped heading is rejoined)
    kind: str = "whole"  # whole | bold | colon | sentence | joined | cell


@dataclass(frozen=True)
class Option:
    nodes: tuple[int, ...]  # node indices; two for a heading merging two sections
    score: float
    segment: Segment


def is_candidate(u: Unit) -> bool:
    if u.role:
        return False
    if u.cells is not None:
        return not _figure_row(u.cells) and (len(u.cells) > 1 or len(u.text) <= MAX_HEADING)
    if u.label.kind and u.label.kind != "bullet":
        return True
    styled = u.level is not None or u.bold or u.bold_prefix >= 4 or u.upper
    if styled:
        return True
    if u.label.kind == "bullet":
        return len(u.title) <= 160 or ":" in u.title[:MAX_HEADING]
    # An unmarked line heads a section only when short and not a finished sentence.
    return len(u.title) <= 160 and not u.title.rstrip().endswith((".", ";", ","))


def _figure_row(cells: list[str]) -> bool:
    """A row of figures ("Doanh thu … (tỷ đồng) | 40,2 | 45,6"): data, however its label reads."""
    filled = [c for c in cells if c]
    if filled and parse_bare_label(filled[0]):
        filled = filled[1:]  # the row's number ("STT")
    figures = sum(1 for c in filled if FIGURE_CELL.match(fold(c)))
    return figures > 0 and len(filled) - figures <= 2  # a label and perhaps a unit beside them


def _shown(label: Label, title: str) -> str:
    return f"{label.raw} {title}".strip() if label.raw else title


def segments(units: list[Unit], i: int) -> list[Segment]:
    u = units[i]
    if u.cells is not None:
        return _row_segments(u)
    t, out = u.title, []
    if not t:  # a label alone ("PHẦN THỨ NHẤT", "I."): the title is on the next line
        nxt = units[i + 1] if i + 1 < len(units) else None
        if nxt is not None and nxt.cells is None and not nxt.label.kind and len(nxt.text) <= MAX_HEADING:
            out.append(Segment(_shown(u.label, nxt.text), nxt.text, "", 2, "joined"))
        return out
    if len(t) <= MAX_HEADING:
        out.append(Segment(u.text, t, "", 1, "whole"))
    if 4 <= u.bold_prefix < len(t) - 3:
        head = t[: u.bold_prefix].rstrip(" :.-–")
        out.append(Segment(_shown(u.label, head), head, t[u.bold_prefix:].lstrip(" :.-–"), 1, "bold"))
    c = t.find(":")
    if 3 < c <= MAX_HEADING and c < len(t) - 1:
        out.append(Segment(_shown(u.label, t[:c]), t[:c], t[c + 1:].strip(), 1, "colon"))
    m = re.search(r"[.;]\s+(?=\S)", t)
    if m and 3 < m.start() <= MAX_HEADING:
        out.append(Segment(_shown(u.label, t[: m.start()]), t[: m.start()], t[m.end():].strip(), 1, "sentence"))
    j = _joinable(units, i)
    if j is not None:
        out.append(Segment(f"{u.text} {j.text}", f"{t} {j.text}", "", 2, "joined"))
    return out


def _joinable(units: list[Unit], i: int) -> Unit | None:
    """The next unit when it looks like the second line of a wrapped heading."""
    u = units[i]
    if i + 1 >= len(units) or len(u.title) > 200 or u.title.endswith((".", ":", ";")):
        return None
    n = units[i + 1]
    if n.role or n.cells is not None or n.label.kind or len(n.text) > 160:
        return None
    same_look = (u.upper and n.upper) or (u.bold and n.bold) or (u.level is not None and u.level == n.level)
    return n if same_look else None


def _row_segments(u: Unit) -> list[Segment]:
    cells = u.cells or []
    start = 1 if u.label.kind else 0
    out = []
    for k in range(start, len(cells)):
        c = cells[k]
        if not c or len(c) > MAX_HEADING:
            continue
        rest = "\n".join(x for x in cells[k + 1:] if x)
        out.append(Segment(_shown(u.label, c), c, rest, 1, "cell"))
        break  # the first text cell is the row's title ("STT | Nội dung | Kết quả")
    return out


class Scorer:
    def __init__(self, outline: Outline):
        self.nodes = list(outline.nodes)
        self.names = [(n.title, *n.aliases) for n in self.nodes]
        self.index = TitleIndex([x for names in self.names for x in names])
        self.words = [frozenset(t for name in names for t in tokens(name)) for names in self.names]
        self.spread: dict[str, int] = {}  # in how many nodes' names a word occurs
        for ws in self.words:
            for t in ws:
                self.spread[t] = self.spread.get(t, 0) + 1
        self._cache: dict[tuple[str, int], float] = {}

    def wording(self, title: str, k: int) -> float:
        key = (title, k)
        if key not in self._cache:
            best = max(self.index.similarity(title, name) for name in self.names[k])
            self._cache[key] = max(best, self.meaning(title, k))
        return self._cache[key]

    def meaning(self, title: str, k: int) -> float:
        """A short paraphrase ("Về doanh thu", "Về nguồn nhân lực") whose words all belong to
        node k's names, scored by how few other nodes share them: a word of every title
        ("kết quả") says little, a word of one node ("doanh thu") says which."""
        words = frozenset(tokens(title))
        if not words or len(words) > 10:
            return 0.0
        w = self.index.w
        covered = words & self.words[k]
        if not covered or sum(w(t) for t in covered) < 0.8 * sum(w(t) for t in words):
            return 0.0
        own = sum(w(t) / self.spread[t] for t in covered) / sum(w(t) for t in covered)
        return MEANING_CAP * own

    def recall(self, title: str, k: int) -> float:
        key = (title, -1 - k)
        if key not in self._cache:
            self._cache[key] = max(self.index.recall(title, name) for name in self.names[k])
        return self._cache[key]

    def options(self, units: list[Unit], i: int, style_bonus=None) -> list[Option]:
        """Every (node, score) above threshold for unit i; best segment per node."""
        u = units[i]
        segs = segments(units, i)
        if not segs:
            return []
        out: list[Option] = []
        for k, node in enumerate(self.nodes):
            best: Option | None = None
            for seg in segs:
                s = self.wording(seg.title, k)
                if s < 0.35:
                    continue
                s += layout_bonus(u, node, seg, clear_title=s >= CLEAR_TITLE)
                if style_bonus is not None:
                    s += style_bonus(u, node)
                if best is None or s > best.score:
                    best = Option((k,), s, seg)
            if best is not None and best.score >= THRESHOLD:
                out.append(best)
            merged = self._merged(u, segs, k)
            if merged is not None:
                out.append(merged)
        return out

    def _merged(self, u: Unit, segs: list[Segment], k: int) -> Option | None:
        """One heading covering node k and its next sibling ("Khó khăn ... và đề xuất, kiến nghị")."""
        if k + 1 >= len(self.nodes) or self.nodes[k + 1].parent_id != self.nodes[k].parent_id:
            return None
        best = None
        for seg in segs:
            if self.wording(seg.title, k) < 0.3:
                continue
            r1, r2 = self.recall(seg.title, k), self.recall(seg.title, k + 1)
            if min(r1, r2) < 0.75:
                continue
            s = min(r1, r2) + layout_bonus(u, self.nodes[k], seg, merged=True)
            if s >= THRESHOLD + 0.1 and (best is None or s > best.score):
                best = Option((k, k + 1), s, seg)
        return best


def _id_nums(node: OutlineNode) -> tuple[int, ...]:
    from parsers.labels import roman_value  # noqa: PLC0415

    out = []
    for part in node.id.split("."):
        out.append(int(part) if part.isdigit() else (roman_value(part) or 0))
    return tuple(out)


def label_fits(label: Label, node: OutlineNode) -> bool | None:
    """Does the label's number agree with the node's? None when there is no number."""
    if not label.nums:
        return None
    nums = _id_nums(node)
    if label.kind == "multi":
        return nums[-len(label.nums):] == label.nums or nums == label.nums
    return label.nums[-1] == nums[-1]


def layout_bonus(u: Unit, node: OutlineNode, seg: Segment, merged: bool = False, clear_title: bool = False) -> float:
    """clear_title: the wording names this node outright, so a number that disagrees (an agency
    that renumbered its sections by position) costs nothing."""
    b = 0.0
    fits = label_fits(u.label, node)
    if fits is True and not merged:
        b += 0.12
    elif fits is False and not merged and not clear_title:
        b -= 0.05
    kind, depth = u.label.kind, node.depth
    if kind in ("roman", "part"):
        b += 0.05 if depth == 0 else -0.1
    elif kind == "letter" and depth == 0:
        b -= 0.1
    elif kind == "multi":
        b += 0.05 if len(u.label.nums) == depth + 1 else -0.05
    styled = u.level is not None or u.bold or u.upper or (seg.kind == "bold")
    if styled or u.cells is not None:
        b += 0.05
    elif not kind:
        b -= 0.12
    if seg.kind == "sentence":
        b -= 0.03
    return b
