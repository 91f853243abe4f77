"""The simulated agencies: they read what reportbot sends them and answer as the scenario says.

`receive` is called by the demo's mail system (from the SMTP server's threads) for every
message addressed outside reportbot's inbox; `step(now)` (from the agencies' own thread)
reads those messages and sends what has fallen due through the SMTP server, like any
mail client. Out-of-office replies and the bounce report go out at once.
"""
from __future__ import annotations

import email
import email.policy
import logging
import queue
import re
import smtplib
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.utils import parseaddr

from bot.demo.documents import Documents
from bot.demo.replies import Original, auto_reply, bounce_report, report_mail, wire
from bot.demo.scenario import REPLY_GRACE, Agency, Reply, Scenario
from db.vocabulary import AGENCY_MAIL_KINDS

log = logging.getLogger(__name__)
KIND_BY_SUBJECT = (  # what a person reads in our subjects (mail_templates/*.subject.j2)
    ("overdue", re.compile(r"báo cáo đã quá hạn", re.IGNORECASE)),
    ("reminder", re.compile(r"Nhắc gửi báo cáo", re.IGNORECASE)),
    ("ack", re.compile(r"Xác nhận đã nhận báo cáo", re.IGNORECASE)),
    ("digest", re.compile(r"Tổng hợp tiếp nhận báo cáo", re.IGNORECASE)),
    ("dispatch", re.compile(r"Công văn số", re.IGNORECASE)),
)
ORDER = AGENCY_MAIL_KINDS


def mail_kind(subject: str) -> str:
    return next((k for k, rx in KIND_BY_SUBJECT if rx.search(subject)), "other")


@dataclass(frozen=True)
class Got:
    kind: str
    message_id: str
    at: datetime
    original: Original


@dataclass(frozen=True)
class Sent:
    key: str          # reply key, or "<code>-auto" / "<code>-dsn"
    agency: str
    kind: str         # report | auto_reply | bounce
    message_id: str
    at: datetime
    sender: str


@dataclass
class _Outgoing:
    at: datetime
    key: str
    agency: str
    kind: str
    build: Callable[[datetime], tuple[str, bytes, str]]  # when -> (envelope sender, raw, message id)


