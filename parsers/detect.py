"""What kind of file is this? Decided by content, never by the name."""
from __future__ import annotations

import io
import zipfile

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_IMAGES = (
    (b"\x89PNG\r\n\x1a\n", "png"), (b"\xff\xd8\xff", "jpeg"), (b"II*\x00", "tiff"), (b"MM\x00*", "tiff"),
    (b"GIF87a", "gif"), (b"GIF89a", "gif"), (b"BM", "bmp"),
)


def detect_kind(data: bytes) -> str:
    """docx | odt | pdf | doc | rtf | encrypted | image | html | text | zip | empty | binary."""
    if not data.strip():
        return "empty"
    head = data[:2048]
    if b"%PDF-" in head[:1024]:
        return "pdf"
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        return _zip_kind(data)
    if head.startswith(OLE_MAGIC):
        return _ole_kind(data)
    if head.lstrip(b"\xef\xbb\xbf \r\n\t").startswith(b"{\\rtf"):
        return "rtf"
    for magic, _name in _IMAGES:
        if head.startswith(magic) and not (magic == b"BM" and len(data) < 64):
            return "image"
    if head[4:12] in (b"ftypavif", b"ftypheic") or head.startswith(b"RIFF") and head[8:12] == b"WEBP":
        return "image"
    low = head.lower()
    if b"<html" in low or b"<!doctype html" in low or b"<body" in low or b"<p>" in low or b"<div" in low:
        return "html"
    if _looks_text(head):
        return "text"
    return "binary"


def _zip_kind(data: bytes) -> str:
    try:
        names = set(zipfile.ZipFile(io.BytesIO(data)).namelist())
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return "docx" if b"word/" in data[:4096] else "zip"  # broken package: the backend says why
    if "mimetype" in names:
        try:
            mt = zipfile.ZipFile(io.BytesIO(data)).read("mimetype")[:100]
        except Exception:  # noqa: BLE001 - a broken entry is just "not ODT"
            mt = b""
        if b"opendocument.text" in mt:
            return "odt"
    if any(n.startswith("word/") for n in names) or "_rels/.rels" in names:
        return "docx"
    return "zip"


def _ole_kind(data: bytes) -> str:
    # Encrypted OOXML lives in an OLE container with these stream names (UTF-16LE).
    if "EncryptedPackage".encode("utf-16-le") in data or "EncryptionInfo".encode("utf-16-le") in data:
        return "encrypted"
    return "doc"


def _looks_text(head: bytes) -> bool:
    if b"\x00" in head:  # only UTF-16 with its byte-order mark passes for text
        return head.startswith((b"\xff\xfe", b"\xfe\xff"))
    bad = sum(1 for b in head if b < 9 or 13 < b < 32)
    return bad <= len(head) * 0.02


def decode_text(data: bytes) -> str:
    """Bytes of a text file → str: UTF-8 (with BOM), UTF-16, else Windows-1258/1252."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace")
    for enc in ("utf-8-sig", "cp1258", "cp1252"):
        try:
            return data.decode(enc)
        except UnicodeDecodeError:
            continue
    return data.decode("utf-8", errors="replace")
