"""A reportbot installation for the outbox tests: config file, database, the 5422 campaign,
agencies, and a real aiosmtpd server on loopback — driven through the real CLI."""
from __future__ import annotations

import csv
import email
import io
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from email import policy
from pathlib import Path

from sqlmodel import select

from bot.cli import main
from bot.core.app import App
from bot.core.config import load_config
from bot.outbound.outbox import read_body
from db.models import Agency, Campaign, Event, OutboundMail

REPO = Path(__file__).resolve().parents[2]
CAMPAIGN_FILE = REPO / "campaigns" / "5422-BTTTT-CBC.toml"
AGENCIES_FILE = REPO / "campaigns" / "agencies-5422.csv"
HEADER = ["code", "name", "category", "emails", "domains", "contact_name", "phone", "escalation_emails"]


def agency_row(code: str, name: str | None = None, emails: str | None = None, escalation: str = "") -> dict:
    dom = f"{code.lower()}.example"
    return {"code": code, "name": name or f"Sở Thông tin và Truyền thông {code}", "category": "province",
            "emails": emails or f"vanthu@{dom}", "domains": dom, "contact_name": "", "phone": "",
            "escalation_emails": escalation}


def agencies_csv(rows: list[dict]) -> str:
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=HEADER, lineterminator="\n")
    w.writeheader()
    w.writerows(rows)
    return buf.getvalue()


@dataclass
class Result:
    code: int
    out: str
    err: str


@dataclass
class Site:
    folder: Path
    config: Path
    smtp: object  # tests/servers SMTPServer
    run_cli: Callable[..., Result]
    _app: App | None = field(default=None, repr=False)

    def cli(self, *args: str) -> Result:
        return self.run_cli(*args, "--config", str(self.config))

    @property
    def app(self) -> App:
        if self._app is None:
            self._app = App(load_config(self.config))
        return self._app

    def session(self):
        return self.app.session()

    def rows(self, **where) -> list[OutboundMail]:
        with self.session() as s:
            q = select(OutboundMail).order_by(OutboundMail.id)
            for k, v in where.items():
                q = q.where(getattr(OutboundMail, k) == v)
            return list(s.exec(q).all())

    def body(self, row: OutboundMail) -> bytes:
        """The bytes an outbox row sends."""
        with self.session() as s:
            return read_body(s, row.id)

    def events(self, kind: str) -> list[Event]:
        with self.session() as s:
            return list(s.exec(select(Event).where(Event.kind == kind).order_by(Event.id)).all())

    def campaign(self) -> Campaign:
        with self.session() as s:
            return s.exec(select(Campaign)).one()

    def agency(self, code: str) -> Agency:
        with self.session() as s:
            return s.exec(select(Agency).where(Agency.code == code)).one()


def write_config(folder: Path, db_url: str, smtp, **smtp_keys) -> Path:
    keys = {"host": smtp.host, "port": smtp.port, "security": "none", "rate_per_minute": 100000,
            "concurrency": 3, "from": "Cục Báo chí <baocao@example.gov.vn>", **smtp_keys}
    # No staff digest: these tests count the mail sent to agencies (the digest has its own tests).
    lines = ["[database]", f"url = {json.dumps(db_url)}", "[storage]", 'dir = "data"',
             "[staff]", "digest_to = []", "[smtp]"]
    lines += [f"{k} = {json.dumps(v)}" for k, v in keys.items()]
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "config.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def setup_site(folder: Path, smtp, run_cli, *, db_url: str = "sqlite:///data/reportbot.db",
               agencies: list[dict] | None = None, **smtp_keys) -> Site:
    """init + campaign load + agencies import (all 100 agencies of the sample file by default)."""
    config = write_config(folder, db_url, smtp, **smtp_keys)
    site = Site(folder, config, smtp, run_cli)
    if agencies is None:
        agencies_file = AGENCIES_FILE
    else:
        agencies_file = folder / "agencies.csv"
        agencies_file.write_text(agencies_csv(agencies), encoding="utf-8")
    for args in (("init",), ("campaign", "load", str(CAMPAIGN_FILE)), ("agencies", "import", str(agencies_file))):
        r = site.cli(*args)
        assert r.code == 0, r.err
    return site


def parsed(raw: bytes) -> email.message.EmailMessage:
    return email.message_from_bytes(raw, policy=policy.default)


def kinds_by_agency(messages) -> dict[str, list[tuple[str, str]]]:
    """{agency code: [(kind, local date of the Date header)]} from what the server received."""
    from email.utils import parsedate_to_datetime
    from zoneinfo import ZoneInfo

    from bot.outbound.mails import find_token

    out: dict[str, list[tuple[str, str]]] = {}
    for m in messages:
        msg = parsed(m.data)
        code = find_token(str(msg["Subject"]))[1]
        day = parsedate_to_datetime(str(msg["Date"])).astimezone(ZoneInfo("Asia/Ho_Chi_Minh"))
        out.setdefault(code, []).append((str(msg["X-Reportbot-Kind"]), day.strftime("%d/%m")))
    return out


def iso(moment: datetime) -> str:
    return moment.isoformat()


# ---------------------------------------------------------------- fixtures (import them into a test module)
import pytest


@pytest.fixture(name="run_cli")
def run_cli_fixture(capsys, monkeypatch, tmp_path):
    """Run `reportbot ARGS...` in-process; returns exit code, stdout and stderr."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("REPORTBOT_CONFIG", raising=False)

    def run(*args: str) -> Result:
        capsys.readouterr()
        code = main([str(a) for a in args])
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return run


@pytest.fixture(name="make_site")
def make_site_fixture(tmp_path, smtp_server_factory, run_cli):
    """make_site(agencies=[...], smtp=server or None, db_url=..., **smtp keys) -> Site."""
    serial = iter(range(1000))

    def make(*, smtp=None, **kw) -> Site:
        server = smtp or smtp_server_factory()
        return setup_site(tmp_path / f"site{next(serial)}", server, run_cli, **kw)

    return make
