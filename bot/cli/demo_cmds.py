"""`reportbot demo`: the whole job on loopback servers with simulated agencies (bot/demo)."""
from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from bot.cli.common import ConfigOpt, app
from bot.core.errors import UserError
from bot.demo import DEFAULT_SPEED
from bot.demo.runner import Demo, print_outcome


@app.command()
def demo(
    dir: Annotated[Path, typer.Option("--dir", help="Folder for the demo's config, database, mail and "
                                      "outputs; wiped when an earlier demo made it.", file_okay=False)] = Path("var/demo"),
    speed: Annotated[float, typer.Option("--speed", help="Simulated seconds per real second "
                                         "(24000: the three weeks in about 80 s).")] = DEFAULT_SPEED,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the simulated agencies' behaviour.")] = 5422,
    config: ConfigOpt = None,
) -> None:
    """Play letter 5422/BTTTT-CBC from 19/12/2024 to 10/01/2025 on loopback IMAP and SMTP servers with
    simulated agencies; print the status, write the digest and export; exit 1 if an invariant broke.

    The demo writes its own config.toml in --dir (--config is not used)."""

    if speed < 100 or speed > 1_000_000:
        raise UserError(f"--speed: expected 100 to 1000000 simulated seconds per second, got {speed:g}")
    console = Console()
    result = Demo(dir, speed=speed, seed=seed, console=console).run()
    print_outcome(console, result)
    if result.exit_code:
        raise typer.Exit(result.exit_code)
