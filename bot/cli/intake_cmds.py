"""Intake commands: `poll` (one pass over the inbox) and `quarantine list|assign|reject`."""
from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.console import Console
from sqlmodel import or_, select

from bot.campaigns.agency_load import agency_by_code
from bot.cli.common import CampaignOpt, ConfigOpt, app, open_app, quarantine_app
from bot.core.errors import UserError
from bot.intake.pipeline import Intake, process
from bot.intake.poll import poll_once
from bot.staff.quarantine_table import display_timezone, quarantine_table
from db.engine import session_scope
from db.events import log_event
from db.models import InboundMessage
from db.types import utcnow

SET_ASIDE = ("quarantined", "failed")


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


def _find(session, ref: str) -> InboundMessage:
    cond = InboundMessage.message_id == ref.strip()
    if ref.strip().lstrip("#").isdigit():
        cond = or_(InboundMessage.id == int(ref.strip().lstrip("#")), cond)
    row = session.exec(select(InboundMessage).where(cond)).first()
    if row is None:
        raise UserError(f"MESSAGE_ID: no received message {ref!r} (give the number from `quarantine list`)")
    return row


@quarantine_app.command("list")
def quarantine_list(
    format: Annotated[str, typer.Option("--format", help="table or json")] = "table",
    config: ConfigOpt = None,
) -> None:
    """List mail set aside for staff: unknown or unverified senders, messages that failed."""
    application = open_app(config)
    with application.session() as s:
        rows = s.exec(select(InboundMessage).where(InboundMessage.state.in_(SET_ASIDE))  # type: ignore[attr-defined]
                      .order_by(InboundMessage.id)).all()
        items = [{"id": r.id, "message_id": r.message_id, "received_at": r.received_at.isoformat(),
                  "from": r.from_addr, "subject": r.subject, "state": r.state, "reason": r.reason} for r in rows]
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
    application = open_app(config)
    with session_scope(application.engine) as s:
        row = _find(s, message_id)
        if row.state not in SET_ASIDE:
            raise UserError(f"message #{row.id} is {row.state}, not quarantined")
        agency = agency_by_code(s, agency_code)
        row.state = "quarantined"
        log_event(s, "mail.assigned", agency_id=agency.id, actor="cli", detail={"inbound_id": row.id})
        inbound_id, code = row.id, agency.code
    out = process(Intake(application.config, application.engine), inbound_id, utcnow(), force_agency=code,
                  actor="cli")
    typer.echo(f"message #{inbound_id} → {code}: {out.state}" + (f" ({out.reason})" if out.reason else ""))


@quarantine_app.command("reject")
def quarantine_reject(
    message_id: Annotated[str, typer.Argument(metavar="MESSAGE_ID")],
    config: ConfigOpt = None,
) -> None:
    """Reject a quarantined message: kept in the store, never credited to an agency."""
    application = open_app(config)
    with session_scope(application.engine) as s:
        row = _find(s, message_id)
        if row.state not in SET_ASIDE:
            raise UserError(f"message #{row.id} is {row.state}, not quarantined")
        row.state = "rejected"
        log_event(s, "mail.rejected", actor="cli", detail={"inbound_id": row.id})
    typer.echo(f"message #{row.id} rejected")
