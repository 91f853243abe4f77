"""Fixtures for the foundation tests: a config file per database backend, and a CLI runner."""
from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
CAMPAIGN_FILE = REPO / "campaigns" / "5422-BTTTT-CBC.toml"
AGENCIES_FILE = REPO / "campaigns" / "agencies-5422.csv"




def write_config(folder: Path, db_url: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "config.toml"
    path.write_text(f'[database]\nurl = "{db_url}"\n[storage]\ndir = "data"\n', encoding="utf-8")
    return path


@pytest.fixture(params=["sqlite", "postgresql"])
def config_file(request, tmp_path) -> Path:
    """A config file on SQLite, then on a fresh PostgreSQL database (the fixture cluster)."""
    if request.param == "sqlite":
        return write_config(tmp_path / "site", "sqlite:///data/reportbot.db")
    return write_config(tmp_path / "site", request.getfixturevalue("pg_url"))
