"""Shared fixtures: real servers on loopback (see tests/servers/).

- `dovecot` (session): a DovecotServer; user `reportbot`/`password` exists; plain IMAP on
  `dovecot.port`, IMAPS on `dovecot.imaps_port`. `imap_account` (per test): a fresh user, so
  tests never see each other's mail. `dovecot.reset(user)` empties a mailbox.
- `smtp_server` (per test): an SMTPServer recording what it receives; `smtp_server_factory(**opts)`
  for STARTTLS/implicit TLS/AUTH/delivery into Dovecot (`deliver_to=dovecot`).
- `pg_server` (session) and `pg_url` (per test): a fresh PostgreSQL database per test.
- `tls_ca` (session): the trustme CA that signs every test server's certificate.
A missing server binary skips the tests that need it, or fails them when CI=true.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from servers import DovecotServer, MailAccount, PostgresServer, SMTPServer, start_or_skip  # noqa: E402


@pytest.fixture(scope="session")
def tls_ca():
    import trustme
    return trustme.CA()


@pytest.fixture(scope="session")
def dovecot(tls_ca):
    server = start_or_skip(DovecotServer(ca=tls_ca), "Dovecot IMAP server")
    yield server
    server.stop()


@pytest.fixture
def imap_account(dovecot) -> MailAccount:
    """A new, empty Dovecot user for this test."""
    return dovecot.add_user()


@pytest.fixture
def smtp_server_factory(tls_ca):
    started: list[SMTPServer] = []

    def make(**options) -> SMTPServer:
        options.setdefault("ca", tls_ca)
        server = SMTPServer(**options).start()
        started.append(server)
        return server

    yield make
    for server in started:
        server.stop()


@pytest.fixture
def smtp_server(smtp_server_factory) -> SMTPServer:
    return smtp_server_factory()


@pytest.fixture(scope="session")
def pg_server():
    server = start_or_skip(PostgresServer(), "PostgreSQL server")
    yield server
    server.stop()


@pytest.fixture
def pg_url(pg_server) -> str:
    """SQLAlchemy URL of a database created for this test (dropped afterwards)."""
    name = pg_server.create_database()
    yield pg_server.url(name)
    pg_server.drop_database(name)


@dataclass
class Result:
    """What an in-process `reportbot` run gave: exit code, stdout, stderr."""
    code: int
    out: str
    err: str

    def json(self):
        return json.loads(self.out)


@pytest.fixture
def cli(capsys, monkeypatch, tmp_path):
    """Run `reportbot ARGS...` in-process (cwd = tmp_path, no $REPORTBOT_CONFIG)."""
    from bot.cli import main

    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("REPORTBOT_CONFIG", raising=False)

    def run(*args) -> Result:
        capsys.readouterr()
        code = main([str(a) for a in args])
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return run
