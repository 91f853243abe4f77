"""Fixtures for the console tests: one site built per session (tests/web/site.py), a private copy
and a real uvicorn server per module, one headless Chromium per module.

Chromium and chromedriver come from Debian (scripts/install-system-deps); without them the
browser tests skip, or fail when CI=true (as tests/servers does for missing servers)."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sqlmodel import select

from .site import NOW, Built, Console, Tracker, build, copy_site

PASSWORD = "mat-khau-du-dai-1"
USERS = {"canbo": "officer", "xem": "viewer", "quantri": "admin"}
CHROMIUM = ("/usr/bin/chromium", "/usr/bin/chromium-browser")
CHROMEDRIVER = ("/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver")


@pytest.fixture(scope="session")
def tracker():
    t = Tracker()
    yield t
    t.stop()


def add_users(config: Path) -> dict[str, str]:
    """The accounts, through `reportbot users`; returns a token per user."""
    from bot.core.app import App
    from bot.core.config import load_config
    from bot.web.accounts import add_user, new_token
    from db.types import utcnow

    app = App(load_config(config))
    tokens = {}
    with app.session() as s:
        for name, role in USERS.items():
            add_user(s, name, role, PASSWORD, actor="test", now=utcnow())
            tokens[name] = new_token(s, name, actor="test", now=utcnow())
    app.engine.dispose()
    return tokens


@pytest.fixture(scope="session")
def built(tmp_path_factory, tracker) -> tuple[Built, dict[str, str]]:
    from servers import SMTPServer

    smtp = SMTPServer().start()
    try:
        site = build(tmp_path_factory.mktemp("web") / "site", "sqlite:///data/reportbot.db", smtp, tracker.port)
    finally:
        smtp.stop()
    return site, add_users(site.config)


@pytest.fixture(scope="module")
def site(built, tmp_path_factory) -> Built:
    """This module's own copy of the site (its tests may write)."""
    return copy_site(built[0], tmp_path_factory.mktemp("copy") / "site")


@pytest.fixture(scope="module")
def tokens(built) -> dict[str, str]:
    return built[1]


@pytest.fixture(scope="module")
def console(site):
    server = Console(site.config, NOW).start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def db(console):
    """A session factory on the console's database (reads what the console wrote)."""
    return console.app.session


def _first(paths: tuple[str, ...]) -> str | None:
    return next((p for p in paths if Path(p).exists()), None) or shutil.which(Path(paths[0]).name)


@pytest.fixture(scope="module")
def browser():
    from servers import in_ci

    chromium, driver_path = _first(CHROMIUM), _first(CHROMEDRIVER)
    if not (chromium and driver_path):
        what = "chromium and chromedriver (Debian packages chromium, chromium-driver; scripts/install-system-deps)"
        if in_ci():
            pytest.fail(f"{what} are required when CI=true", pytrace=False)
        pytest.skip(f"{what} not installed")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,900",
                "--lang=vi-VN"):
        options.add_argument(arg)
    options.binary_location = chromium
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(driver_path), options=options)
    driver.set_page_load_timeout(30)
    yield driver
    driver.quit()


def campaign_rows(session_factory, now=NOW) -> list[dict]:
    from bot.staff.status import campaign_status
    from db.models import Campaign

    with session_factory() as s:
        return campaign_status(s, s.exec(select(Campaign)).one(), now)
