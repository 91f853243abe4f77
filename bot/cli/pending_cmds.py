"""Commands of the contract whose capability has not landed yet: a clear error, not a silent no-op."""
from __future__ import annotations

from typing import Annotated, Optional

import typer

from bot.cli.common import CampaignOpt, ConfigOpt, app, quarantine_app
from bot.errors import RuntimeFailure


def _unavailable(name: str) -> None:
    raise RuntimeFailure(f"`reportbot {name}` is not available yet in this version")


@app.command()
def dispatch(campaign: CampaignOpt = None, dry_run: Annotated[bool, typer.Option("--dry-run")] = False,
             config: ConfigOpt = None) -> None:
    """Send the letter to every agency not yet sent."""
    _unavailable("dispatch")


@app.command()
def poll(campaign: CampaignOpt = None, config: ConfigOpt = None) -> None:
    """One intake pass: fetch new mail, process it, exit."""
    _unavailable("poll")


@app.command()
def run(config: ConfigOpt = None) -> None:
    """The long-running service (inbox watcher + scheduler)."""
    _unavailable("run")


@app.command()
def tick(now: Annotated[Optional[str], typer.Option("--now")] = None, config: ConfigOpt = None) -> None:
    """One scheduler pass: send what is due at NOW, then exit."""
    _unavailable("tick")


@app.command()
def demo(config: ConfigOpt = None) -> None:
    """The whole job on the embedded default with simulated agencies."""
    _unavailable("demo")


@quarantine_app.command("list")
def quarantine_list(config: ConfigOpt = None) -> None:
    """List quarantined mail."""
    _unavailable("quarantine list")
