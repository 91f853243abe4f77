"""Access to the shared real-world corpus (<repo>/../shared/corpus); tests skip without it."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from bot.intake.headers import parse_message

CORPUS = Path(__file__).resolve().parents[2] / ".." / "shared" / "corpus"
EMAIL = CORPUS / "email"


def require_corpus() -> None:
    if not EMAIL.is_dir():
        pytest.skip("shared corpus not present")


def files(folder: str) -> list[Path]:
    require_corpus()
    return sorted(p for p in (EMAIL / folder).iterdir() if p.is_file())


def load(path: Path):
    return parse_message(path.read_bytes())


def manifest_notes() -> dict[str, str]:
    """local_path -> note, from MANIFEST.tsv."""
    require_corpus()
    with open(CORPUS / "MANIFEST.tsv", encoding="utf-8", newline="") as fh:
        return {row["local_path"]: row.get("note") or "" for row in csv.DictReader(fh, delimiter="\t")}
