"""A real aiosmtpd SMTP server on loopback that records what it accepts and can fail on demand.

- Every accepted message becomes a ReceivedMessage (envelope, raw bytes, UTC arrival time).
- Failure injection: `reject(code, stage=..., address=..., times=...)`, with the shortcuts
  `fail_next(n, 451)` and `reject_address(addr, 550)`. A 421 reply also closes the connection,
  as RFC 5321 §3.8 says a server does.
- Options: AUTH with one test login, STARTTLS or implicit TLS with a trustme certificate.
- Delivery (optional, `deliver_to=DovecotServer`): each accepted message is APPENDed over IMAP
  into the INBOX of the recipient's Dovecot user, before the server answers 250, so a client
  that got 250 can fetch it at once. Recipients map to users through `mailboxes`
  ({address: username}) or, failing that, the address's local part when such a user exists.
  APPEND was chosen over dovecot-lda/LMTP because it needs no extra package or config and
  exercises the same server the bot reads. Delivered copies get Return-Path and Received
  headers, plus any lines from `delivery_headers(message)` (e.g. Authentication-Results).
"""

from __future__ import annotations

import asyncio
import email
import email.policy
import ssl
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime
from pathlib import Path

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from . import LOOPBACK, free_port

_DEFAULT_TEXT = {
    421: "4.3.2 Service not available, closing transmission channel",
    450: "4.2.1 Mailbox unavailable, try again later",
    451: "4.3.0 Temporary local problem, try again later",
    452: "4.3.1 Insufficient system storage",
    550: "5.1.1 Mailbox unavailable",
    552: "5.3.4 Message too big",
    553: "5.1.3 Mailbox name not allowed",
    554: "5.7.1 Transaction failed",
}
STAGES = ("mail", "rcpt", "data")


@dataclass(frozen=True)
class ReceivedMessage:
    mail_from: str
    rcpt_tos: tuple[str, ...]
    data: bytes                      # exactly the bytes received after DATA
    received_at: datetime            # server-side arrival time, UTC
    peer: tuple
    helo: str | None
    login: str | None                # AUTH login, if the client authenticated
    tls: bool
    delivered_to: tuple[str, ...] = ()  # Dovecot users it was appended for

    def message(self) -> email.message.EmailMessage:
        return email.message_from_bytes(self.data, policy=email.policy.default)


@dataclass
class Rule:
    code: int
    text: str
    stage: str                       # mail | rcpt | data
    address: str | None              # sender (mail), recipient (rcpt) or any recipient (data)
    times: int | None                # None: every time

    def matches(self, stage: str, addresses: list[str]) -> bool:
        if self.stage != stage or self.times == 0:
            return False
        return self.address is None or self.address in addresses


@dataclass(frozen=True)
class Rejection:
    stage: str
    addresses: tuple[str, ...]
    reply: str
    at: datetime


