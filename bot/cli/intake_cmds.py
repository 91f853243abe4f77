"""Intake commands: `poll` (one pass over the inbox) and `quarantine list|assign|reject|retry`."""
from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.console import Console

from bot.cli.common import CampaignOpt, ConfigOpt, app, open_app, quarantine_app
from bot.intake.pipeline import Intake
from bot.intake.poll import poll_once
from bot.intake.rawstore import mail_store
from bot.staff.quarantine import assign_message, quarantine_items, reject_message, retry_message
from bot.staff.quarantine_table import display_timezone, quarantine_table
from db.types import utcnow


@app.command()
def poll(campaign: CampaignOpt = None, config: ConfigOpt = None) -> None:
    """One intake pass: fetch new mail, process it, exit (0 on success)."""
    application = open_app(config)
    summary = poll_once(Intake(application.config, application.engine))
    typer.echo(f"{summary.fetched} fetched, {summary.stored} new; {summary.count('processed')} processed, "
               f"{summary.count('quarantined')} quarantined, {summary.count('ignored')} ignored"
               + (f", {len(summary.errors)} failed (kept for the next pass)" if summary.errors else ""))
    if summary.errors:
        raise typer.Exit(1)


@quarantine_app.command("list")
def quarantine_list(
    format: Annotated[str, typer.Option("--format", help="table or json")] = "table",
    config: ConfigOpt = None,
) -> None:
    """List mail set aside for staff: unknown or unverified senders, messages that failed."""
    application = open_app(config)
    with application.session() as s:
        items = quarantine_items(s, mail_store(application.config.storage_dir))
        tz = display_timezone(s)
    if format == "json":
        typer.echo(json.dumps(items, ensure_ascii=False, indent=2))
        return
    console = Console()
    console.print(quarantine_table(items, tz=tz, width=console.width))


@quarantine_app.command("assign")
def quarantine_assign(
    message_id: Annotated[str, typer.Argument(metavar="MESSAGE_ID", help="Number from `quarantine list`, or the Message-ID.")],
    agency_code: Annotated[str, typer.Argument(metavar="AGENCY_CODE")],
    config: ConfigOpt = None,
) -> None:
    """Credit a quarantined message to an agency: the pipeline runs again from the store."""
    out = assign_message(open_app(config), message_id, agency_code, actor="cli", now=utcnow())
    typer.echo(f"message #{out.inbound_id} → {out.agency}: {out.state}" + (f" ({out.reason})" if out.reason else ""))


@quarantine_app.command("reject")
def quarantine_reject(
    message_id: Annotated[str, typer.Argument(metavar="MESSAGE_ID")],
    config: ConfigOpt = None,
) -> None:
    """Reject a quarantined message: kept in the store, never credited to an agency."""
    inbound_id = reject_message(open_app(config), message_id, actor="cli", now=utcnow())
    typer.echo(f"message #{inbound_id} rejected")


@quarantine_app.command("retry")
def quarantine_retry(
    message_id: Annotated[str, typer.Argument(metavar="MESSAGE_ID")],
    config: ConfigOpt = None,
) -> None:
    """Run the normal intake again on a quarantined or failed message (classification, matching
    and sender verification included, unlike assign)."""
    out = retry_message(open_app(config), message_id, actor="cli", now=utcnow())
    typer.echo(f"message #{out.inbound_id}: {out.state}" + (f" → {out.agency}" if out.agency else "")
               + (f" ({out.reason})" if out.reason else ""))
