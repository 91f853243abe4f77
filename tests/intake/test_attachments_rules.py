"""Attachment rules on generated messages: zip limits, logos vs scans, names, bodies."""

from __future__ import annotations

import hashlib
import io
import struct
import unicodedata
import zipfile
import zlib
from email.message import EmailMessage

from bot.intake.attachments import Limits, body_text, extract
from bot.intake.filetypes import sanitize_filename
from bot.intake.headers import parse_message
from parsers.detect import detect_kind


def _png(width: int, height: int, extra: int = 0) -> bytes:
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    raw = zlib.compress(b"\x00" * (width * 3 + 1) * min(height, 4))
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", raw) + chunk(b"tEXt", b"x" * extra) + chunk(b"IEND", b"")


def _docx_bytes() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("word/document.xml", "<w:document/>")
    return buf.getvalue()


_TONES = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}


def _cp1258(text: str) -> bytes:
    """Windows-1258 as Vietnamese Windows writes it: base letters precomposed, tone marks combining."""
    out = b""
    for ch in unicodedata.normalize("NFC", text):
        try:
            out += ch.encode("cp1258")
            continue
        except UnicodeEncodeError:
            pass
        decomposed = unicodedata.normalize("NFD", ch)
        tones = "".join(c for c in decomposed if c in _TONES)
        base = unicodedata.normalize("NFC", "".join(c for c in decomposed if c not in _TONES))
        out += (base + tones).encode("cp1258")
    return out


def _zip(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            info = zipfile.ZipInfo(name)
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, data)
    return buf.getvalue()


def _mail(*attachments, html: str | None = None, text: str = "Kính gửi Cục Báo chí") -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = "vanthu@stttt.nghean.gov.vn"
    msg["Subject"] = "Báo cáo"
    msg.set_content(text)
    if html is not None:
        msg.add_alternative(html, subtype="html")
    for data, maintype, subtype, name, cid in attachments:
        if cid:
            target = msg.get_payload()[-1] if html is not None else msg
            target.add_related(data, maintype=maintype, subtype=subtype, cid=f"<{cid}>", filename=name)
        else:
            msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)
    return parse_message(msg.as_bytes())


def test_docx_inside_zip_is_unpacked_with_its_vietnamese_name():
    docx = _docx_bytes()
    archive = _zip({"Báo cáo CĐS/Báo cáo 2024.docx": docx, "ghi chú.txt": "Ghi chú".encode()})
    records = extract(_mail((archive, "application", "zip", "baocao.zip", None)))
    inner = next(r for r in records if r.detected_kind == "docx")
    assert inner.filename == "Báo cáo 2024.docx"
    assert inner.sha256 == hashlib.sha256(docx).hexdigest() and inner.skipped_reason is None
    assert inner.origin == "part 2 / zip:Báo cáo 2024.docx"
    container = next(r for r in records if r.filename == "baocao.zip")
    assert container.detected_kind == "zip" and container.skipped_reason == "zip container (unpacked)"


def test_zip_without_utf8_flag_decodes_cp1258_names():
    name = "Báo cáo.txt"
    raw_name = _cp1258(name)
    placeholder = b"X" * len(raw_name)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr(placeholder.decode(), b"noi dung")
    archive = buf.getvalue().replace(placeholder, raw_name)  # as old Windows zippers write: no UTF-8 flag
    records = extract(_mail((archive, "application", "zip", "a.zip", None)))
    assert name in [r.filename for r in records]


def test_zip_bomb_is_refused_with_a_reason_and_recorded():
    bomb = _zip({"zeros.bin": b"\x00" * 50_000_000})
    records = extract(_mail((bomb, "application", "zip", "bomb.zip", None)))
    assert len(records) == 1
    assert "ratio" in records[0].skipped_reason and records[0].filename == "bomb.zip"


def test_zip_with_too_many_members_is_refused():
    archive = _zip({f"f{i}.txt": b"a" for i in range(20)})
    records = extract(_mail((archive, "application", "zip", "many.zip", None)), Limits(max_archive_members=10))
    assert len(records) == 1 and "20 members" in records[0].skipped_reason


def test_nested_zips_stop_at_the_depth_limit():
    inner = _zip({"report.txt": b"bao cao"})
    for level in range(4):
        inner = _zip({f"level{level}.zip": inner})
    records = extract(_mail((inner, "application", "zip", "nest.zip", None)), Limits(max_nesting_depth=3))
    assert any("nested too deep" in (r.skipped_reason or "") for r in records)
    assert not any(r.filename == "report.txt" for r in records)


def test_encrypted_zip_member_is_recorded_not_read():
    archive = bytearray(_zip({"secret.docx": _docx_bytes()}))
    local = archive.find(b"PK\x03\x04")
    central = archive.find(b"PK\x01\x02")
    archive[local + 6] |= 1  # general purpose flag bit 0: encrypted
    archive[central + 8] |= 1
    records = extract(_mail((bytes(archive), "application", "zip", "enc.zip", None)))
    member = next(r for r in records if r.filename == "secret.docx")
    assert member.skipped_reason == "encrypted zip member" and member.data == b""


def test_small_inline_logo_is_skipped_but_attached_scan_is_kept():
    logo = _png(120, 40)
    scan = b"\xff\xd8\xff\xe0" + b"\x00" * 300_000
    html = '<p>Kính gửi</p><img src="cid:logo1">'
    records = extract(_mail((logo, "image", "png", "image001.png", "logo1"), (scan, "image", "jpeg", "scan.jpg", None), html=html))
    by_name = {r.filename: r for r in records}
    assert by_name["image001.png"].skipped_reason.startswith("inline image")
    assert by_name["scan.jpg"].skipped_reason is None and by_name["scan.jpg"].detected_kind == "jpeg"


