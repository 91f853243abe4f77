"""Commands of the contract whose capability has not landed yet: a clear error, not a silent no-op."""
from __future__ import annotations

from bot.cli.common import ConfigOpt, app
from bot.errors import RuntimeFailure


def _unavailable(name: str) -> None:
    raise RuntimeFailure(f"`reportbot {name}` is not available yet in this version")
