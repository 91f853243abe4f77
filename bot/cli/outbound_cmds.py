"""`reportbot dispatch` and `reportbot tick`: queue outbound mail into the outbox, then send it."""
from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeRemainingColumn,
)

from bot.cli.common import CampaignOpt, ConfigOpt, app, open_app
from bot.cli.status_cmds import parse_now
from bot.core.app import App, resolve_campaign
from bot.core.errors import NotFound, RuntimeFailure, UserError
from bot.core.files import write_private
from bot.outbound.mailer import SendSummary
from bot.outbound.mails import config_sender
from bot.outbound.outbox import PlannedMail, queue_due, render_due, render_preview
from bot.outbound.outbox_claims import Filter, count_due
from bot.outbound.send_pass import send_pass
from bot.service.tick import run_tick
from db.types import utcnow


def _safe(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", name).strip("_") or "x"


def write_dry_run(mails: Iterable[PlannedMail], folder: Path) -> int:
    """Each rendered mail as `<n>-<agency>-<kind>-<seq>.eml`; returns how many were written."""
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    n = 0
    for n, p in enumerate(mails, start=1):
        name = f"{n:04d}-{_safe(p.agency_code or '-')}-{p.kind}-{p.seq}.eml"
        (folder / name).write_bytes(p.msg.as_bytes())
    return n


def _send(application: App, f: Filter, clock: Callable[[], datetime], actor: str) -> SendSummary:
    """The one send pass (bot/outbound/send_pass.py) with a progress bar on stderr."""
    total = count_due(application.engine, clock(), f)
    console = Console(stderr=True)
    columns = (TextColumn("sending"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(*columns, console=console, transient=True,
                  disable=total == 0 or not console.is_terminal) as bar:
        task = bar.add_task("send", total=total)
        return send_pass(application, f, clock=clock, actor=actor, on_item=lambda _status: bar.advance(task))


def _fail_if_fatal(application: App, summary: SendSummary, f: Filter, now: datetime) -> None:
    if summary.fatal:
        left = count_due(application.engine, now, f)
        raise RuntimeFailure(f"{summary.fatal}; {left} mail(s) stay queued for the next run")


@app.command()
def dispatch(
    campaign: CampaignOpt = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Write every rendered mail as .eml; send "
                                          "nothing and queue nothing.")] = False,
    out: Annotated[Path | None, typer.Option("--out", help="Folder for --dry-run (default: "
                                                "<storage>/dry-run/<timestamp>).", file_okay=False)] = None,
    config: ConfigOpt = None,
) -> None:
    """Send the letter to every enrolled agency not yet sent (whatever the campaign's dispatch_at)."""
    if out is not None and not dry_run:
        raise UserError("--out: only used with --dry-run")
    application = open_app(config)
    now = utcnow()
    if dry_run:
        folder = out or application.config.storage_dir / "dry-run" / now.strftime("%Y%m%dT%H%M%SZ")
        with application.session() as session:
            c = resolve_campaign(session, campaign)
            n = write_dry_run(render_due(session, c, now, config_sender(application.config), application.store,
                                         dispatch_now=True), folder)
        typer.echo(f"{c.code}: dry run, {n} mail(s) written to {folder}; nothing sent, nothing queued")
        return
    with application.session() as session:
        c = resolve_campaign(session, campaign)
        queued = queue_due(session, c, now, config_sender(application.config), application.store,
                           dispatch_now=True, actor="cli")
        code, f = c.code, Filter(campaign_id=c.id, kinds=("dispatch",))
    summary = _send(application, f, utcnow, "cli")
    typer.echo(f"{code}: {len(queued)} dispatch(es) queued; {summary.line()}")
    _fail_if_fatal(application, summary, f, utcnow())


@app.command()
def tick(
    now: Annotated[str | None, typer.Option("--now", help="Act as if it were this moment "
                                               "(ISO 8601 with offset); default: the wall clock.")] = None,
    config: ConfigOpt = None,
) -> None:
    """One scheduler pass: queue what is due at NOW in every campaign, send the outbox and the
    staff digest when due, exit."""

    moment = parse_now(now)
    application = open_app(config)
    summary = run_tick(application, moment, clock=None if now else utcnow, actor="tick")
    typer.echo(f"tick at {moment.isoformat(timespec='seconds')}: {summary.line()}")
    if summary.fatal:
        left = count_due(application.engine, moment if now else utcnow(), Filter())
        raise RuntimeFailure(f"{summary.fatal}; {left} mail(s) stay queued for the next run")
    if summary.errors:
        raise RuntimeFailure("; ".join(summary.errors))


@app.command()
def preview(
    agency_code: Annotated[str, typer.Argument(metavar="AGENCY_CODE")],
    kind: Annotated[str, typer.Option("--kind", help="dispatch, reminder or overdue.")] = "dispatch",
    seq: Annotated[int, typer.Option("--seq", min=1, help="Which reminder or overdue reminder (1, 2, …).")] = 1,
    out: Annotated[Path | None, typer.Option("--out", help="Write the mail as .eml here.", dir_okay=False)] = None,
    campaign: CampaignOpt = None,
    now: Annotated[str | None, typer.Option("--now", help="Render as of this moment (ISO 8601 with offset).")] = None,
    config: ConfigOpt = None,
) -> None:
    """Show one agency's letter, reminder or overdue reminder exactly as it would leave (subject,
    recipients, text, attachments); nothing is queued or sent."""
    application = open_app(config)
    moment = parse_now(now)
    with application.session() as session:
        c = resolve_campaign(session, campaign)
        try:
            msg = render_preview(session, c, agency_code.strip().upper(), kind, moment,
                                 config_sender(application.config), application.store, seq=seq)
        except KeyError:
            raise NotFound(f"AGENCY_CODE: {agency_code!r} is not enrolled in {c.code}")
        except ValueError as e:
            raise UserError(f"--{e}")
    if out is not None:
        write_private(out, msg.as_bytes())
    body = msg.get_body(("plain",))
    typer.echo(f"Subject: {msg['Subject']}\nTo: {msg['To']}" + (f"\nCc: {msg['Cc']}" if msg["Cc"] else ""))
    for part in msg.iter_attachments():
        typer.echo(f"Attachment: {part.get_filename()} ({len(part.get_content())} bytes)")
    typer.echo("")
    typer.echo(body.get_content() if body is not None else "")
