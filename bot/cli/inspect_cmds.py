"""`reportbot inspect`: what the intake makes of raw mails (no database, no network)."""
from __future__ import annotations

import json
from email.utils import parseaddr
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from bot.cli.common import ConfigOpt, app
from bot.core.config import load_config
from bot.core.errors import UserError
from bot.intake.inspection import inspect_mail


class InspectFormat(StrEnum):
    json = "json"
    text = "text"


@app.command()
def inspect(
    files: Annotated[list[Path], typer.Argument(metavar="FILE...", help="Raw mails (.eml), as the inbox receives them.")],
    format: Annotated[InspectFormat, typer.Option("--format", help="Output format.")] = InspectFormat.json,
    config: ConfigOpt = None,
) -> None:
    """Show how the intake reads raw mails: kind, whether it may be answered, failed recipients."""
    cfg = load_config(config)
    own = parseaddr(cfg.smtp.from_)[1].lower()
    results = []
    for path in files:
        try:
            raw = path.read_bytes()
        except OSError as exc:
            raise UserError(f"{path}: cannot read ({exc.strerror or exc})") from None
        results.append(inspect_mail(raw, source=path.name, own_addresses={own} if own else set(),
                                    own_message_id_domain=own.rpartition("@")[2] or None))
    if format is InspectFormat.json:
        typer.echo(json.dumps(results[0] if len(results) == 1 else results, ensure_ascii=False, indent=2))
        return
    for r in results:
        typer.echo(f"{r['source']}: {r['kind']} ({r['reason']})" + ("" if r["may_acknowledge"] else ", never answered"))
        for rc in (r["bounce"] or {}).get("recipients", []):
            verdict = "permanent" if rc["permanent"] else "temporary"
            typer.echo(f"  {rc['address']}: {rc['action']} {rc['status'] or '-'} {verdict}")
        for mid in (r["bounce"] or {}).get("returned_message_ids", []):
            typer.echo(f"  returned {mid}")
