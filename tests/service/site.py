"""A reportbot site for the service tests: the 5422 campaign, eight agencies, the real Dovecot
inbox and aiosmtpd sink, and the mail the agencies send back (reports, an auto-reply, a DSN).

Every agency's report carries text unique to it and to each section (`section_text`), so a
test can tell, in the export, that a section landed under the right agency.
"""
from __future__ import annotations

import email
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from email import policy
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path

from sqlmodel import select

from bot.intake.pipeline import Intake
from bot.intake.poll import poll_once
from bot.outbound.mails import find_token
from bot.service.tick import run_tick
from db.models import Agency, Campaign, Contact, InboundMessage, OutboundMail, ServiceState, Submission
from tests import sites
from tests.sites import OUR_ADDRESS, address, outline_docx

ICT = timezone(timedelta(hours=7))
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

# code, name, category, escalation address
AGENCIES = [
    ("BYT", "Bộ Y tế", "ministry", ""),
    ("BTC", "Bộ Tài chính", "ministry", ""),
    ("BQP", "Bộ Quốc phòng", "ministry", "lanhdao@bqp.example"),
    ("TTXVN", "Thông tấn xã Việt Nam", "gov_agency", ""),
    ("HNI", "Ủy ban nhân dân thành phố Hà Nội", "province", ""),
    ("NAN", "Ủy ban nhân dân tỉnh Nghệ An", "province", ""),
    ("DNG", "Ủy ban nhân dân thành phố Đà Nẵng", "province", ""),
    ("VOV", "Đài Tiếng nói Việt Nam", "press_body", "lanhdao@vov.example"),
]
NAMES = {code: name for code, name, _, _ in AGENCIES}


def at(day: int, month: int, hour: int = 8, minute: int = 0) -> datetime:
    """A moment in the campaign's zone (December is 2024, January 2025)."""
    return datetime(2024 if month == 12 else 2025, month, day, hour, minute, tzinfo=ICT)


def agencies_csv() -> bytes:
    lines = ["code,name,category,emails,domains,contact_name,phone,escalation_emails"]
    for code, name, category, esc in AGENCIES:
        lines.append(f"{code},{name},{category},{address(code)},{code.lower()}.example,,,{esc}")
    return ("\n".join(lines) + "\n").encode("utf-8")


# ---------------------------------------------------------------- the agencies' mail
def section_text(code: str, node: str) -> str:
    return f"Nội dung riêng của {code} cho mục {node}: đã triển khai các nhiệm vụ năm 2024."


def report_docx(code: str, missing: tuple[str, ...] = ()) -> bytes:
    return outline_docx(lambda node: section_text(code, node), issuer=NAMES[code], missing=missing)


def _reply_headers(msg: EmailMessage, code: str, dispatch: EmailMessage, when: datetime, prefix: str) -> None:
    msg["From"] = f"Văn thư {NAMES[code]} <{address(code)}>"
    msg["To"] = OUR_ADDRESS
    msg["Subject"] = prefix + str(dispatch["Subject"])
    msg["Date"] = format_datetime(when)
    msg["Message-ID"] = make_msgid(domain=f"{code.lower()}.example")
    msg["In-Reply-To"] = msg["References"] = str(dispatch["Message-ID"])


def report_reply(code: str, dispatch: EmailMessage, when: datetime, missing: tuple[str, ...] = ()) -> bytes:
    msg = EmailMessage()
    _reply_headers(msg, code, dispatch, when, "Re: ")
    msg.set_content(f"Kính gửi Cục Báo chí,\n{NAMES[code]} xin gửi báo cáo theo Công văn số 5422/BTTTT-CBC.")
    msg.add_attachment(report_docx(code, missing), maintype="application", subtype=DOCX.split("/")[1],
                       filename=f"BC-{code}-5422.docx")
    return msg.as_bytes()


def auto_reply(code: str, dispatch: EmailMessage, when: datetime) -> bytes:
    msg = EmailMessage()
    _reply_headers(msg, code, dispatch, when, "Trả lời tự động: ")
    msg["Auto-Submitted"] = "auto-replied"
    msg.set_content("Tôi đang đi công tác đến hết ngày 03/01/2025.")
    return msg.as_bytes()