def test_large_inline_image_referenced_from_html_is_kept():
    page = _png(1700, 2300, extra=200_000)  # a scanned page pasted into the body
    html = '<img src="cid:page1">'
    records = extract(_mail((page, "image", "png", "page.png", "page1"), html=html))
    assert records[0].skipped_reason is None


def test_image_only_message_keeps_the_image():
    msg = EmailMessage()
    msg["From"] = "a@b.vn"
    msg.set_content(b"\xff\xd8\xff\xe0" + b"1" * 1000, maintype="image", subtype="jpeg")
    records = extract(parse_message(msg.as_bytes()))
    assert len(records) == 1 and records[0].skipped_reason is None and records[0].detected_kind == "jpeg"


def test_vcard_and_signature_are_skipped():
    vcf = b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Nguyen Van A\r\nEND:VCARD\r\n"
    records = extract(_mail((vcf, "text", "vcard", "a.vcf", None), (b"\x30\x82", "application", "pkcs7-signature", "smime.p7s", None)))
    assert {r.skipped_reason for r in records} == {"vcard", "signature"}


def test_hostile_names_are_sanitised():
    assert sanitize_filename("..\\..\\windows\\system32\\evil.exe") == "evil.exe"
    assert sanitize_filename("../../etc/passwd") == "passwd"
    assert sanitize_filename("a\x00b\x07c.pdf") == "abc.pdf"
    assert sanitize_filename("bad<>:|?*.docx") == "bad______.docx"
    assert sanitize_filename("..", "pdf") == "attachment.pdf"
    assert sanitize_filename(unicodedata.normalize("NFD", "Báo cáo.docx")) == "Báo cáo.docx"
    long_name = "Báo cáo " * 60 + ".docx"
    assert sanitize_filename(long_name).endswith(".docx") and len(sanitize_filename(long_name)) <= 180


def test_kind_detection_by_magic():
    assert detect_kind(_docx_bytes()) == "docx"
    assert detect_kind(b"%PDF-1.7\n") == "pdf"
    assert detect_kind(b"junk\n%PDF-1.4") == "pdf"
    assert detect_kind(b"{\\rtf1\\ansi") == "rtf"
    assert detect_kind(b"MZ\x90\x00") == "executable"
    assert detect_kind("Báo cáo tình hình".encode()) == "text"
    assert detect_kind(b"") == "empty"


def test_body_prefers_plain_text_and_normalises_to_nfc():
    nfd = unicodedata.normalize("NFD", "Báo cáo chuyển đổi số")
    text, is_html = body_text(_mail(text=nfd, html="<p>HTML</p>"))
    assert not is_html and "Báo cáo chuyển đổi số" in text and text == unicodedata.normalize("NFC", text)


def test_body_falls_back_to_html():
    raw = ("From: a@b.vn\r\nMIME-Version: 1.0\r\nContent-Type: text/html; charset=utf-8\r\n\r\n"
           "<p>Báo cáo</p>").encode()
    text, is_html = body_text(parse_message(raw))
    assert is_html and "Báo cáo" in text


def test_body_in_cp1258_is_decoded():
    body = _cp1258("Báo cáo tình hình")
    raw = b"From: a@b.vn\r\nContent-Type: text/plain; charset=windows-1258\r\n\r\n" + body
    assert body_text(parse_message(raw))[0] == "Báo cáo tình hình"


def test_unlabelled_cp1258_body_is_decoded_by_fallback():
    body = _cp1258("Kính gửi Cục Báo chí")
    raw = b"From: a@b.vn\r\nContent-Type: text/plain\r\n\r\n" + body
    assert body_text(parse_message(raw))[0] == "Kính gửi Cục Báo chí"


def test_unknown_charset_label_falls_back():
    raw = b"From: a@b.vn\r\nContent-Type: text/plain; charset=x-no-such\r\n\r\n" + "Báo cáo".encode()
    assert body_text(parse_message(raw))[0] == "Báo cáo"


def test_each_refused_file_carries_a_code_that_says_why_without_reading_its_sentence():
    """Code reads `skipped_code` (over a limit, unopened, encrypted …), never the English reason:
    the acknowledgement once told an agency its file was over a limit by finding "limit" in it."""
    bomb = _zip({"zeros.bin": b"\x00" * 50_000_000})
    many = _zip({f"f{i}.txt": b"a" for i in range(20)})
    archive = bytearray(_zip({"secret.docx": _docx_bytes()}))
    archive[archive.find(b"PK\x03\x04") + 6] |= 1
    archive[archive.find(b"PK\x01\x02") + 8] |= 1
    rar = b"Rar!\x1a\x07\x01\x00" + b"\x00" * 64
    vcf = b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Nguyen Van A\r\nEND:VCARD\r\n"
    records = extract(_mail((bomb, "application", "zip", "bomb.zip", None),
                            (many, "application", "zip", "many.zip", None),
                            (bytes(archive), "application", "zip", "enc.zip", None),
                            (rar, "application", "octet-stream", "baocao.rar", None),
                            (vcf, "text", "vcard", "a.vcf", None),
                            (_docx_bytes(), "application", "octet-stream", "baocao.docx", None)),
                      Limits(max_archive_members=10))
    code = {r.filename: r.skipped_code for r in records}
    assert code["bomb.zip"] == code["many.zip"] == "over_limit"
    assert code["secret.docx"] == "encrypted" and code["enc.zip"] == "container"
    assert code["baocao.rar"] == "unopened" and code["a.vcf"] == "not_a_document"
    assert code["baocao.docx"] == "" and all(r.skipped_reason for r in records if r.skipped_code)
