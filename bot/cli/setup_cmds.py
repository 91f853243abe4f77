"""Commands that set things up: init, campaign load, agencies import."""
from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from sqlmodel import select

from bot.campaigns.agencies_file import read_agencies
from bot.campaigns.agency_load import import_agencies
from bot.campaigns.campaign_load import load_campaign
from bot.cli.common import CampaignOpt, ConfigOpt, agencies_app, app, campaign_app, open_app, read_input_file
from bot.core.app import resolve_campaign
from db.engine import migrate
from db.models import Campaign


@app.command()
def init(config: ConfigOpt = None) -> None:
    """Create or migrate the database and create the storage folders."""
    application = open_app(config, need_schema=False)
    application.prepare_storage()
    before, after = migrate(application.engine)
    if before == after:
        typer.echo(f"database is up to date (schema {after})")
    else:
        typer.echo(f"database {'created' if before is None else 'upgraded'} (schema {after})")
    typer.echo(f"storage: {application.config.storage_dir}")


@campaign_app.command("load")
def campaign_load(
    file: Annotated[Path, typer.Argument(help="Campaign file (TOML).", dir_okay=False)],
    config: ConfigOpt = None,
) -> None:
    """Create or update a campaign from a campaign file; prints its code."""
    application = open_app(config)
    with application.session() as session:
        result = load_campaign(session, file, application.store)
    typer.echo(result.code)


@agencies_app.command("import")
def agencies_import(
    file: Annotated[Path, typer.Argument(help="Agencies file: CSV (UTF-8) or XLSX.", dir_okay=False)],
    campaign: CampaignOpt = None,
    config: ConfigOpt = None,
) -> None:
    """Import agencies (idempotent: re-import updates, never duplicates) and enrol them in the campaign."""
    rows = read_agencies(read_input_file(file), str(file))
    application = open_app(config)
    with application.session() as session:
        target = None
        if campaign or session.exec(select(Campaign.id)).first() is not None:
            target = resolve_campaign(session, campaign)
        s = import_agencies(session, rows, target)
    typer.echo(f"{len(rows)} agencies: {s.created} created, {s.updated} updated, {s.unchanged} unchanged"
               + (f"; {s.enrolled} enrolled in {target.code}" if target else "; no campaign loaded, none enrolled"))
