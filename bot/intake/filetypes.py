"""A safe name to show for an attached file, and an image's size from its header.

Pure. What a file really is (by content, never by name) comes from
`parsers.detect.detect_kind`, the one detector for parsers and intake.
"""

from __future__ import annotations

import re
import struct
import unicodedata

from bot.intake.headers import clean_text

_EXTENSIONS = {
    "pdf": "pdf", "docx": "docx", "doc": "doc", "odt": "odt", "rtf": "rtf", "xlsx": "xlsx", "xls": "xls",
    "ods": "ods", "pptx": "pptx", "ppt": "ppt", "odp": "odp", "wordml": "xml", "fodt": "fodt", "zip": "zip",
    "rar": "rar", "7z": "7z", "gzip": "gz", "bzip2": "bz2", "jpeg": "jpg", "png": "png", "gif": "gif",
    "tiff": "tif", "bmp": "bmp", "webp": "webp", "heic": "heic", "avif": "avif", "text": "txt", "html": "html",
    "tnef": "dat", "msg": "msg", "pkcs7": "p7s", "vcard": "vcf", "xml": "xml",
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
