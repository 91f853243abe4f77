"""Status rows (staff.status.campaign_status) as a terminal table that fits the terminal
(bot/staff/terminal_table.py), a CSV and a one-line summary."""
from __future__ import annotations

import csv
import io
import re
from zoneinfo import ZoneInfo

from rich.table import Table

from bot.staff.status import STATES
from bot.staff.terminal_table import Col, fit_table, local_time

CSV_FIELDS = ("agency", "name", "category", "state", "sent_at", "received_at", "on_time", "completeness",
              "missing", "reminders_sent", "submissions", "last_event", "last_event_at")


def status_csv(rows: list[dict]) -> str:
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=CSV_FIELDS, extrasaction="ignore", lineterminator="\n")
    w.writeheader()
    for r in rows:
        w.writerow({**r, "missing": ";".join(r["missing"])})
    return buf.getvalue()


# How Vietnamese officials write these names short; the part that tells agencies apart is last.
_SHORT_NAMES = ((re.compile(r"^(Ủy|Uỷ) ban nhân dân\b", re.IGNORECASE), "UBND"),
                (re.compile(r"\bthành phố\b", re.IGNORECASE), "TP."))


def short_name(name: str) -> str:
    """'Ủy ban nhân dân thành phố Hà Nội' → 'UBND TP. Hà Nội' (for a narrow terminal)."""
    for pattern, short in _SHORT_NAMES:
        name = pattern.sub(short, name)
    return name


def status_table(rows: list[dict], title: str, *, tz: ZoneInfo, width: int) -> Table:
    """The status rows in `width` terminal cells: times local (`tz`) as dd/mm HH:MM; names cut
    with an ellipsis; the columns of least use dropped first when the terminal is narrow."""
    return fit_table([
        Col("Code", [r["agency"] for r in rows], keep=0),
        Col("Agency", [r["name"] for r in rows], keep=2, free="cut", min_width=14,
            short=[short_name(r["name"]) for r in rows]),
        Col("State", [r["state"] for r in rows], keep=1),
        Col("Sent", [local_time(r["sent_at"], tz) for r in rows], keep=5),
        Col("Received", [local_time(r["received_at"], tz) for r in rows], keep=3),
        Col("On time", [{True: "yes", False: "no", None: ""}[r["on_time"]] for r in rows], keep=6),
        Col("Complete", ["" if r["completeness"] is None else f"{r['completeness']:.0%}" for r in rows],
            keep=4, justify="right"),
        Col("Missing", [" ".join(r["missing"]) for r in rows], keep=7, free="cut", min_width=10),
        Col("Reminders", [str(r["reminders_sent"]) for r in rows], keep=8, justify="right"),
    ], width, title=title)


def summary_line(rows: list[dict]) -> str:
    counts = {s: sum(1 for r in rows if r["state"] == s) for s in STATES}
    return f"{len(rows)} agencies: " + ", ".join(f"{n} {s}" for s, n in counts.items() if n)
