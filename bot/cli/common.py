"""Shared pieces of the command line: the Typer app, the --config option, opening the App."""
from __future__ import annotations

from datetime import date, datetime, time
from pathlib import Path
from typing import Annotated, Optional
from zoneinfo import ZoneInfo

import typer

from bot.core.app import App
from bot.core.config import load_config
from bot.core.errors import UserError

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
outbox_app = typer.Typer(help="Mail that could not be delivered: list it, send it again.", no_args_is_help=True)
app.add_typer(quarantine_app, name="quarantine")
app.add_typer(outbox_app, name="outbox")

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


def read_input_file(file: Path) -> bytes:
    """A file named on the command line, or one clear line (exit 2) saying why not."""
    try:
        return file.read_bytes()
    except FileNotFoundError:
        raise UserError(f"{file}: file not found") from None
    except OSError as e:
        raise UserError(f"{file}: cannot read: {e.strerror}") from None


def parse_moment(value: str, option: str, *, day_tz: str | None = None) -> datetime:
    """An ISO 8601 date-time with its UTC offset; with `day_tz`, a bare date (2024-12-28) too,
    taken as the start of that day there."""
    try:
        if day_tz and len(value) == 10:
            return datetime.combine(date.fromisoformat(value), time(0), tzinfo=ZoneInfo(day_tz))
        t = datetime.fromisoformat(value)
    except ValueError:
        kind = "a date (2024-12-28) or an ISO 8601 date-time" if day_tz else "an ISO 8601 date-time"
        raise UserError(f"{option}: expected {kind}, got {value!r}") from None
    if t.tzinfo is None:
        raise UserError(f"{option}: {value!r} has no UTC offset (e.g. 2024-12-25T08:00:00+07:00)")
    return t
