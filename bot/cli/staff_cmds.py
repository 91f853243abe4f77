"""`reportbot agencies exempt|submit|contact`: what staff record and change by hand."""
from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional
from zoneinfo import ZoneInfo

import typer

from bot.cli.common import CampaignOpt, ConfigOpt, agencies_app, open_app, parse_moment, read_input_file
from bot.cli.status_cmds import NowOpt, parse_now
from bot.core.app import resolve_campaign
from bot.core.errors import UserError
from bot.staff.actions import HandedFile, parse_handed, record_handed_report, set_exempt
from bot.staff.contacts import change_contacts

CodeArg = Annotated[str, typer.Argument(metavar="AGENCY_CODE", help="The agency's code (agencies file).")]


@agencies_app.command("exempt")
def agencies_exempt(
    code: CodeArg,
    reason: Annotated[Optional[str], typer.Option("--reason", help="Why it need not report (shown to staff).")] = None,
    undo: Annotated[bool, typer.Option("--undo", help="Put the agency back on the list.")] = False,
    campaign: CampaignOpt = None,
    now: NowOpt = None,
    config: ConfigOpt = None,
) -> None:
    """Take an agency off the campaign's list (no more reminders; not counted as missing), or --undo."""
    if undo == (reason is not None):
        raise UserError("give --reason TEXT to exempt the agency, or --undo to put it back (one of them)")
    application = open_app(config)
    with application.session() as session:
        c = resolve_campaign(session, campaign)
        changed = set_exempt(session, c, code, None if undo else reason, now=parse_now(now))
    what = "put back on the list" if undo else "exempt"
    typer.echo(f"{code.upper()}: {what} in {c.code}" if changed else f"{code.upper()}: already {what}; nothing done")


@agencies_app.command("submit")
def agencies_submit(
    code: CodeArg,
    files: Annotated[list[Path], typer.Argument(metavar="FILE...", help="The report's files (DOCX, PDF, scans…).",
                                                dir_okay=False)],
    received: Annotated[Optional[str], typer.Option(
        "--received", help="When it reached the department: a date (2024-12-28) or an ISO 8601 date-time "
                           "with offset; default now. Decides on time or late.")] = None,
    campaign: CampaignOpt = None,
    now: NowOpt = None,
    config: ConfigOpt = None,
) -> None:
    """Record a report that came by another road (post, document system): parsed like a mailed one, its
    files stored; reminders stop and it is in the digest and export. No acknowledgement is sent."""
    handed = [HandedFile(f.name, read_input_file(f)) for f in files]
    moment = parse_now(now)
    application = open_app(config)
    with application.session() as session:
        c = resolve_campaign(session, campaign)
        received_at = parse_moment(received, "--received", day_tz=c.timezone) if received else moment
    merged, results = parse_handed(c, handed)  # sandboxed parses: outside any transaction
    with application.session() as session:
        c = resolve_campaign(session, campaign)
        sub = record_handed_report(session, c, code, handed, merged, results, received_at=received_at,
                                   now=moment, store=application.store)
        line = (f"{code.upper()}: version {sub.version} recorded, received "
                f"{received_at.astimezone(ZoneInfo(c.timezone)):%d/%m/%Y %H:%M} "
                f"({'on time' if sub.on_time else 'late'}); completeness {sub.completeness:.0%}"
                + (f"; missing {', '.join(sub.missing)}" if sub.missing else ""))
    typer.echo(line)


@agencies_app.command("contact")
def agencies_contact(
    code: CodeArg,
    add: Annotated[Optional[list[str]], typer.Option("--add", metavar="EMAIL",
                                                     help="Add this address (repeatable).")] = None,
    remove: Annotated[Optional[list[str]], typer.Option("--remove", metavar="EMAIL",
                                                        help="Remove this address (repeatable).")] = None,
    replace: Annotated[Optional[tuple[str, str]], typer.Option(
        "--replace", metavar="OLD NEW", help="Replace one address by another.")] = None,
    role: Annotated[str, typer.Option("--role", help="primary (letters and reminders) or escalation (copied "
                                                      "on late overdue reminders).")] = "primary",
    now: NowOpt = None,
    config: ConfigOpt = None,
) -> None:
    """Change an agency's addresses. A new address of an agency whose letter never reached a live
    address gets the letter (same attachments) at the next tick, once."""
    adding, removing = list(add or ()), list(remove or ())
    if replace:
        removing.append(replace[0])
        adding.append(replace[1])
    application = open_app(config)
    with application.session() as session:
        change = change_contacts(session, code, add=adding, remove=removing, role=role, actor="cli",
                                 now=parse_now(now))
    parts = [f"added {', '.join(change.added)}"] if change.added else []
    parts += [f"removed {', '.join(change.removed)}"] if change.removed else []
    typer.echo(f"{change.agency}: {'; '.join(parts)}; mail goes to {', '.join(change.live) or 'no address'}")
