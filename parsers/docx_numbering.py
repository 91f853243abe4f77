"""Word auto-numbering: compute the label ("I.", "1.", "a)", "1.2.") a paragraph shows.

The number lives in numbering.xml, not in the text: abstractNum levels give the
format ("upperRoman", "%1."), num instances point to them and may restart them.
Counters advance in document order, per num instance.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from parsers.labels import to_roman

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_LETTERS = "abcdefghijklmnopqrstuvwxyz"


def _val(el, default=None):
    if el is None:
        return default
    return el.get(W + "val", default)


@dataclass
class Level:
    fmt: str = "decimal"
    text: str = "%1."
    start: int = 1
    legal: bool = False


@dataclass
class Numbering:
    abstract: dict[str, dict[int, Level]] = field(default_factory=dict)
    nums: dict[str, tuple[str, dict[int, int]]] = field(default_factory=dict)  # numId → (abstractId, overrides)
    counters: dict[str, dict[int, int]] = field(default_factory=dict)

    @classmethod
    def from_xml(cls, root) -> Numbering:
        self = cls()
        if root is None:
            return self
        for an in root.iter(W + "abstractNum"):
            levels = {}
            for lvl in an.iter(W + "lvl"):
                try:
                    ilvl = int(lvl.get(W + "ilvl", "0"))
                    start = int(_val(lvl.find(W + "start"), "1"))
                except ValueError:
                    continue
                levels[ilvl] = Level(
                    fmt=_val(lvl.find(W + "numFmt"), "decimal"),
                    text=_val(lvl.find(W + "lvlText"), "") or "",
                    start=start,
                    legal=lvl.find(W + "isLgl") is not None,
                )
            self.abstract[an.get(W + "abstractNumId", "")] = levels
        for num in root.iter(W + "num"):
            overrides = {}
            for ov in num.iter(W + "lvlOverride"):
                so = ov.find(W + "startOverride")
                if so is not None:
                    try:
                        overrides[int(ov.get(W + "ilvl", "0"))] = int(_val(so, "1"))
                    except ValueError:
                        pass
            self.nums[num.get(W + "numId", "")] = (_val(num.find(W + "abstractNumId"), ""), overrides)
        return self

    def label(self, num_id: str, ilvl: int) -> str:
        """Advance the counter of (num_id, ilvl) and return the label text shown."""
        if num_id in ("", "0") or num_id not in self.nums:
            return ""
        abs_id, overrides = self.nums[num_id]
        levels = self.abstract.get(abs_id, {})
        lvl = levels.get(ilvl)
        if lvl is None:
            return ""
        counters = self.counters.setdefault(num_id, {})
        start = overrides.get(ilvl, lvl.start)
        counters[ilvl] = counters[ilvl] + 1 if ilvl in counters else start
        for deeper in [k for k in counters if k > ilvl]:
            del counters[deeper]
        if lvl.fmt == "bullet":
            return "-"
        if lvl.fmt == "none":
            return lvl.text.split("%")[0].strip()
        text = lvl.text
        for k in range(8, -1, -1):
            token = f"%{k + 1}"
            if token not in text:
                continue
            other = levels.get(k, Level())
            n = counters.get(k, overrides.get(k, other.start))
            fmt = "decimal" if (lvl.legal and k != ilvl) else (other.fmt if k != ilvl else lvl.fmt)
            text = text.replace(token, format_number(n, fmt))
        return text.strip()


def format_number(n: int, fmt: str) -> str:
    if fmt in ("upperRoman", "lowerRoman"):
        r = to_roman(max(n, 1)) if n < 40 else str(n)
        return r if fmt == "upperRoman" else r.lower()
    if fmt in ("upperLetter", "lowerLetter"):
        s = _LETTERS[(n - 1) % 26] * ((n - 1) // 26 + 1) if n > 0 else "a"
        return s.upper() if fmt == "upperLetter" else s
    if fmt == "decimalZero":
        return f"{n:02d}"
    return str(n)