class SMTPServer:
    def __init__(self, *, starttls: bool = False, implicit_tls: bool = False,
                 require_starttls: bool = False, ca=None, auth: tuple[str, str] | None = None,
                 auth_required: bool = False, deliver_to=None, mailboxes: dict[str, str] | None = None,
                 delivery_headers: Callable[[ReceivedMessage], list[str]] | None = None,
                 hostname: str = "mx.example.test", data_size_limit: int = 64 * 1024 * 1024) -> None:
        if starttls and implicit_tls:
            raise ValueError("choose starttls or implicit_tls, not both")
        self.host = LOOPBACK
        self.port = 0
        self.hostname = hostname
        self.ca = ca
        self.ca_pem: Path | None = None
        self.auth = auth
        self.deliver_to = deliver_to
        self.mailboxes = {k.lower(): v for k, v in (mailboxes or {}).items()}
        self.delivery_headers = delivery_headers
        self.messages: list[ReceivedMessage] = []
        self.rejections: list[Rejection] = []
        self.delivery_errors: list[str] = []
        self._opts = dict(starttls=starttls, implicit_tls=implicit_tls, require_starttls=require_starttls,
                          auth_required=auth_required, data_size_limit=data_size_limit)
        self._rules: list[Rule] = []
        self._lock = threading.Lock()
        self._arrived = threading.Condition(self._lock)
        self._controller: Controller | None = None
        self._tmp: tempfile.TemporaryDirectory | None = None

    # -- lifecycle -------------------------------------------------------------------------
    def start(self, attempts: int = 3) -> SMTPServer:
        kwargs = self._controller_kwargs()
        for attempt in range(attempts):
            self.port = free_port()
            controller = Controller(_Handler(self), hostname=self.host, port=self.port, **kwargs)
            try:
                controller.start()
            except (OSError, RuntimeError):
                if attempt == attempts - 1:
                    raise
                continue
            self._controller = controller
            return self

    def _controller_kwargs(self) -> dict:
        o = self._opts
        kw = dict(server_hostname=self.hostname, enable_SMTPUTF8=True,
                  data_size_limit=o["data_size_limit"], ident="reportbot test SMTP")
        if o["starttls"] or o["implicit_tls"]:
            server_ctx = self._server_ssl_context()
            if o["implicit_tls"]:
                kw["ssl_context"] = server_ctx
            else:
                kw.update(tls_context=server_ctx, require_starttls=o["require_starttls"])
        if self.auth is not None:
            # aiosmtpd's TLS check only knows STARTTLS (implicit TLS would refuse every AUTH), and
            # its auth_required warns without it: so AUTH-before-MAIL is enforced in handle_MAIL.
            kw.update(authenticator=self._authenticate, auth_require_tls=o["starttls"])
        return kw

    def _server_ssl_context(self) -> ssl.SSLContext:
        if self.ca is None:
            import trustme
            self.ca = trustme.CA()
        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        self.ca.issue_cert(self.host, "localhost", self.hostname).configure_cert(ctx)
        self._tmp = tempfile.TemporaryDirectory(prefix="reportbot-smtp-")
        self.ca_pem = Path(self._tmp.name) / "ca.pem"
        self.ca.cert_pem.write_to_path(str(self.ca_pem))
        return ctx

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None
        if self._tmp is not None:
            self._tmp.cleanup()
            self._tmp = None

    def __enter__(self) -> SMTPServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def ssl_context(self) -> ssl.SSLContext:
        """A client context that trusts this server's certificate."""
        ctx = ssl.create_default_context()
        self.ca.configure_trust(ctx)
        return ctx

    # -- failure injection -----------------------------------------------------------------
    def reject(self, code: int, text: str | None = None, *, stage: str = "rcpt",
               address: str | None = None, times: int | None = None) -> None:
        """Answer `code` at `stage` (for `address` only, if given), `times` times or always."""
        if stage not in STAGES:
            raise ValueError(f"stage must be one of {STAGES}")
        text = text or _DEFAULT_TEXT.get(code, f"{str(code)[0]}.0.0 Injected reply")
        with self._lock:
            self._rules.append(Rule(code, text, stage, address.lower() if address else None, times))

    def fail_next(self, n: int = 1, code: int = 451, text: str | None = None, *, stage: str = "data") -> None:
        """The next `n` messages (at DATA by default) get `code`; later ones are accepted."""
        self.reject(code, text, stage=stage, times=n)

    def reject_address(self, address: str, code: int = 550, text: str | None = None) -> None:
        """Every RCPT TO for `address` gets `code`."""
        self.reject(code, text, stage="rcpt", address=address)

    def clear_rules(self) -> None:
        with self._lock:
            self._rules.clear()

    def _injected(self, stage: str, addresses: list[str]) -> str | None:
        lowered = [a.lower() for a in addresses]
        with self._lock:
            for rule in self._rules:
                if rule.matches(stage, lowered):
                    if rule.times is not None:
                        rule.times -= 1
                    reply = f"{rule.code} {rule.text}"
                    self.rejections.append(Rejection(stage, tuple(addresses), reply, _now()))
                    return reply
        return None

    # -- recording -------------------------------------------------------------------------
    def _record(self, msg: ReceivedMessage) -> None:
        with self._arrived:
            self.messages.append(msg)
            self._arrived.notify_all()

    def wait_for(self, count: int, timeout: float = 10.0) -> list[ReceivedMessage]:
        """Block until at least `count` messages were accepted; returns them all."""
        with self._arrived:
            if not self._arrived.wait_for(lambda: len(self.messages) >= count, timeout):
                raise TimeoutError(f"{len(self.messages)} of {count} messages after {timeout}s")
            return list(self.messages)

    def _authenticate(self, server, session, envelope, mechanism, auth_data) -> AuthResult:
        ok = (isinstance(auth_data, LoginPassword) and self.auth is not None
              and auth_data.login.decode() == self.auth[0] and auth_data.password.decode() == self.auth[1])
        return AuthResult(success=ok, handled=False, auth_data=auth_data)

    # -- delivery into Dovecot ---------------------------------------------------------------
    def _mailbox_for(self, address: str) -> str | None:
        address = address.lower()
        if address in self.mailboxes:
            return self.mailboxes[address]
        local = address.rsplit("@", 1)[0]
        return local if local in self.deliver_to.users() else None

    def _deliver(self, msg: ReceivedMessage) -> tuple[str, ...]:
        users = []
        for rcpt in msg.rcpt_tos:
            user = self._mailbox_for(rcpt)
            if user and user not in users:
                users.append(user)
        if users:
            copy = self._trace_headers(msg) + msg.data
            for user in users:
                self.deliver_to.append(user, copy)
        return tuple(users)

    def _trace_headers(self, msg: ReceivedMessage) -> bytes:
        proto = "ESMTP" + ("S" if msg.tls else "") + ("A" if msg.login else "")
        lines = [f"Return-Path: <{msg.mail_from}>",
                 f"Received: from {msg.helo or 'unknown'} ([{msg.peer[0]}]) by {self.hostname} "
                 f"with {proto}; {format_datetime(msg.received_at)}"]
        if self.delivery_headers is not None:
            lines = list(self.delivery_headers(msg)) + lines
        return "".join(line + "\r\n" for line in lines).encode("utf-8")


