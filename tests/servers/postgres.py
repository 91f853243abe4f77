"""A throwaway PostgreSQL cluster: initdb into a temporary folder, one postgres process on loopback.

Trust authentication for the superuser `user` on 127.0.0.1 and on a unix socket in the temp
folder; durability is switched off (fsync, synchronous_commit) because nothing here outlives the
run. PostgreSQL refuses to run as root, so as root the cluster runs as `postgres` (or `nobody`).
`create_database()` gives each test its own database; `url(db)` is a SQLAlchemy URL.
"""

from __future__ import annotations

import glob
import itertools
import os
import re
import shutil
import signal
import subprocess
import time
from pathlib import Path

from . import (
    LOOPBACK,
    ServerUnavailable,
    free_port,
    log_tail,
    make_tempdir,
    stop_process,
    unprivileged_user,
    wait_for_port,
)

_SETTINGS = {
    "fsync": "off", "synchronous_commit": "off", "full_page_writes": "off",
    "shared_buffers": "32MB", "max_connections": "100", "logging_collector": "off",
}


def find_pg_bindir() -> Path:
    """Folder holding initdb/postgres: pg_config's, else the newest /usr/lib/postgresql/N/bin."""
    candidates = []
    pg_config = shutil.which("pg_config")
    if pg_config:
        out = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True)
        candidates.append(out.stdout.strip())
    versions = glob.glob("/usr/lib/postgresql/*/bin")
    candidates += sorted(versions, key=lambda p: int(re.sub(r"\D", "", p) or 0), reverse=True)
    initdb = shutil.which("initdb")
    if initdb:
        candidates.append(str(Path(initdb).parent))
    for c in candidates:
        if c and (Path(c) / "initdb").exists() and (Path(c) / "postgres").exists():
            return Path(c)
    raise ServerUnavailable("PostgreSQL server binaries (initdb, postgres) not found "
                            "(run scripts/install-system-deps)")


class PostgresServer:
    def __init__(self, *, user: str = "reportbot", start_timeout: float = 60.0) -> None:
        self.host = LOOPBACK
        self.port = 0
        self.user = user
        self.root: Path | None = None
        self._start_timeout = start_timeout
        self._proc: subprocess.Popen | None = None
        self._os_user = unprivileged_user(("postgres",))
        self._serial = itertools.count(1)

    # -- lifecycle -------------------------------------------------------------------------
    def start(self) -> PostgresServer:
        bindir = find_pg_bindir()
        self.root = make_tempdir("reportbot-pg-")
        try:
            self._initdb(bindir)
            self._launch(bindir)
        except BaseException:
            self.stop()
            raise
        return self

    def _as_user(self) -> dict:
        """subprocess arguments that run a command as the cluster's OS user."""
        if self._os_user is None:
            return {}
        return dict(user=self._os_user.pw_uid, group=self._os_user.pw_gid, extra_groups=[])

    def _initdb(self, bindir: Path) -> None:
        (self.root / "sock").mkdir()
        if self._os_user is not None:
            os.chmod(self.root, 0o755)
            for path in (self.root, self.root / "sock"):
                os.chown(path, self._os_user.pw_uid, self._os_user.pw_gid)
        cmd = [str(bindir / "initdb"), "-D", str(self.root / "data"), "-U", self.user, "-A", "trust",
               "-E", "UTF8", "--no-locale", "--no-sync", "--no-instructions"]
        out = subprocess.run(cmd, cwd=self.root, capture_output=True, text=True, **self._as_user())
        if out.returncode != 0:
            raise RuntimeError(f"initdb failed ({out.returncode}):\n{out.stdout}\n{out.stderr}")

    def _launch(self, bindir: Path, attempts: int = 3) -> None:
        log = self.root / "postgres.log"
        for attempt in range(attempts):
            self.port = free_port()
            cmd = [str(bindir / "postgres"), "-D", str(self.root / "data"), "-p", str(self.port),
                   "-h", self.host, "-k", str(self.root / "sock")]
            for key, value in _SETTINGS.items():
                cmd += ["-c", f"{key}={value}"]
            with open(log, "ab") as out:
                self._proc = subprocess.Popen(cmd, cwd=self.root, stdin=subprocess.DEVNULL, stdout=out,
                                              stderr=subprocess.STDOUT, **self._as_user())
            try:
                wait_for_port(self.host, self.port, self._proc, self._start_timeout, "postgres", log)
                self._wait_ready(log)
                return
            except RuntimeError:
                stop_process(self._proc, signal.SIGINT)
                if attempt == attempts - 1 or "already in use" not in log.read_text(errors="replace"):
                    raise

    def _wait_ready(self, log: Path) -> None:
        import psycopg
        deadline = time.monotonic() + self._start_timeout
        while True:
            try:
                psycopg.connect(self.dsn("postgres"), connect_timeout=2).close()
                return
            except psycopg.OperationalError as exc:
                if time.monotonic() > deadline or self._proc.poll() is not None:
                    raise RuntimeError(f"postgres not ready: {exc}{log_tail(log)}") from exc
                time.sleep(0.05)

    def stop(self) -> None:
        stop_process(self._proc, signal.SIGINT)     # SIGINT = "fast" shutdown
        self._proc = None
        if self.root is not None:
            shutil.rmtree(self.root, ignore_errors=True)
            self.root = None

    def __enter__(self) -> PostgresServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # -- databases -------------------------------------------------------------------------
    def dsn(self, dbname: str) -> str:
        """A libpq/psycopg connection string."""
        return f"host={self.host} port={self.port} user={self.user} dbname={dbname}"

    def url(self, dbname: str) -> str:
        """A SQLAlchemy URL using psycopg 3."""
        return f"postgresql+psycopg://{self.user}@{self.host}:{self.port}/{dbname}"

    def create_database(self, name: str | None = None) -> str:
        name = name or f"test_{os.getpid()}_{next(self._serial)}"
        if not re.fullmatch(r"[a-z_][a-z0-9_]*", name):
            raise ValueError(f"unsupported database name {name!r}")
        self._admin(f'CREATE DATABASE "{name}"')
        return name

    def drop_database(self, name: str) -> None:
        self._admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def _admin(self, sql: str) -> None:
        import psycopg
        with psycopg.connect(self.dsn("postgres"), autocommit=True) as conn:
            conn.execute(sql)
