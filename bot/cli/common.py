"""Shared pieces of the command line: the Typer app, the --config option, opening the App."""
from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from bot.app import App
from bot.config import load_config

app = typer.Typer(
    name="reportbot",
    help="Collects official reports by e-mail: dispatch, reminders, intake, digest and export.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
campaign_app = typer.Typer(help="Manage campaigns.", no_args_is_help=True)
agencies_app = typer.Typer(help="Manage the agencies asked to report.", no_args_is_help=True)
quarantine_app = typer.Typer(help="Review mail that could not be trusted or matched.", no_args_is_help=True)
app.add_typer(campaign_app, name="campaign")
app.add_typer(agencies_app, name="agencies")
app.add_typer(quarantine_app, name="quarantine")

ConfigOpt = Annotated[
    Optional[Path],
    typer.Option("--config", help="Config file (default: $REPORTBOT_CONFIG, else ./config.toml, else built-in defaults).",
                 dir_okay=False),
]
CampaignOpt = Annotated[Optional[str], typer.Option("--campaign", help="Campaign code (default: the only one loaded).")]


def open_app(config: Path | None, *, need_schema: bool = True) -> App:
    application = App(load_config(config))
    if need_schema:
        application.require_schema()
    return application
