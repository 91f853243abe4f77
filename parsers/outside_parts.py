"""Parts of a report that are no section of the outline.

Agencies add parts the outline does not ask for: "VI. PHƯƠNG HƯỚNG, NHIỆM VỤ NĂM
2025" after V, a part numbered on from the last ("V. PHƯƠNG HƯỚNG" when IV was
left out), an appendix ("PHỤ LỤC …") before or after the signature. Their headings
end the section before them, and their text is no section's. An appendix's figures
are still the agency's figures: its text is handed to the metrics, unlike a
part of plans, whose figures are targets.
"""
from __future__ import annotations

import re

from parsers.units import Unit, look_signature
from parsers.vietnamese import fold

_APPENDIX = re.compile(r"^(phụ lục|phụ biểu|danh mục kèm theo)\b")


def is_appendix_heading(u: Unit) -> bool:
    f = fold(u.title or u.text)
    return (u.cells is None and bool(_APPENDIX.match(f)) and len(f) <= 200
            and (u.upper or u.bold or u.level is not None or not f.endswith(".")))


def foreign_headings(units: list[Unit], cand: list[int], used: set[int], top: str | None,
                     tops: list[int]) -> list[int]:
    """Unplaced headings set out like the top-level ones and numbered past the top-level heading
    before them, and appendix headings after the last top-level one."""
    out = []
    for i in cand:
        u = units[i]
        if i in used or u.cells is not None:
            continue
        before = [t for t in tops if t < i]
        # Roman numerals and "Phần" head nothing but top-level parts; "1." may be a list in the
        # body, so it counts only after the last top-level heading.
        if top is not None and look_signature(u) == top and u.label.nums and (
                u.label.kind in ("roman", "part") or (tops and i > tops[-1])):
            last = units[before[-1]].label.nums if before else ()
            if not last or u.label.nums[0] > last[0]:
                out.append(i)
                continue
        if is_appendix_heading(u) and (not tops or i > tops[-1]):
            out.append(i)
    return out


def appendix_texts(units: list[Unit], stops: list[int], placed: list[int], end: int) -> list[str]:
    """The text under each appendix heading, before the closing or after the signature."""
    heads = [i for i in stops if is_appendix_heading(units[i])]
    heads += [i for i in range(end, len(units)) if not units[i].role and is_appendix_heading(units[i])]
    bounds = sorted(set(stops) | set(placed) | set(heads))
    out = []
    for i in heads:
        limit = end if i < end else len(units)
        stop = min([limit, *(b for b in bounds if b > i)])
        text = "\n".join(units[k].text for k in range(i + 1, stop) if not units[k].role)
        if text:
            out.append(text)
    return out
