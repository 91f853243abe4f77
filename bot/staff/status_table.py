"""Status rows (staff.status.campaign_status) as a terminal table, a CSV and a one-line summary."""
from __future__ import annotations

import csv
import io

from rich.table import Table

from bot.staff.status import STATES

CSV_FIELDS = ("agency", "name", "category", "state", "sent_at", "received_at", "on_time", "completeness",
              "missing", "reminders_sent", "submissions", "last_event", "last_event_at")



def status_csv(rows: list[dict]) -> str:
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=CSV_FIELDS, extrasaction="ignore", lineterminator="\n")
    w.writeheader()
    for r in rows:
        w.writerow({**r, "missing": ";".join(r["missing"])})
    return buf.getvalue()


def status_table(rows: list[dict], title: str) -> Table:
    t = Table(title=title, show_lines=False)
    for name in ("Code", "Agency", "State", "Sent", "Received", "On time", "Complete", "Missing", "Reminders"):
        t.add_column(name, overflow="fold")
    for r in rows:
        t.add_row(
            r["agency"], r["name"], r["state"], (r["sent_at"] or "")[:16], (r["received_at"] or "")[:16],
            {True: "yes", False: "no", None: ""}[r["on_time"]],
            "" if r["completeness"] is None else f"{r['completeness']:.0%}",
            " ".join(r["missing"]), str(r["reminders_sent"]),
        )
    return t


def summary_line(rows: list[dict]) -> str:
    counts = {s: sum(1 for r in rows if r["state"] == s) for s in STATES}
    return f"{len(rows)} agencies: " + ", ".join(f"{n} {s}" for s, n in counts.items() if n)
