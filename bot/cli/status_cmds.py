"""`reportbot status`: receipt status of every agency (table, json or csv)."""
from __future__ import annotations

import json
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Optional
from zoneinfo import ZoneInfo

import typer
from rich.console import Console

from bot.cli.common import CampaignOpt, ConfigOpt, app, open_app, parse_moment
from bot.core.app import resolve_campaign
from bot.core.errors import UserError
from bot.staff.status import campaign_status, failing_addresses, health_lines, service_health
from bot.staff.status_table import status_csv, status_table, summary_line
from db.types import utcnow


class Format(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"


def parse_now(value: str | None) -> datetime:
    """--now ISO8601 (with an offset); the wall clock when absent."""
    return utcnow() if value is None else parse_moment(value, "--now")


NowOpt = Annotated[Optional[str], typer.Option("--now", help="Judge states at this moment (ISO 8601 with offset).")]


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
            failing = failing_addresses(session, None)
            svc["addresses_failing"] = [{"agency": f.agency_code, "address": f.email, "since": f.since.isoformat(),
                                         "last": f.last.isoformat(), "failures": f.failures, "dead": f.dead}
                                        for f in failing]
            typer.echo(json.dumps(svc, ensure_ascii=False, indent=2) if format is Format.json
                       else "\n".join(health_lines(svc) + [f"[{f.agency_code}] {f.text()}" for f in failing]))
            return
        c = resolve_campaign(session, campaign)
        rows = campaign_status(session, c, moment)
        failing = failing_addresses(session, c)
        title, tz = f"{c.code} — {c.title}", ZoneInfo(c.timezone)
    if format is Format.json:
        typer.echo(json.dumps(rows, ensure_ascii=False, indent=2))
    elif format is Format.csv:
        typer.echo(status_csv(rows), nl=False)
    else:
        console = Console()
        console.print(status_table(rows, title, tz=tz, width=console.width))
        for f in failing:  # staff-facing problems, in Vietnamese
            console.print(f"[{f.agency_code}] {f.text()}", highlight=False, markup=False)
        for line in health_lines(svc):  # the summary stays the last line
            console.print(line, highlight=False)
        console.print(summary_line(rows))
