"""Data shapes shared by the parsers and the rest of reportbot.

Pure data: no I/O. The campaign loader (bot/campaigns/campaign_load.py) builds an `Outline`
from a campaign file; parsers take it and return a report.
"""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class OutlineNode:
    """One item of a report outline, e.g. id "III.3", title "Hạn chế và nguyên nhân"."""

    id: str
    title: str
    required: bool = True
    aliases: tuple[str, ...] = ()
    metrics: tuple[str, ...] = ()
    description: str = ""

    @property
    def depth(self) -> int:
        """0 for a top-level section ("I"), 1 for "I.1", and so on."""
        return self.id.count(".")

    @property
    def parent_id(self) -> str | None:
        return self.id.rsplit(".", 1)[0] if "." in self.id else None


@dataclass(frozen=True)
class Outline:
    """The ordered outline of a campaign (its code names it in parse output)."""

    code: str
    nodes: tuple[OutlineNode, ...] = field(default_factory=tuple)
    # The year the reports account for (the campaign's: its deadline's year); a table's
    # figures are read from this year's column. None: the latest year a table shows.
    year: int | None = None

    def node(self, node_id: str) -> OutlineNode:
        for n in self.nodes:
            if n.id == node_id:
                return n
        raise KeyError(node_id)

    def children(self, node_id: str | None) -> list[OutlineNode]:
        return [n for n in self.nodes if n.parent_id == node_id]
