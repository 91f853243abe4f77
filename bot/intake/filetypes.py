"""What a file really is (by content, never by name) and a safe name to show for it.

Pure. `detect_kind` reads magic bytes and, for zip and OLE containers, the names of
their members, so a .docx renamed .pdf is still a docx and an .exe named report.doc
is an executable.
"""

from __future__ import annotations

import io
import re
import struct
import unicodedata
import zipfile

from bot.intake.headers import clean_text

# kinds a document parser may take; the rest are recorded for staff only
DOCUMENT_KINDS = {"pdf", "docx", "doc", "odt", "rtf", "xlsx", "xls", "ods", "pptx", "ppt", "odp", "text", "html"}
IMAGE_KINDS = {"jpeg", "png", "gif", "tiff", "bmp", "webp", "heic"}
ARCHIVE_KINDS = {"zip", "rar", "7z", "gzip", "bzip2"}

_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_PKCS7_SIGNED_OID = bytes.fromhex("06092a864886f70d010702")
_SIMPLE_MAGIC = (
    (b"%PDF-", "pdf"), (b"{\\rtf", "rtf"), (b"\x78\x9f\x3e\x22", "tnef"), (b"\xff\xd8\xff", "jpeg"),
    (b"\x89PNG\r\n\x1a\n", "png"), (b"GIF87a", "gif"), (b"GIF89a", "gif"), (b"II*\x00", "tiff"),
    (b"MM\x00*", "tiff"), (b"Rar!\x1a\x07", "rar"), (b"7z\xbc\xaf\x27\x1c", "7z"), (b"\x1f\x8b", "gzip"),
    (b"BZh", "bzip2"), (b"MZ", "executable"), (b"\x7fELF", "executable"),
)


def detect_kind(data: bytes) -> str:
    """A short kind name: pdf, docx, doc, xlsx, xls, odt, rtf, zip, jpeg, png, tnef, outlook_msg,
    pkcs7, vcard, html, text, executable, empty or unknown."""
    if not data:
        return "empty"
    head = data[:2048].lstrip(b"\xef\xbb\xbf")
    if data[:1024].find(b"%PDF-") >= 0:  # PDF allows junk before the header
        return "pdf"
    if data.startswith(b"PK\x03\x04") or data.startswith(b"PK\x05\x06"):
        return _zip_kind(data)
    if data.startswith(_OLE):
        return _ole_kind(data)
    for magic, kind in _SIMPLE_MAGIC:
        if data.startswith(magic):
            return kind
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    if data[4:12] in (b"ftypheic", b"ftypheix", b"ftypmif1"):
        return "heic"
    if data[:2] == b"BM" and len(data) > 26 and struct.unpack("<I", data[2:6])[0] == len(data):
        return "bmp"
    if data[:1] == b"\x30" and _PKCS7_SIGNED_OID in data[:64]:
        return "pkcs7"
    return _text_kind(head)


def _zip_kind(data: bytes) -> str:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            names = zf.namelist()
            if "mimetype" in names:
                with zf.open("mimetype") as fh:  # bounded read: the member may lie about its size
                    mimetype = fh.read(100)
                for suffix, kind in ((b"opendocument.text", "odt"), (b"opendocument.spreadsheet", "ods"),
                                     (b"opendocument.presentation", "odp")):
                    if suffix in mimetype:
                        return kind
    except Exception:  # noqa: BLE001 - a damaged zip is still a zip
        return "zip"
    lowered = {n.lower() for n in names}
    if "[content_types].xml" in lowered:
        for prefix, kind in (("word/", "docx"), ("xl/", "xlsx"), ("ppt/", "pptx")):
            if any(n.startswith(prefix) for n in lowered):
                return kind
    return "zip"


def _ole_kind(data: bytes) -> str:
    """Tell Word, Excel, PowerPoint, Outlook and encrypted OOXML apart by their stream names."""
    def has(name: str) -> bool:
        return data.find(name.encode("utf-16-le")) >= 0

    if has("EncryptedPackage"):
        return "ooxml_encrypted"
    if has("__substg1.0_"):
        return "outlook_msg"
    if has("WordDocument"):
        return "doc"
    if has("Workbook") or has("Book"):
        return "xls"
    if has("PowerPoint Document"):
        return "ppt"
    return "ole"


def _text_kind(head: bytes) -> str:
    sample = head[:2048]
    if b"\x00" in sample and sample[:2] not in (b"\xff\xfe", b"\xfe\xff"):
        return "unknown"
    text = sample.decode("utf-8", "replace").lstrip().lower()
    if text.startswith("begin:vcard"):
        return "vcard"
    if text.startswith(("<!doctype html", "<html")) or "<html" in text[:300]:
        return "html"
    if text.startswith("<?xml"):
        return "xml"
    printable = sum(1 for b in sample if b >= 32 or b in (9, 10, 13))
    return "text" if printable >= 0.95 * len(sample) else "unknown"


_EXTENSIONS = {
    "pdf": "pdf", "docx": "docx", "doc": "doc", "odt": "odt", "rtf": "rtf", "xlsx": "xlsx", "xls": "xls",
    "ods": "ods", "pptx": "pptx", "ppt": "ppt", "zip": "zip", "rar": "rar", "7z": "7z", "jpeg": "jpg",
    "png": "png", "gif": "gif", "tiff": "tif", "text": "txt", "html": "html", "tnef": "dat",
    "outlook_msg": "msg", "pkcs7": "p7s", "vcard": "vcf", "xml": "xml",
}
_UNSAFE = re.compile(r'[\x00-\x1f\x7f<>:"|?*]')
MAX_NAME_CHARS = 180


def sanitize_filename(name: str | None, kind: str = "unknown", fallback: str = "attachment") -> str:
    """A display/storage-safe file name: decoded, NFC, no directories, no control characters.

    Files are stored by hash; this name is only shown and used for the download.
    """
    text = clean_text(name or "")
    text = re.split(r"[/\\]", text)[-1]  # drop "C:\\TEMP\\" and "../../" parts
    text = _UNSAFE.sub("_", re.sub(r"[\t\r\n]+", " ", text)).replace("\ufffd", "")
    text = re.sub(r"\s+", " ", text).strip(" .")
    if text in ("", ".", ".."):
        text = f"{fallback}.{_EXTENSIONS.get(kind, 'bin')}"
    if len(text) > MAX_NAME_CHARS:
        stem, dot, ext = text.rpartition(".")
        ext = ext if dot and len(ext) <= 10 else ""
        text = stem[: MAX_NAME_CHARS - len(ext) - 1].rstrip() + ("." + ext if ext else "")
    return unicodedata.normalize("NFC", text)


def image_size(data: bytes) -> tuple[int, int] | None:
    """(width, height) of a PNG, GIF or JPEG, read from its header; None when unknown."""
    try:
        if data.startswith(b"\x89PNG") and len(data) >= 24:
            return struct.unpack(">II", data[16:24])
        if data[:3] == b"GIF" and len(data) >= 10:
            return struct.unpack("<HH", data[6:10])
        if data.startswith(b"\xff\xd8"):
            return _jpeg_size(data)
    except struct.error:
        return None
    return None


def _jpeg_size(data: bytes) -> tuple[int, int] | None:
    i = 2
    while i + 9 < len(data):
        if data[i] != 0xFF:
            i += 1
            continue
        marker = data[i + 1]
        if marker in (0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF):
            height, width = struct.unpack(">HH", data[i + 5: i + 9])
            return width, height
        if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:
            i += 2
            continue
        i += 2 + struct.unpack(">H", data[i + 2: i + 4])[0]
    return None