@dataclass
class Agencies:
    scenario: Scenario
    agencies: dict[str, Agency]
    documents: Documents
    smtp: tuple[str, int]
    inbox: str
    received: dict[str, list[Got]] = field(default_factory=dict)
    sent: list[Sent] = field(default_factory=list)
    digests: int = 0
    duplicates: list[str] = field(default_factory=list)  # "<code>: <message id>" received twice
    on_sent: Callable[[Sent], None] | None = None

    def __post_init__(self) -> None:
        self._by_address = {}
        for a in self.agencies.values():
            for addr in (*a.emails, *a.escalation):
                self._by_address[addr.lower()] = a.code
        self._mailq: queue.Queue = queue.Queue()
        self._outgoing: list[_Outgoing] = []
        self._waiting: list[Reply] = list(self.scenario.replies)
        self._sent_since_arm = False

    # ---------------------------------------------------------------- receiving
    def receive(self, mail_from: str, rcpts: tuple[str, ...], data: bytes, when: datetime) -> None:
        self._mailq.put((rcpts, data, when))

    def _read(self, rcpts: tuple[str, ...], data: bytes, when: datetime) -> None:
        msg = email.message_from_bytes(data, policy=email.policy.default)
        subject, mid = str(msg.get("Subject", "")), str(msg.get("Message-ID", "")).strip()
        kind = mail_kind(subject)
        if kind == "digest":
            self.digests += 1
            return
        original = Original(mid, subject, parseaddr(str(msg.get("Reply-To") or msg.get("From") or ""))[1],
                            str(msg.get("References", "")))
        for code in dict.fromkeys(self._by_address.get(r.lower()) for r in rcpts):
            if code is None:
                continue
            got = self.received.setdefault(code, [])
            if any(g.message_id == mid for g in got):
                self.duplicates.append(f"{code}: {mid}")
                continue
            got.append(Got(kind, mid, when, original))
            if kind == "dispatch":
                self._on_dispatch(code, original, when, data)

    def _on_dispatch(self, code: str, original: Original, when: datetime, data: bytes) -> None:
        a = self.agencies[code]
        if a.emails[0] in self.scenario.dsn_bounce:
            headers = data.split(b"\r\n\r\n", 1)[0].decode("ascii", "replace")

            def dsn(at: datetime, failed=a.emails[0], headers=headers):
                raw = bounce_report(failed, headers, original.reply_to or self.inbox, at)
                return "", raw, _message_id(raw)
            self._outgoing.append(_Outgoing(when + timedelta(minutes=3), f"{code}-dsn", code, "bounce", dsn))
        elif code in self.scenario.auto_reply:
            back = (when + timedelta(days=10)).strftime("%d/%m/%Y")

            def ooo(at: datetime, addr=a.emails[0], name=a.name):
                msg = auto_reply(addr, name, original, at, back)
                return addr, wire(msg), str(msg["Message-ID"])
            self._outgoing.append(_Outgoing(when + timedelta(minutes=1), f"{code}-auto", code, "auto_reply", ooo))

    # ---------------------------------------------------------------- deciding
    def _trigger_mail(self, r: Reply) -> Got | None:
        """The mail that sets off `r`, once it arrived (a later kind of reminder also does)."""
        got = self.received.get(r.agency, [])
        kind, k = r.trigger
        if kind == "ack":
            first = next((s.at for s in self.sent if s.agency == r.agency and s.kind == "report"), None)
            acks = [g for g in got if g.kind == "ack" and first is not None and g.at >= first]
            return acks[0] if acks else None
        same = [g for g in got if g.kind == kind]
        if len(same) >= k:
            return same[k - 1]
        later = [g for g in got if g.kind in ORDER and ORDER.index(g.kind) > ORDER.index(kind)]
        return later[0] if later else None

    def _arm(self) -> None:
        for r in list(self._waiting):
            trigger = self._trigger_mail(r)
            if trigger is None:
                continue
            self._waiting.remove(r)
            at = max(r.at, trigger.at + REPLY_GRACE)
            self._outgoing.append(_Outgoing(at, r.key, r.agency, "report", self._report_builder(r, trigger)))

    def _report_builder(self, r: Reply, trigger: Got):
        a = self.agencies[r.agency]

        def build(at: datetime):
            msg = report_mail(r, a.name, self.documents.files[r.key], at, trigger.original, self.inbox)
            return r.sender, wire(msg), str(msg["Message-ID"])
        return build

    # ---------------------------------------------------------------- sending
    def step(self, now: datetime) -> int:
        """Read what arrived, then send what is due at `now`; returns how many were sent."""
        news = False
        while True:
            try:
                rcpts, data, when = self._mailq.get_nowait()
            except queue.Empty:
                break
            self._read(rcpts, data, when)
            news = True
        if news or self._sent_since_arm:
            self._arm()
            self._sent_since_arm = False
        due = sorted((o for o in self._outgoing if o.at <= now), key=lambda o: (o.at, o.key))
        for o in due:
            self._outgoing.remove(o)
            self._send(o, now)
        return len(due)

    def _send(self, o: _Outgoing, now: datetime) -> None:
        mail_from, raw, mid = o.build(o.at)
        try:
            with smtplib.SMTP(*self.smtp, timeout=30) as s:
                s.sendmail(mail_from, [self.inbox], raw)  # raw has CRLF line ends
        except (OSError, smtplib.SMTPException) as e:  # tried again later, as a mail client does
            log.warning("simulated agency %s: sending failed (%s); retrying", o.agency, e)
            o.at = now + timedelta(minutes=30)
            self._outgoing.append(o)
            return
        self.sent.append(Sent(o.key, o.agency, o.kind, mid, now, mail_from))
        self._sent_since_arm = True
        if self.on_sent is not None:
            self.on_sent(self.sent[-1])

    def due(self, now: datetime) -> bool:
        """Something received and not yet read, or due to be sent by `now`."""
        return self._mailq.qsize() > 0 or any(o.at <= now for o in self._outgoing)

    def run(self, clock: Callable[[], datetime], stop: threading.Event, tick: float = 0.01) -> None:
        while not stop.is_set():
            try:
                self.step(clock())
            except Exception:
                log.exception("simulated agencies: step failed")
            stop.wait(tick)


def _message_id(raw: bytes) -> str:
    m = re.search(rb"^Message-ID:\s*(<[^>\r\n]+>)", raw, re.MULTILINE | re.IGNORECASE)
    return m.group(1).decode() if m else ""
