"""`reportbot outbox list|retry|retry-address`: failed mail and refused addresses, sent again."""
from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table
from sqlmodel import select

from bot.cli.common import ConfigOpt, open_app, outbox_app
from bot.staff.actions import retry_contact, retry_outbox_mail
from db.models import OutboundMail
from db.types import utcnow
from db.vocabulary import OutboxStatus


@outbox_app.command("list")
def outbox_list(
    status: Annotated[OutboxStatus, typer.Option("--status", help="Which rows to show.")] = OutboxStatus.FAILED,
    format: Annotated[str, typer.Option("--format", help="table or json")] = "table",
    config: ConfigOpt = None,
) -> None:
    """Outbox rows in one status (default: failed), with the server's last answer."""
    application = open_app(config)
    with application.session() as s:
        rows = s.exec(select(OutboundMail).where(OutboundMail.status == status).order_by(OutboundMail.id)).all()
        items = [{"id": r.id, "kind": r.kind, "to": list(r.to_addrs or ()), "subject": r.subject,
                  "attempts": r.attempts, "last_error": r.last_error} for r in rows]
    if format == "json":
        typer.echo(json.dumps(items, ensure_ascii=False, indent=2))
        return
    t = Table(title=f"{len(items)} {status} mail(s)")
    for col, kw in (("Id", {}), ("Kind", {}), ("To", {"no_wrap": True}), ("Attempts", {}), ("Last error", {})):
        t.add_column(col, overflow="fold", **kw)
    for i in items:
        t.add_row(str(i["id"]), i["kind"], "\n".join(i["to"]), str(i["attempts"]), i["last_error"])
    Console().print(t)


@outbox_app.command("retry")
def outbox_retry(
    mail_id: Annotated[int, typer.Argument(metavar="MAIL_ID", help="Number from `outbox list`.")],
    config: ConfigOpt = None,
) -> None:
    """Send a failed mail again: it is due at the next tick, with a fresh count of attempts."""
    retry_outbox_mail(open_app(config), mail_id, actor="cli", now=utcnow())
    typer.echo(f"outbox mail #{mail_id} is pending again")


@outbox_app.command("retry-address")
def outbox_retry_address(
    email: Annotated[str, typer.Argument(metavar="EMAIL")],
    config: ConfigOpt = None,
) -> None:
    """Write to an address again that failed or bounced (checked with the agency)."""
    n = retry_contact(open_app(config), email, actor="cli", now=utcnow())
    typer.echo(f"{email}: active again ({n} contact row(s))")
