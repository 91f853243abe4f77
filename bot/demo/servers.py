"""The demo's mail system on loopback: an IMAP server (pymap, in memory) holding reportbot's
inbox, and an SMTP server (aiosmtpd) that routes what it accepts.

Routing (`MailSystem.accept`): mail for the inbox address is APPENDed into the IMAP INBOX
with the simulated arrival time as INTERNALDATE, under Return-Path and Received lines as a
real delivery adds them; mail for anyone else goes to `outside` (the simulated agencies,
staff). Addresses in `reject` get 550 at RCPT, as a server that knows no such user answers.

pymap's in-memory ("dict") backend is used, not its maildir one: a UID MOVE round trip in
maildir was seen to duplicate messages (tests/demo checks what the demo relies on).
"""
from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import secrets
import socket
import threading
from argparse import Namespace
from collections.abc import Callable, Iterable
from contextlib import AsyncExitStack
from datetime import datetime
from email.utils import format_datetime

from aiosmtpd.controller import Controller
from imapclient import IMAPClient

LOOPBACK = "127.0.0.1"
log = logging.getLogger(__name__)


def free_port() -> int:
    with socket.socket() as s:
        s.bind((LOOPBACK, 0))
        return s.getsockname()[1]


def _nodelay(client: IMAPClient) -> IMAPClient:
    # Without it every APPEND literal waits ~40 ms on delayed ACKs.
    client.socket().setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return client


class ImapServer:
    """pymap with one user, in memory, in a thread of its own."""

    def __init__(self, username: str = "baocao") -> None:
        self.host, self.port = LOOPBACK, 0
        self.username, self.password = username, secrets.token_urlsafe(18)
        self._ready = threading.Event()
        self._error: BaseException | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._thread: threading.Thread | None = None
        self._client: IMAPClient | None = None
        self._lock = threading.Lock()

    def start(self, timeout: float = 20.0) -> ImapServer:
        os.environ.setdefault("FQDN", "imap.demo.invalid")  # pymap's greeting; skips a DNS lookup
        logging.getLogger("pymap").setLevel(logging.WARNING)
        self.port = free_port()
        self._thread = threading.Thread(target=self._run, name="demo-imap", daemon=True)
        self._thread.start()
        if not self._ready.wait(timeout) or self._error:
            raise RuntimeError(f"the demo IMAP server did not start: {self._error!r}")
        return self

    def _run(self) -> None:
        try:
            asyncio.run(self._serve())
        except BaseException as e:  # noqa: BLE001 - reported to start()
            self._error = e
            self._ready.set()

    async def _serve(self) -> None:
        from pymap.backend.dict import DictBackend  # noqa: PLC0415 - heavy; loaded only when this runs
        from pymap.imap import IMAPService  # noqa: PLC0415 - heavy; loaded only when this runs

        self._loop, self._stop = asyncio.get_running_loop(), asyncio.Event()
        args = Namespace(host=self.host, port=self.port, debug=False, cert=None, key=None, tls=False,
                         passlib_cfg=None, proxy_protocol=None, inherited_sockets=None,
                         demo_data=False, demo_user=self.username, demo_password=self.password)
        backend, config = await DictBackend.init(args, invalid_user_sleep=0.0)
        config.apply_context()
        async with AsyncExitStack() as stack:
            await backend.start(stack)
            await IMAPService(backend, config).start(stack)
            self._ready.set()
            await self._stop.wait()

    def stop(self) -> None:
        with self._lock:
            if self._client is not None:
                with contextlib.suppress(Exception):  # the server may be gone already
                    self._client.logout()
                self._client = None
        if self._loop is not None and self._stop is not None:
            self._loop.call_soon_threadsafe(self._stop.set)
        if self._thread is not None:
            self._thread.join(10)

    def client(self) -> IMAPClient:
        c = IMAPClient(self.host, port=self.port, ssl=False, timeout=30)
        c.login(self.username, self.password)
        return _nodelay(c)

    def deliver(self, raw: bytes, when: datetime, folder: str = "INBOX") -> None:
        """APPEND with INTERNALDATE `when` (the moment the message reached the server)."""
        with self._lock:
            if self._client is None:
                self._client = self.client()
            self._client.append(folder, raw, msg_time=when)

    def count(self, folder: str = "INBOX") -> int:
        with self._lock:
            if self._client is None:
                self._client = self.client()
            if not self._client.folder_exists(folder):
                return 0
            return int(self._client.folder_status(folder, [b"MESSAGES"])[b"MESSAGES"])


class MailSystem:
    """What the SMTP server does with a message: the inbox, or the world outside."""

    def __init__(self, clock: Callable[[], datetime], inbox: str, imap: ImapServer,
                 outside: Callable[[str, tuple[str, ...], bytes, datetime], None],
                 reject: Iterable[str] = (), hostname: str = "mx.demo.invalid") -> None:
        self.clock, self.inbox, self.imap, self.outside = clock, inbox.lower(), imap, outside
        self.reject = {a.lower() for a in reject}
        self.hostname = hostname
        self.delivered = 0

    def refuses(self, rcpt: str) -> str | None:
        if rcpt.lower() in self.reject:
            return f"550 5.1.1 <{rcpt}>: Recipient address rejected: User unknown in virtual mailbox table"
        return None

    def accept(self, mail_from: str, rcpts: tuple[str, ...], data: bytes, peer: str = LOOPBACK) -> None:
        when = self.clock()
        mine = [r for r in rcpts if r.lower() == self.inbox]
        others = tuple(r for r in rcpts if r.lower() != self.inbox)
        if mine:
            trace = (f"Return-Path: <{mail_from}>\r\nReceived: from [{peer}] by {self.hostname} with ESMTP; "
                     f"{format_datetime(when)}\r\n").encode()
            self.imap.deliver(trace + data, when)
            self.delivered += 1
        if others:
            self.outside(mail_from, others, data, when)


class _Handler:
    def __init__(self, system: MailSystem) -> None:
        self.system = system

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        refused = self.system.refuses(address)
        if refused:
            return refused
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        data = bytes(envelope.original_content or envelope.content)
        try:
            await asyncio.get_running_loop().run_in_executor(
                None, self.system.accept, envelope.mail_from or "", tuple(envelope.rcpt_tos), data,
                session.peer[0] if session.peer else LOOPBACK)
        except Exception as e:
            log.exception("demo delivery failed")
            return f"451 4.3.0 delivery failed: {type(e).__name__}"
        return "250 2.0.0 OK queued"


class SmtpServer:
    def __init__(self, system: MailSystem) -> None:
        self.system = system
        self.host, self.port = LOOPBACK, 0
        self._controller: Controller | None = None

    def start(self) -> SmtpServer:
        logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd's per-command log
        for attempt in range(3):
            self.port = free_port()
            controller = Controller(_Handler(self.system), hostname=self.host, port=self.port,
                                    server_hostname=self.system.hostname, enable_SMTPUTF8=True,
                                    ident="reportbot demo SMTP")
            try:
                controller.start()
            except (OSError, RuntimeError):
                if attempt == 2:
                    raise
                continue
            self._controller = controller
            return self
        return self

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None