def dsn(code: str, dispatch: EmailMessage, when: datetime) -> bytes:
    """A delivery status notification from the agency's server: its address does not exist."""
    return (
        f"From: Mail Delivery System <MAILER-DAEMON@mx.{code.lower()}.example>\r\n"
        f"To: baocao@example.gov.vn\r\nSubject: Undelivered Mail Returned to Sender\r\n"
        f"Date: {format_datetime(when)}\r\nMessage-ID: {make_msgid(domain='mx.example')}\r\n"
        "Auto-Submitted: auto-replied\r\nMIME-Version: 1.0\r\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="B"\r\n\r\n'
        "--B\r\nContent-Type: text/plain\r\n\r\nDelivery failed.\r\n"
        f"--B\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.{code.lower()}.example\r\n\r\n"
        f"Final-Recipient: rfc822; {address(code)}\r\nAction: failed\r\nStatus: 5.1.1\r\n"
        "Diagnostic-Code: smtp; 550 5.1.1 user unknown\r\n"
        f"--B\r\nContent-Type: text/rfc822-headers\r\n\r\nMessage-ID: {dispatch['Message-ID']}\r\n"
        f"To: {address(code)}\r\n--B--\r\n").encode()


# ---------------------------------------------------------------- the site
@dataclass
class Site(sites.Site):
    staff: object = None  # the staff's MailAccount, when the digest is delivered to one

    # -- driving it in-process -------------------------------------------------------------
    def tick(self, now: datetime):
        return run_tick(self.app, now)

    def poll(self, now: datetime):
        return poll_once(Intake(self.app.config, self.app.engine), clock=lambda: now)

    # -- what happened -----------------------------------------------------------------------
    def received(self) -> list[EmailMessage]:
        """Every message the SMTP sink accepted, parsed."""
        return [email.message_from_bytes(m.data, policy=policy.default) for m in self.smtp.messages]

    def dispatch_to(self, code: str) -> EmailMessage:
        """The letter `code` received. A kill just after the server's 250 resends it with the same
        Message-ID (the one duplicate the outbox allows): one distinct letter, however delivered."""
        letters = {str(m["Message-ID"]): m for m in self.received() if str(m["X-Reportbot-Kind"]) == "dispatch"
                   and (find_token(str(m["Subject"])) or ("", ""))[1] == code}
        [msg] = letters.values()
        return msg

    def campaign(self) -> Campaign:
        with self.session() as s:
            return s.exec(select(Campaign)).one()

    def last_tick_wall(self) -> datetime | None:
        with self.session() as s:
            row = s.get(ServiceState, "service:last_tick")
            return row.updated_at if row else None

    def meaningful_state(self) -> dict:
        """The state that must not depend on restarts: no ids, no timestamps of our own."""
        with self.session() as s:
            code = {a.id: a.code for a in s.exec(select(Agency))}
            subs = sorted((code[x.agency_id], x.version, x.received_at.isoformat(), x.on_time,
                           round(x.completeness, 4), tuple(x.missing), x.is_current)
                          for x in s.exec(select(Submission)))
            # An ack's seq is the inbound row's id: compare acks by agency only.
            outbox = sorted((code.get(o.agency_id, "-"), o.kind, 0 if o.kind == "ack" else o.seq, o.status,
                             tuple(sorted(o.to_addrs)), tuple(sorted(o.cc_addrs)))
                            for o in s.exec(select(OutboundMail)))
            contacts = sorted((code[c.agency_id], c.email, c.role, c.state) for c in s.exec(select(Contact)))
            inbound = sorted((code.get(m.agency_id, "-"), m.classification, m.state)
                             for m in s.exec(select(InboundMessage)))
        return {"submissions": subs, "outbox": outbox, "contacts": contacts, "inbound": inbound}


def make_site(folder: Path, *, db_url: str, smtp, dovecot, account, rate: int = 100000) -> Site:
    folder.mkdir(parents=True, exist_ok=True)
    path = sites.write_config(folder, db_url=db_url, smtp=(smtp.host, smtp.port), imap=(account.host, account.port),
                              username=account.username, password=account.password, rate=rate,
                              smtp_more="concurrency = 2", imap_more="timeout_seconds = 10")
    app = sites.prepared_app(path, agencies_csv())
    smtp.reject_address(address("HNI"), 550)  # Hà Nội's address does not exist: refused at RCPT
    return Site(folder, path, app, smtp, dovecot, account)


def sent_by_agency(site: Site) -> dict[str, list[tuple[str, int]]]:
    """{agency code: [(kind, seq)]} of the agency mail the sink accepted, in order of arrival
    (kind and seq read from the outbox row of each message's Message-ID)."""
    with site.session() as s:
        rows = {o.message_id: (o.kind, o.seq) for o in s.exec(select(OutboundMail))}
    out: dict[str, list[tuple[str, int]]] = {}
    for m in site.received():
        kind, seq = rows[str(m["Message-ID"])]
        if kind in ("dispatch", "reminder", "overdue"):
            out.setdefault(find_token(str(m["Subject"]))[1], []).append((kind, seq))
    return out
