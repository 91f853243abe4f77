"""Fixtures: the scenario database (built once, copied for tests that write), a CLI runner."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sqlmodel import Session, select

from db.engine import make_engine
from db.models import Campaign

from .scenario import make_database

SENDER = "Cục Báo chí <baocao@example.gov.vn>"
STAFF = "staff@example.gov.vn"


@pytest.fixture(scope="session")
def scenario_file(tmp_path_factory) -> Path:
    """The scenario in an SQLite file, built once; tests never write to it."""
    folder = tmp_path_factory.mktemp("scenario")
    engine = make_database(f"sqlite:///{folder / 'reportbot.db'}", folder / "store")
    engine.dispose()  # checkpoints the WAL: the file alone is the database
    return folder / "reportbot.db"


@pytest.fixture(scope="session")
def engine(scenario_file):
    eng = make_engine(f"sqlite:///{scenario_file}")
    yield eng
    eng.dispose()


@pytest.fixture
def session(engine):
    with Session(engine, expire_on_commit=False) as s:
        yield s
        s.rollback()


@pytest.fixture
def campaign(session) -> Campaign:
    return session.exec(select(Campaign)).one()


@pytest.fixture
def site(tmp_path, scenario_file) -> Path:
    """A config file over a private copy of the scenario database (tests may write)."""
    folder = tmp_path / "site"
    (folder / "data").mkdir(parents=True)
    shutil.copy(scenario_file, folder / "data" / "reportbot.db")
    return write_config(folder, "sqlite:///data/reportbot.db")


def write_config(folder: Path, db_url: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "config.toml"
    path.write_text(f'[database]\nurl = "{db_url}"\n[storage]\ndir = "data"\n'
                    f'[smtp]\nfrom = "{SENDER}"\n[staff]\ndigest_to = ["{STAFF}"]\n', encoding="utf-8")
    return path


