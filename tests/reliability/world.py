"""The simulated world of the reliability suite: many agencies and the mail they send back.

Pure data and bytes (no servers): an agencies file of any size, and replies of every kind
an inbox really gets — complete and partial reports (DOCX), corrected second versions,
cover notes, large mails (a report and a big annex), out-of-office replies, delivery
failures, mail from strangers. Each reply is a `Reply` that knows what reportbot should
make of it, so the checks can tell "recorded once, as the right thing".
"""
from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from functools import lru_cache

from tests.sites import OUR_ADDRESS, REPO, address, outline_docx

CORPUS = REPO / ".." / "shared" / "corpus"
CAMPAIGN_CODE = "5422/BTTTT-CBC"
ICT = timezone(timedelta(hours=7))
DOCX_TYPE = ("application", "vnd.openxmlformats-officedocument.wordprocessingml.document")
CATEGORIES = ("ministry", "gov_agency", "province", "press_body")

# What reportbot must make of each kind: (InboundMessage.state, classification, makes a submission)
EXPECTED = {
    "report": ("processed", "report", True),
    "partial": ("processed", "report", True),
    "version2": ("processed", "report", True),
    "large": ("processed", "report", True),
    "cover_note": ("processed", "message", False),
    "auto_reply": ("ignored", "auto_reply", False),
    "bounce": ("processed", "bounce", False),
    "stranger": ("quarantined", "report_or_other", False),
}


def code_of(i: int) -> str:
    return f"CQ{i:04d}"


def agency_name(i: int) -> str:
    return f"Cơ quan thử nghiệm số {i:04d}"


def agencies_csv(n: int) -> bytes:
    lines = ["code,name,category,emails,domains,contact_name,phone,escalation_emails"]
    for i in range(1, n + 1):
        code = code_of(i)
        lines.append(f"{code},{agency_name(i)},{CATEGORIES[i % len(CATEGORIES)]},{address(code)},"
                     f"{code.lower()}.example,Văn thư,,lanhdao@{code.lower()}.example")
    return ("\n".join(lines) + "\n").encode("utf-8")


def section_text(code: str, node: str, version: int = 1) -> str:
    return (f"Nội dung riêng của {code} (bản {version}) cho mục {node}: đã triển khai các nhiệm vụ "
            f"năm 2024, đạt 1.250.000 lượt xem.")


@lru_cache(maxsize=4096)
def report_docx(code: str, missing: tuple[str, ...] = (), version: int = 1) -> bytes:
    return outline_docx(lambda node: section_text(code, node, version), issuer=code, missing=missing)


def crlf_bytes(msg: EmailMessage) -> bytes:
    """CRLF line ends: what an IMAP server stores (and FETCH returns) byte for byte."""
    return msg.as_bytes(policy=msg.policy.clone(linesep="\r\n"))


@dataclass(frozen=True)
class Reply:
    kind: str
    agency: str | None      # the agency it is from (None: a stranger)
    raw: bytes
    message_id: str

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.raw).hexdigest()

    @property
    def expected(self) -> tuple[str, str, bool]:
        return EXPECTED[self.kind]


def _headers(msg: EmailMessage, sender: str, subject: str, when: datetime, domain: str,
             thread: str | None) -> str:
    mid = make_msgid(domain=domain)
    msg["From"], msg["To"], msg["Subject"] = sender, OUR_ADDRESS, subject
    msg["Date"], msg["Message-ID"] = format_datetime(when), mid
    if thread:
        msg["In-Reply-To"] = msg["References"] = thread
    return mid


def report_mail(code: str, when: datetime, *, thread: str | None, missing: tuple[str, ...] = (),
                version: int = 1, annex: bytes = b"", kind: str = "report") -> Reply:
    msg = EmailMessage()
    subject = f"Re: [{CAMPAIGN_CODE} #{code}] Báo cáo chuyển đổi số báo chí" + (" (bản sửa)" if version > 1 else "")
    mid = _headers(msg, f"Văn thư {code} <{address(code)}>", subject, when, f"{code.lower()}.example", thread)
    msg.set_content(f"Kính gửi Cục Báo chí,\n{code} xin gửi báo cáo theo Công văn số {CAMPAIGN_CODE}.")
    msg.add_attachment(report_docx(code, missing, version), maintype=DOCX_TYPE[0], subtype=DOCX_TYPE[1],
                       filename=f"BC-{code}-5422-v{version}.docx")
    if annex:
        msg.add_attachment(annex, maintype="application", subtype="octet-stream", filename="phu-luc.bin")
    return Reply(kind, code, crlf_bytes(msg), mid)


