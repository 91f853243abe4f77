"""`reportbot run`: the long-running service (inbox watcher + scheduler)."""
from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Optional

import typer

from bot.cli.common import ConfigOpt, app, open_app
from bot.cli.status_cmds import parse_now
from bot.core.clock import AcceleratedClock, Clock, SystemClock
from bot.core.errors import UserError
from bot.core.logs import setup_logging
from bot.service.runner import run_service


class LogFormat(StrEnum):
    text = "text"
    json = "json"


def make_clock(now: str | None, speed: float | None) -> Clock:
    """The wall clock, or simulated time from --now at --speed (rehearsals, the demo)."""
    if now is None:
        if speed is not None:
            raise UserError("--speed: only with --now (simulated time needs a starting moment)")
        return SystemClock()
    try:
        return AcceleratedClock(parse_now(now), 1.0 if speed is None else speed)
    except ValueError as e:
        raise UserError(f"--speed: {e}") from None


@app.command()
def run(
    log_format: Annotated[LogFormat, typer.Option("--log-format", help="text (readable) or json (one "
                                                  "object a line).")] = LogFormat.text,
    tick_seconds: Annotated[float, typer.Option("--tick-seconds", min=0.1, help="Real seconds between "
                                                "scheduler ticks.")] = 60.0,
    now: Annotated[Optional[str], typer.Option("--now", help="Run on simulated time starting at this moment "
                                               "(ISO 8601 with offset), e.g. to rehearse a campaign; mail "
                                               "really goes out. Default: the wall clock.")] = None,
    speed: Annotated[Optional[float], typer.Option("--speed", help="With --now: simulated seconds per real "
                                                   "second (default 1).")] = None,
    config: ConfigOpt = None,
) -> None:
    """The long-running service: inbox watcher + scheduler. Stops cleanly on SIGTERM/SIGINT."""
    clock = make_clock(now, speed)
    setup_logging(log_format.value)
    application = open_app(config)
    code = run_service(application, clock, tick_seconds=tick_seconds)
    if code:
        raise typer.Exit(code)
