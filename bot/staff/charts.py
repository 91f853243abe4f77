"""The digest's progress chart: reports received per day and in total, against the deadline.

`daily_series` is pure arithmetic; `receipts_chart_png` draws with matplotlib's
Agg canvas (no pyplot, no display, no global figure state) in DejaVu Sans, which
matplotlib ships and which covers Vietnamese diacritics.
"""
from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

FONT = "DejaVu Sans"
MAX_DAYS = 370  # a chart of more than a year says nothing more; clip to the last year


@dataclass(frozen=True)
class DayCount:
    day: date
    received: int  # agencies whose first report arrived that day
    total: int  # agencies that had reported by the end of that day


def daily_series(first_receipts: Sequence[datetime], start: date, end: date, tz: str) -> list[DayCount]:
    """One entry per calendar day from `start` to `end` (campaign-local days)."""
    zone = ZoneInfo(tz)
    days = sorted(t.astimezone(zone).date() for t in first_receipts)
    if days:
        start, end = min(start, days[0]), max(end, days[-1])
    start = max(start, end - timedelta(days=MAX_DAYS))
    before = sum(1 for d in days if d < start)
    out, total, d = [], before, start
    while d <= end:
        n = sum(1 for x in days if x == d)
        total += n
        out.append(DayCount(d, n, total))
        d += timedelta(days=1)
    return out


def receipts_chart_png(series: Sequence[DayCount], *, deadline: date, expected: int,
                       title: str = "Tiến độ tiếp nhận báo cáo") -> bytes:
    """Bars: reports received per day; line: cumulative; dashed: the deadline and the
    number of agencies expected to report. Returns PNG bytes (no timestamp in them)."""
    from matplotlib import rc_context  # noqa: PLC0415 - heavy; loaded only when this runs
    from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: PLC0415 - heavy; loaded only when this runs
    from matplotlib.figure import Figure  # noqa: PLC0415 - heavy; loaded only when this runs

    with rc_context({"font.family": FONT, "font.size": 9, "axes.unicode_minus": False}):
        fig = Figure(figsize=(8, 3.6), dpi=100)
        FigureCanvasAgg(fig)
        ax = fig.add_subplot()
        _draw(ax, series, deadline, expected)
        ax.set_title(title, fontsize=11, fontweight="bold")
        fig.tight_layout()
        buf = io.BytesIO()
        fig.savefig(buf, format="png", metadata={"Software": None})
    return buf.getvalue()


def _draw(ax, series: Sequence[DayCount], deadline: date, expected: int) -> None:
    from matplotlib.ticker import MaxNLocator  # noqa: PLC0415 - heavy; loaded only when this runs

    xs = list(range(len(series)))
    bars = ax.bar(xs, [s.received for s in series], color="#4a7fb5", label="Nhận trong ngày")
    ax.set_ylabel("Số báo cáo nhận trong ngày")
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_ylim(0, max([s.received for s in series] + [1]) * 1.25)
    total_ax = ax.twinx()
    line, = total_ax.plot(xs, [s.total for s in series], color="#d35400", marker="o", markersize=3,
                          label="Lũy kế")
    target = total_ax.axhline(expected, color="#7f8c8d", linestyle=":", label=f"Tổng số cơ quan: {expected}")
    total_ax.set_ylim(0, max(expected, series[-1].total if series else 0, 1) * 1.1)
    total_ax.set_ylabel("Lũy kế số cơ quan đã báo cáo")
    total_ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    handles = [bars, line, target]
    days = [s.day for s in series]
    if days and days[0] <= deadline <= days[-1]:
        handles.append(ax.axvline(days.index(deadline) + 0.5, color="#c0392b", linestyle="--",
                                  label=f"Hạn báo cáo {deadline:%d/%m/%Y}"))
    step = max(1, -(-len(series) // 10))  # at most ~10 labels
    ax.set_xticks(xs[::step], [f"{d:%d/%m}" for d in days[::step]])
    ax.set_xlim(-0.6, len(series) - 0.4)
    ax.set_xlabel("Ngày")
    ax.legend(handles=handles, loc="upper left", fontsize=8, framealpha=0.9, edgecolor="none")
