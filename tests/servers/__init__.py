"""Real servers on loopback for tests and benchmarks: Dovecot IMAP, aiosmtpd SMTP, PostgreSQL.

Each server is a plain class with start()/stop() (also usable as a context manager), so
bench/ scripts can reuse them outside pytest:

    sys.path.insert(0, str(REPO / "tests"))
    from servers import DovecotServer
    with DovecotServer() as imap: ...

A missing server binary raises ServerUnavailable (the pytest fixtures turn it into a skip,
or a failure when CI=true); any other start-up problem raises RuntimeError with the log tail.
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

__all__ = [
    "ServerUnavailable", "free_port", "make_tempdir", "find_binary", "wait_for_port", "unprivileged_user",
    "stop_process", "in_ci", "start_or_skip", "DovecotServer", "MailAccount", "SMTPServer", "ReceivedMessage",
    "PostgresServer",
]

LOOPBACK = "127.0.0.1"


class ServerUnavailable(Exception):
    """The server's binary is not installed on this machine."""


def free_port(host: str = LOOPBACK) -> int:
    """A TCP port that was free a moment ago (the kernel picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def find_binary(name: str, extra_dirs: tuple[str, ...] = ()) -> str:
    """Absolute path of `name`, looking in PATH and then in the sbin folders non-root PATHs lack."""
    search = os.pathsep.join([os.environ.get("PATH", ""), *extra_dirs, "/usr/sbin", "/usr/local/sbin", "/sbin"])
    found = shutil.which(name, path=search)
    if not found:
        raise ServerUnavailable(f"{name} not found (run scripts/install-system-deps)")
    return found


def make_tempdir(prefix: str) -> Path:
    """A private temp folder whose path is short (unix sockets live inside, max 107 bytes) and,
    when we are root, reachable by the unprivileged users the servers drop to."""
    base = tempfile.gettempdir()
    if len(base) > 40 or (os.geteuid() == 0 and not _world_traversable(Path(base))):
        base = "/tmp"
    return Path(tempfile.mkdtemp(prefix=prefix, dir=base))


def _world_traversable(path: Path) -> bool:
    return all(os.stat(p).st_mode & 0o001 for p in [path, *path.parents])


def wait_for_port(host: str, port: int, proc: subprocess.Popen, timeout: float, what: str,
                  log: Path | None = None) -> None:
    """Wait until host:port accepts connections; fail early if `proc` exits."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{what} exited with code {proc.returncode}{log_tail(log)}")
        try:
            with socket.create_connection((host, port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.02)
    raise RuntimeError(f"{what} did not listen on {host}:{port} within {timeout}s{log_tail(log)}")


def log_tail(log: Path | None, lines: int = 30) -> str:
    if log is None or not log.exists():
        return ""
    text = log.read_text(errors="replace").splitlines()[-lines:]
    return "\n--- " + str(log) + " ---\n" + "\n".join(text)


def unprivileged_user(preferred: tuple[str, ...]) -> pwd.struct_passwd | None:
    """When we run as root, the first existing account of `preferred` (else nobody); else None."""
    if os.geteuid() != 0:
        return None
    for name in (*preferred, "nobody"):
        try:
            return pwd.getpwnam(name)
        except KeyError:
            continue
    raise RuntimeError(f"running as root but none of the users {preferred + ('nobody',)} exists")


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in ("true", "1", "yes")


def start_or_skip(server, what: str):
    """start() the server; a missing binary skips the test, or fails it when CI=true."""
    import pytest
    try:
        return server.start()
    except ServerUnavailable as exc:
        if in_ci():
            pytest.fail(f"{what} is required when CI=true: {exc}", pytrace=False)
        pytest.skip(f"{what} unavailable: {exc}")


def stop_process(proc: subprocess.Popen | None, sig_first: int, timeout: float = 10.0) -> None:
    """Send `sig_first`, wait, then SIGKILL: the process we started must be gone afterwards."""
    if proc is None or proc.poll() is not None:
        return
    proc.send_signal(sig_first)
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=timeout)


from .dovecot import DovecotServer, MailAccount  # noqa: E402
from .postgres import PostgresServer  # noqa: E402
from .smtp import ReceivedMessage, SMTPServer  # noqa: E402