def cover_note(code: str, when: datetime, thread: str | None) -> Reply:
    msg = EmailMessage()
    mid = _headers(msg, f"Văn thư {code} <{address(code)}>", f"Re: [{CAMPAIGN_CODE} #{code}] Công văn",
                   when, f"{code.lower()}.example", thread)
    msg.set_content("Đã nhận công văn, đã giao Sở Thông tin và Truyền thông thực hiện, sẽ báo cáo sau.")
    return Reply("cover_note", code, crlf_bytes(msg), mid)


def auto_reply(code: str, when: datetime, thread: str | None) -> Reply:
    msg = EmailMessage()
    mid = _headers(msg, f"Văn thư {code} <{address(code)}>", f"Trả lời tự động: [{CAMPAIGN_CODE} #{code}]",
                   when, f"{code.lower()}.example", thread)
    msg["Auto-Submitted"] = "auto-replied"
    msg.set_content("Tôi đang đi công tác đến hết ngày 03/01/2025.")
    return Reply("auto_reply", code, crlf_bytes(msg), mid)


def bounce(code: str, when: datetime, returned_id: str | None) -> Reply:
    mid = make_msgid(domain=f"mx.{code.lower()}.example")
    raw = (
        f"From: Mail Delivery System <MAILER-DAEMON@mx.{code.lower()}.example>\r\nTo: {OUR_ADDRESS}\r\n"
        f"Subject: Undelivered Mail Returned to Sender\r\nDate: {format_datetime(when)}\r\nMessage-ID: {mid}\r\n"
        "Auto-Submitted: auto-replied\r\nMIME-Version: 1.0\r\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="B"\r\n\r\n'
        "--B\r\nContent-Type: text/plain\r\n\r\nDelivery failed.\r\n"
        f"--B\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.{code.lower()}.example\r\n\r\n"
        f"Final-Recipient: rfc822; lanhdao@{code.lower()}.example\r\nAction: failed\r\nStatus: 5.1.1\r\n"
        "Diagnostic-Code: smtp; 550 5.1.1 user unknown\r\n"
        f"--B\r\nContent-Type: text/rfc822-headers\r\n\r\nMessage-ID: {returned_id or '<none@x>'}\r\n"
        f"To: lanhdao@{code.lower()}.example\r\n--B--\r\n").encode()
    return Reply("bounce", code, raw, mid)


def stranger(n: int, when: datetime) -> Reply:
    msg = EmailMessage()
    mid = _headers(msg, f"Người lạ {n} <nguoila{n}@unknown-{n}.example>", "Báo cáo chuyển đổi số", when,
                   f"unknown-{n}.example", None)
    msg.set_content("Xin gửi báo cáo.")
    msg.add_attachment(report_docx(f"LA{n % 50}"), maintype=DOCX_TYPE[0], subtype=DOCX_TYPE[1],
                       filename="bao-cao.docx")
    return Reply("stranger", None, crlf_bytes(msg), mid)


# ---------------------------------------------------------------- a stream of replies
MIX = (("report", 50), ("partial", 10), ("version2", 6), ("large", 6), ("cover_note", 6),
       ("auto_reply", 10), ("bounce", 6), ("stranger", 6))


class ReplyStream:
    """Seeded replies from `agencies` (codes); `dispatch_ids` gives each agency's dispatch
    Message-ID when known (the reply then threads to it, as a real one does)."""

    def __init__(self, agencies: list[str], rng: random.Random, *, large_bytes: int = 3_000_000) -> None:
        self.agencies, self.rng, self.large_bytes = agencies, rng, large_bytes
        self.reported: list[str] = []
        self.versions: dict[str, int] = {}
        self.strangers = 0
        self._kinds = [k for k, w in MIX for _ in range(w)]

    def next(self, when: datetime, dispatch_ids: dict[str, str], kind: str | None = None) -> Reply:
        kind = kind or self.rng.choice(self._kinds)
        if kind == "version2" and not self.reported:
            kind = "report"
        if kind == "stranger":
            self.strangers += 1
            return stranger(self.strangers, when)
        code = self.rng.choice(self.reported) if kind == "version2" else self.rng.choice(self.agencies)
        thread = dispatch_ids.get(code)
        if kind in ("report", "partial", "large", "version2"):
            version = self.versions.get(code, 0) + 1
            self.versions[code] = version
            self.reported.append(code)
            missing = ("IV", "V") if kind == "partial" else ()
            annex = self.rng.randbytes(self.large_bytes) if kind == "large" else b""
            return report_mail(code, when, thread=thread, missing=missing, version=version, annex=annex,
                               kind=kind)
        if kind == "cover_note":
            return cover_note(code, when, thread)
        if kind == "auto_reply":
            return auto_reply(code, when, thread)
        return bounce(code, when, thread)