class _Handler:
    """aiosmtpd hooks: consult the injected rules, then accept and record."""

    def __init__(self, server: SMTPServer) -> None:
        self.server = server

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        if self.server._opts["auth_required"] and not session.authenticated:
            return "530 5.7.0 Authentication required"
        reply = self.server._injected("mail", [address])
        if reply:
            return _maybe_close(server, reply)
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        reply = self.server._injected("rcpt", [address])
        if reply:
            return _maybe_close(server, reply)
        envelope.rcpt_tos.append(address)
        envelope.rcpt_options.extend(rcpt_options)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        arrived = _now()
        reply = self.server._injected("data", list(envelope.rcpt_tos))
        if reply:
            return _maybe_close(server, reply)
        auth = session.auth_data if session.authenticated else None
        login = auth.login.decode() if isinstance(auth, LoginPassword) else None
        msg = ReceivedMessage(envelope.mail_from, tuple(envelope.rcpt_tos), bytes(envelope.original_content),
                              arrived, session.peer, session.host_name, login, _over_tls(server, session))
        if self.server.deliver_to is not None:
            try:
                users = await asyncio.get_running_loop().run_in_executor(None, self.server._deliver, msg)
            except Exception as exc:   # report it to the client instead of losing the message silently
                self.server.delivery_errors.append(repr(exc))
                return f"451 4.3.0 Delivery to IMAP failed: {exc.__class__.__name__}"
            msg = ReceivedMessage(**{**msg.__dict__, "delivered_to": users})
        self.server._record(msg)
        return "250 2.0.0 OK queued"


def _maybe_close(server, reply: str) -> str:
    if reply.startswith("421"):
        # aiosmtpd sends the reply first; close() flushes it before the socket goes.
        asyncio.get_running_loop().call_soon(server.transport.close)
    return reply


def _over_tls(server, session) -> bool:
    # session.ssl is set by STARTTLS only; implicit TLS shows on the transport.
    return session.ssl is not None or server.transport.get_extra_info("ssl_object") is not None


def _now() -> datetime:
    return datetime.now(UTC)
