"""`reportbot digest` and `reportbot export`: what staff read."""
from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from bot.cli.common import CampaignOpt, ConfigOpt, app, open_app
from bot.cli.status_cmds import NowOpt, parse_now
from bot.core.app import resolve_campaign
from bot.core.errors import RuntimeFailure, UserError
from bot.outbound.mails import config_sender
from bot.staff.digest import build_digest_message, make_digest, send_digest, write_digest_files
from bot.staff.export import write_export


@app.command()
def digest(
    campaign: CampaignOpt = None,
    send: Annotated[bool, typer.Option("--send", help="Queue the digest to staff.digest_to (once a day).")] = False,
    out: Annotated[Optional[Path], typer.Option(
        "--out", help="Write the digest as HTML to FILE, with FILE's .txt, .xlsx and .png beside it; "
                      "sends nothing.", dir_okay=False)] = None,
    now: NowOpt = None,
    config: ConfigOpt = None,
) -> None:
    """Build the staff digest: queue it (--send), write it to files (--out FILE), or print its text."""
    if send and out:
        raise UserError("--send and --out: choose one")
    moment = parse_now(now)
    application = open_app(config)
    sender, to = config_sender(application.config), application.config.staff.digest_to
    if send and not to:
        raise UserError("staff.digest_to: no address to send the digest to")
    with application.session() as session:
        c = resolve_campaign(session, campaign)
        if send:
            planned = send_digest(session, c, now=moment, sender=sender, to=to, actor="cli")
            typer.echo(f"digest queued for {len(to)} recipient(s): {planned.message_id}" if planned
                       else "today's digest is already queued; nothing done")
            return
        built = make_digest(session, c, now=moment)
    if out is None:

        msg = build_digest_message(c, built, sender=sender, to=to or ["staff@invalid.example"], now=moment)
        typer.echo(msg.get_body(("plain",)).get_content(), nl=False)
        return
    try:
        paths = write_digest_files(c, built, out, sender=sender, to=to or ["staff@invalid.example"], now=moment)
    except ValueError as e:
        raise UserError(f"--out: {e}") from None
    except OSError as e:
        raise RuntimeFailure(f"--out: cannot write {e.filename}: {e.strerror}") from None
    for p in paths:
        typer.echo(str(p))


@app.command()
def export(
    out: Annotated[Path, typer.Option("--out", help="Folder to write the DOCX and XLSX into.", file_okay=False)],
    campaign: CampaignOpt = None,
    now: NowOpt = None,
    config: ConfigOpt = None,
) -> None:
    """Write the consolidated DOCX and XLSX of the collected reports."""
    moment = parse_now(now)
    application = open_app(config)
    with application.session() as session:
        c = resolve_campaign(session, campaign)
        try:
            paths = write_export(session, c, moment, out)
        except OSError as e:
            raise RuntimeFailure(f"--out: cannot write {e.filename or out}: {e.strerror}") from None
    for p in paths:
        typer.echo(str(p))
