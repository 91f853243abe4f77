"""The mail simulated agencies send: reports (attached, zipped or typed into the body),
out-of-office auto-replies, and a bounce report from an agency's mail server. Pure."""
from __future__ import annotations

import html
import io
import zipfile
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, formataddr, make_msgid, parseaddr

from bot.demo.scenario import Reply

DOCX = ("application", "vnd.openxmlformats-officedocument.wordprocessingml.document")
MIME = {"docx": DOCX, "pdf": ("application", "pdf"), "scan": ("application", "pdf"),
        "doc": ("application", "msword"), "zip": ("application", "zip")}


@dataclass(frozen=True)
class Original:
    """The mail being answered, as the agency received it."""

    message_id: str
    subject: str
    reply_to: str
    references: str = ""


@dataclass(frozen=True)
class Files:
    """A reply's documents: (filename, bytes) pairs, and the report as text for a body."""

    attachments: tuple[tuple[str, bytes], ...] = ()
    text: str = ""
    html: str = ""


def _domain(addr: str) -> str:
    return parseaddr(addr)[1].rpartition("@")[2]


def _base(sender: str, to: str, subject: str, when: datetime, original: Original | None) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = to
    msg["Subject"] = subject
    msg["Date"] = format_datetime(when)
    msg["Message-ID"] = make_msgid(domain=_domain(sender) or "example")
    if original is not None:
        msg["In-Reply-To"] = original.message_id
        msg["References"] = f"{original.references} {original.message_id}".strip()
    return msg


def _display(reply: Reply, agency_name: str) -> str:
    addr = reply.sender
    if addr.startswith("phongbaochi@"):
        return formataddr(("Phòng Thông tin - Báo chí, Sở Thông tin và Truyền thông", addr))
    if addr.endswith("@gmail.com"):
        return formataddr(("Nguyễn Thị Hằng", addr))
    return formataddr((f"Văn thư - {agency_name}", addr))


def cover_note(reply: Reply, agency_name: str) -> tuple[str, str]:
    """(greeting and purpose, sign-off) of the mail's text."""
    if reply.n > 1 and reply.trigger[0] == "ack":
        lead = (f"{agency_name} xin gửi lại báo cáo đã rà soát, bổ sung đầy đủ các nội dung theo Đề cương "
                "(bản này thay thế bản đã gửi trước).")
    elif reply.trigger[0] == "overdue":
        lead = (f"{agency_name} xin lỗi vì gửi báo cáo chậm so với thời hạn và xin gửi báo cáo thực hiện "
                "Chiến lược chuyển đổi số báo chí theo Công văn số 5422/BTTTT-CBC.")
    else:
        lead = (f"Thực hiện Công văn số 5422/BTTTT-CBC của Bộ Thông tin và Truyền thông, {agency_name} "
                "xin gửi báo cáo tình hình thực hiện Chiến lược chuyển đổi số báo chí.")
    return f"Kính gửi: Cục Báo chí,\n\n{lead}", f"Trân trọng./.\n\n--\nVăn thư {agency_name}\n"


def report_mail(reply: Reply, agency_name: str, files: Files, when: datetime, original: Original | None,
                inbox: str) -> EmailMessage:
    if reply.threaded and original is not None:
        subject, to, thread = f"Re: {original.subject}", original.reply_to or inbox, original
    else:
        subject = f"Báo cáo thực hiện Chiến lược chuyển đổi số báo chí - {agency_name}"
        to, thread = inbox, None
    msg = _base(_display(reply, agency_name), to, subject, when, thread)
    lead, signoff = cover_note(reply, agency_name)
    if reply.form in ("body", "html"):  # the report typed into the mail (an HTML mail has both parts)
        msg.set_content(f"{lead}\n\n{files.text}\n\n{signoff}")
    else:
        msg.set_content(f"{lead}\n\n{signoff}")
    if reply.form == "html":
        msg.add_alternative(f"<html><body><p>{html.escape(lead)}</p>{files.html}</body></html>", subtype="html")
    for name, data in files.attachments:
        maintype, subtype = MIME.get(name.rsplit(".", 1)[-1].lower(), ("application", "octet-stream"))
        msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)
    return msg


def wire(msg: EmailMessage) -> bytes:
    """The message as SMTP carries it: CRLF line ends (smtplib sends bytes as they are)."""
    return msg.as_bytes(policy=msg.policy.clone(linesep="\r\n"))


def zipped(files: list[tuple[str, bytes]]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in files:
            z.writestr(name, data)
    return buf.getvalue()


def auto_reply(address: str, agency_name: str, original: Original, when: datetime, back_on: str) -> EmailMessage:
    msg = _base(formataddr((f"Văn thư - {agency_name}", address)), original.reply_to,
                f"Trả lời tự động: {original.subject}", when, original)
    msg["Auto-Submitted"] = "auto-replied"
    msg["X-Autoreply"] = "yes"
    msg.set_content(f"Xin chào,\n\nTôi đang nghỉ phép đến hết ngày {back_on}, trong thời gian này không kiểm tra "
                    "thư điện tử thường xuyên. Việc gấp xin liên hệ Văn phòng qua số điện thoại của cơ quan.\n\n"
                    "Trân trọng.\n")
    return msg


_DSN = """\
From: Mail Delivery System <MAILER-DAEMON@{mx}>
To: {to}
Subject: Undelivered Mail Returned to Sender
Date: {date}
Message-ID: {msgid}
Auto-Submitted: auto-replied
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="{b}"

--{b}
Content-Type: text/plain; charset=us-ascii

This is the mail system at host {mx}.

I'm sorry to have to inform you that your message could not be delivered
to one or more recipients.

<{failed}>: host {mx} said: 550 5.1.1 <{failed}>: Recipient address
    rejected: User unknown in virtual mailbox table

--{b}
Content-Type: message/delivery-status

Reporting-MTA: dns; {mx}
Arrival-Date: {date}

Final-Recipient: rfc822; {failed}
Original-Recipient: rfc822;{failed}
Action: failed
Status: 5.1.1
Remote-MTA: dns; {mx}
Diagnostic-Code: smtp; 550 5.1.1 <{failed}>: Recipient address rejected: User
    unknown in virtual mailbox table

--{b}
Content-Type: text/rfc822-headers

{headers}
--{b}--
"""


def bounce_report(failed: str, original_headers: str, to: str, when: datetime) -> bytes:
    """An RFC 3464 delivery status notification from the agency's own mail server (raw bytes)."""
    mx = f"mx.{_domain(failed)}"
    text = _DSN.format(mx=mx, to=to, date=format_datetime(when), msgid=make_msgid(domain=mx), b=f"dsn-{mx}",
                       failed=failed, headers=original_headers.strip())
    return text.replace("\r\n", "\n").replace("\n", "\r\n").encode("utf-8")
