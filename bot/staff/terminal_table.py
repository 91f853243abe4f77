"""Tables that fit the terminal: what `reportbot status` and `quarantine list` print.

A table is a list of columns, each with a priority. Columns that must stay readable (codes,
states, dates, e-mail addresses) are never wrapped nor cut: they get their full width. The
free text columns (names, subjects, reasons) take the room that is left, cut with an ellipsis
or wrapped at words, sharing the room evenly down to their minimum width (abbreviated first,
where the column offers abbreviations). When even that does not fit, the columns of
least priority are dropped, one at a time. Every column gets an explicit width, so rich never
has to squeeze a date into three lines or an address into two.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal
from zoneinfo import ZoneInfo

from rich.cells import cell_len
from rich.table import Table
from rich.text import Text

LOCAL_TIME = "%d/%m %H:%M"


@dataclass(frozen=True)
class Col:
    header: str
    cells: list[str]
    keep: int                        # priority: the column with the highest number is dropped first
    free: Literal["", "cut", "wrap"] = ""  # "": full width always; else shrinks (ellipsis, or wrap at words)
    min_width: int = 8               # for a free column: narrower than this, it is dropped instead
    justify: Literal["left", "right"] = "left"
    short: list[str] | None = None   # for a free column: the cells abbreviated, shown when cut

    @property
    def natural(self) -> int:
        return max([cell_len(self.header), *(cell_len(c) for c in self.cells)])

    @property
    def least(self) -> int:
        return min(self.natural, self.min_width) if self.free else self.natural


def local_time(iso: str | None, tz: ZoneInfo) -> str:
    """An ISO 8601 moment as `dd/mm HH:MM` in the campaign's time zone ("" for none)."""
    return datetime.fromisoformat(iso).astimezone(tz).strftime(LOCAL_TIME) if iso else ""


def fit_table(cols: list[Col], width: int, *, title: str | None = None) -> Table:
    """A rich Table of the columns that fit in `width` terminal cells, in their given order."""
    shown = list(cols)
    while len(shown) > 1 and _overhead(shown) + sum(c.least for c in shown) > width:
        shown.remove(max(shown, key=lambda c: c.keep))
    widths = _widths(shown, width - _overhead(shown))
    table = Table(title=title)
    cells = [c.short if c.short is not None and widths[c.header] < c.natural else c.cells for c in shown]
    for c in shown:
        table.add_column(c.header, width=widths[c.header], justify=c.justify, no_wrap=c.free != "wrap",
                         overflow="ellipsis" if c.free else "crop")
    for row in zip(*cells):
        table.add_row(*(Text(cell) for cell in row))  # as written: a subject's "[/b]" is no markup
    return table


def _overhead(cols: list[Col]) -> int:
    """Cells a rich Table (default box, padding 1) spends besides content: a border and two
    padding cells per column, and the closing border."""
    return 3 * len(cols) + 1


def _widths(cols: list[Col], room: int) -> dict[str, int]:
    """Full width for fixed columns; the room left is shared evenly by the free ones (none
    wider than it needs; a remainder goes to the one of highest priority)."""
    widths = {c.header: c.least for c in cols}
    left = room - sum(widths.values())
    growing = sorted((c for c in cols if c.free and c.natural > widths[c.header]), key=lambda c: c.keep)
    while left > 0 and growing:
        share = max(1, left // len(growing))
        for c in list(growing):
            more = min(share, left, c.natural - widths[c.header])
            widths[c.header] += more
            left -= more
            if widths[c.header] == c.natural:
                growing.remove(c)
    return widths
