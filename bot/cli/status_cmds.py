"""`reportbot status`: receipt status of every agency (table, json or csv)."""
from __future__ import annotations

import csv
import io
import json
from datetime import datetime
from enum import Enum
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.table import Table

from bot.app import resolve_campaign
from bot.cli.common import CampaignOpt, ConfigOpt, app, open_app, parse_moment
from bot.errors import UserError
from bot.status import STATES, campaign_status, health_lines, service_health
from db.types import utcnow

CSV_FIELDS = ("agency", "name", "category", "state", "sent_at", "received_at", "on_time", "completeness",
              "missing", "reminders_sent", "submissions", "last_event", "last_event_at")


class Format(str, Enum):
    table = "table"
    json = "json"
    csv = "csv"


def parse_now(value: str | None) -> datetime:
    """--now ISO8601 (with an offset); the wall clock when absent."""
    return utcnow() if value is None else parse_moment(value, "--now")


NowOpt = Annotated[Optional[str], typer.Option("--now", help="Judge states at this moment (ISO 8601 with offset).")]


def _csv(rows: list[dict]) -> str:
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=CSV_FIELDS, extrasaction="ignore", lineterminator="\n")
    w.writeheader()
    for r in rows:
        w.writerow({**r, "missing": ";".join(r["missing"])})
    return buf.getvalue()


def _table(rows: list[dict], title: str) -> Table:
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


@app.command()
def status(
    campaign: CampaignOpt = None,
    format: Annotated[Format, typer.Option("--format", help="Output format.")] = Format.table,
    now: NowOpt = None,
    health: Annotated[bool, typer.Option("--health", help="Only the service's health (last tick, last inbox "
                                         "check, outbox backlog, quarantine); a JSON object with --format json.")] = False,
    config: ConfigOpt = None,
) -> None:
    """Show the receipt status of every agency in a campaign, and the service's health."""
    if health and format is Format.csv:
        raise UserError("--health: use it with --format table or json")
    moment = parse_now(now)
    application = open_app(config)
    with application.session() as session:
        svc = service_health(session, moment)
        if health:
            typer.echo(json.dumps(svc, ensure_ascii=False, indent=2) if format is Format.json
                       else "\n".join(health_lines(svc)))
            return
        c = resolve_campaign(session, campaign)
        rows = campaign_status(session, c, moment)
        title = f"{c.code} — {c.title}"
    if format is Format.json:
        typer.echo(json.dumps(rows, ensure_ascii=False, indent=2))
    elif format is Format.csv:
        typer.echo(_csv(rows), nl=False)
    else:
        console = Console()
        console.print(_table(rows, title))
        for line in health_lines(svc):  # the summary stays the last line
            console.print(line, highlight=False)
        console.print(summary_line(rows))
