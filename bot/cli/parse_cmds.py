"""`reportbot parse`: files into the outline, no database needed."""
from __future__ import annotations

import json
from enum import StrEnum
from importlib import resources
from pathlib import Path
from typing import Annotated, Optional

import typer

from bot.campaigns.campaign_file import parse_campaign_text, read_campaign_file
from bot.campaigns.campaign_load import campaign_outline
from bot.cli.common import CampaignOpt, ConfigOpt, app, open_app
from bot.core.app import resolve_campaign
from bot.core.errors import UserError
from parsers import format_text
from parsers.model import Outline
from parsers.sandbox import run_parse

DEFAULT_CAMPAIGN = "5422-BTTTT-CBC.toml"


class ParseFormat(StrEnum):
    json = "json"
    text = "text"


def default_outline() -> Outline:
    """The 5422 campaign's outline, shipped with the package."""
    text = resources.files("campaigns").joinpath(DEFAULT_CAMPAIGN).read_text(encoding="utf-8")
    return parse_campaign_text(text, DEFAULT_CAMPAIGN).to_outline()


def _outline(campaign: str | None, outline_file: Path | None, config: Path | None) -> Outline:
    if campaign and outline_file:
        raise UserError("--campaign and --outline: give one, not both")
    if outline_file:
        return read_campaign_file(outline_file).to_outline()
    if campaign:

        application = open_app(config)
        with application.session() as session:
            return campaign_outline(resolve_campaign(session, campaign))
    return default_outline()


def parse_one(path: Path, outline: Outline) -> dict:
    """The contract dict; the parse runs in the sandbox (time and memory limits)."""

    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise UserError(f"{path}: file not found") from None
    except IsADirectoryError:
        raise UserError(f"{path}: is a folder, not a file") from None
    except OSError as e:
        raise UserError(f"{path}: cannot read: {e.strerror}") from None
    return run_parse(data, path.name, outline)


@app.command()
def parse(
    files: Annotated[list[Path], typer.Argument(help="Report files (DOCX, PDF, DOC, ODT, RTF, images, text).")],
    campaign: CampaignOpt = None,
    outline: Annotated[Optional[Path], typer.Option("--outline", help="Campaign file whose outline to use.")] = None,
    format: Annotated[ParseFormat, typer.Option("--format", help="Output format.")] = ParseFormat.json,
    config: ConfigOpt = None,
) -> None:
    """Parse report files into the outline (default outline: the 5422 campaign's)."""

    chosen = _outline(campaign, outline, config)
    for f in files:  # fail on a missing file before any output
        if not f.is_file():
            raise UserError(f"{f}: file not found" if not f.exists() else f"{f}: not a regular file")
    reports = [parse_one(f, chosen) for f in files]
    if format is ParseFormat.text:
        typer.echo("\n\n".join(format_text(r) for r in reports))
        return
    typer.echo(json.dumps(reports[0] if len(reports) == 1 else reports, ensure_ascii=False, indent=2))
