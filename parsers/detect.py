"""What kind of file is this? Decided by content, never by the name.

Pure and never raising: `detect_kind(bytes)` reads magic numbers and, for zip and
OLE containers, the names of their members, so a .docx renamed .pdf is still a
docx, a .doc renamed .docx is still a doc, and an .exe named report.doc is an
executable. The one detector for parsers and intake alike.
"""
from __future__ import annotations

import io
import re
import struct
import zipfile

import olefile

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

# kinds a document parser may be handed (it says why when it cannot read one)
DOCUMENT_KINDS = frozenset({"pdf", "docx", "doc", "odt", "rtf", "wordml", "fodt", "xlsx", "xls", "ods",
                            "pptx", "ppt", "odp", "text", "html"})
IMAGE_KINDS = frozenset({"jpeg", "png", "gif", "tiff", "bmp", "webp", "heic", "avif"})
ARCHIVE_KINDS = frozenset({"zip", "rar", "7z", "gzip", "bzip2"})
# word-processor files LibreOffice converts to DOCX
LEGACY_KINDS = frozenset({"doc", "rtf", "odt", "wordml", "fodt"})

_PKCS7_SIGNED_OID = bytes.fromhex("06092a864886f70d010702")
_MAGIC = (
    (b"\x89PNG\r\n\x1a\n", "png"), (b"\xff\xd8\xff", "jpeg"), (b"GIF87a", "gif"), (b"GIF89a", "gif"),
    (b"II*\x00", "tiff"), (b"MM\x00*", "tiff"), (b"\x78\x9f\x3e\x22", "tnef"), (b"Rar!\x1a\x07", "rar"),
    (b"7z\xbc\xaf\x27\x1c", "7z"), (b"\x1f\x8b", "gzip"), (b"BZh", "bzip2"), (b"MZ", "executable"),
    (b"\x7fELF", "executable"),
)
_HEIF_BRANDS = {b"heic": "heic", b"heix": "heic", b"heim": "heic", b"heis": "heic", b"hevc": "heic",
                b"hevx": "heic", b"mif1": "heic", b"msf1": "heic", b"avif": "avif", b"avis": "avif"}
_BMP_DIB_SIZES = {12, 40, 52, 56, 64, 108, 124}  # BITMAPCOREHEADER … BITMAPV5HEADER
_BLANK = re.compile(rb"[ \t\r\n\x0b\x0c]*\Z")
_HTML = re.compile(r"<!doctype\s+html|<html[\s>:]|<body[\s>]|<head[\s>]|<p[\s>]|<div[\s>]")
_TEXT_SCAN = 4096
_NUL_SCAN = 2048
_MAX_CONTROL_SHARE = 0.05  # at most 5% control characters in plain text


def detect_kind(data: bytes) -> str:
    """pdf, docx, doc, odt, rtf, wordml, fodt, xlsx, xls, pptx, ppt, ods, odp, msg, ole,
    encrypted (an encrypted OOXML package), zip, jpeg, png, gif, tiff, bmp, webp, heic,
    avif, tnef, pkcs7, vcard, rar, 7z, gzip, bzip2, executable, html, xml, text, empty
    or unknown."""
    if _BLANK.match(data):
        return "empty"
    # Containers first: a zip may store a PDF uncompressed, "%PDF-" near its start.
    if data.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return _zip_kind(data)
    if data.startswith(OLE_MAGIC):
        return _ole_kind(data)
    if data.find(b"%PDF-", 0, 1024) >= 0:  # PDF allows junk before its header
        return "pdf"
    if data[:_TEXT_SCAN].lstrip(b"\xef\xbb\xbf \r\n\t").startswith(b"{\\rtf"):
        return "rtf"
    for magic, kind in _MAGIC:
        if data.startswith(magic):
            return kind
    return _other_binary_kind(data) or _text_kind(data[:_TEXT_SCAN])


def is_image(kind: str) -> bool:
    return kind in IMAGE_KINDS


# what a result's `format` says for a detected kind that a backend reads as another
_FORMATS = {"ole": "doc", "xml": "text", "vcard": "text"}


def report_format(kind: str) -> str:
    """The `format` of a parse result for a kind from `detect_kind` ("image" for any picture)."""
    return "image" if is_image(kind) else _FORMATS.get(kind, kind)


def _other_binary_kind(data: bytes) -> str | None:
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    if data[4:8] == b"ftyp" and data[8:12] in _HEIF_BRANDS:
        return _HEIF_BRANDS[data[8:12]]
    if data[:2] == b"BM" and len(data) > 26:
        declared = struct.unpack("<I", data[2:6])[0]
        if declared == len(data) or struct.unpack("<I", data[14:18])[0] in _BMP_DIB_SIZES:
            return "bmp"
    if data[:1] == b"\x30" and _PKCS7_SIGNED_OID in data[:64]:
        return "pkcs7"
    return None


# --- containers ---------------------------------------------------------------------
def _zip_kind(data: bytes) -> str:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            raw_names = zf.namelist()
            names = [n.lower() for n in raw_names]
            if "mimetype" in raw_names:
                with zf.open("mimetype") as fh:  # bounded read: the member may lie about its size
                    mimetype = fh.read(100)
                for suffix, kind in ((b"opendocument.text", "odt"), (b"opendocument.spreadsheet", "ods"),
                                     (b"opendocument.presentation", "odp")):
                    if suffix in mimetype:
                        return kind
    except Exception:  # noqa: BLE001 - a damaged package: the backend says why
        return "docx" if b"word/" in data[:4096] else "zip"
    ooxml = "[content_types].xml" in names  # a plain zip may well hold a folder named "Word"
    if "word/document.xml" in names:
        return "docx"
    for prefix, kind in (("word/", "docx"), ("xl/", "xlsx"), ("ppt/", "pptx")):
        if ooxml and any(n.startswith(prefix) for n in names):
            return kind
    # an Office package with no known part: let the DOCX reader say what is wrong
    return "docx" if ooxml or "_rels/.rels" in names else "zip"


def _ole_kind(data: bytes) -> str:
    """Word, Excel, PowerPoint, Outlook and encrypted OOXML by their root stream names."""
    try:
        with olefile.OleFileIO(data) as ole:
            names = {entry[0].lower() for entry in ole.listdir(streams=True, storages=True)}
    except Exception:  # noqa: BLE001 - a damaged container: look for the names in the raw bytes
        names = {name.lower() for name in _OLE_NAMES if name.encode("utf-16-le") in data}

    def has(*wanted: str) -> bool:
        return any(w.lower() in names or any(n.startswith(w.lower()) for n in names) for w in wanted)

    if has("EncryptedPackage", "EncryptionInfo"):
        return "encrypted"
    if has("__substg1.0_", "__properties_version1.0"):
        return "msg"
    for stream, kind in (("WordDocument", "doc"), ("Workbook", "xls"), ("Book", "xls"),
                         ("PowerPoint Document", "ppt")):
        if stream.lower() in names:
            return kind
    return "ole"


_OLE_NAMES = ("EncryptedPackage", "EncryptionInfo", "__substg1.0_", "WordDocument", "Workbook", "Book",
              "PowerPoint Document")


def ole_encrypted(data: bytes) -> bool:
    """True for a password-protected .doc or an encrypted OOXML (OLE) package."""
    if not data.startswith(OLE_MAGIC):
        return False
    try:
        with olefile.OleFileIO(data) as ole:
            if ole.exists("EncryptedPackage") or ole.exists("EncryptionInfo"):
                return True
            if ole.exists("WordDocument"):
                fib = ole.openstream("WordDocument").read(12)
                # FIB flags word at 0x0A: bit 8 fEncrypted, bit 15 fObfuscated (XOR).
                flags = int.from_bytes(fib[0x0A:0x0C], "little")
                return fib[:2] in (b"\xec\xa5", b"\xdc\xa5") and bool(flags & 0x8100)
    except Exception:  # noqa: BLE001 - unreadable is not "encrypted"; conversion says why
        return False
    return False


# --- text ------------------------------------------------------------------------------
def _text_kind(head: bytes) -> str:
    utf16 = head.startswith((b"\xff\xfe", b"\xfe\xff"))
    text = head.decode("utf-16", "replace") if utf16 else head.decode("utf-8", "replace")
    low = text.lstrip("\ufeff \t\r\n").lower()
    if low.startswith(("<!doctype html", "<html")):  # even with a stray NUL, as some mailers leave
        return "html"
    if not utf16 and b"\x00" in head[:_NUL_SCAN]:  # only UTF-16 with its byte-order mark has NULs
        return "unknown"
    sample = text if utf16 else head.decode("latin-1")  # latin-1: one character per byte
    if sum(1 for c in sample if c < "\t" or "\r" < c < " ") > _MAX_CONTROL_SHARE * len(sample):
        return "unknown"
    if low.startswith("begin:vcard"):
        return "vcard"
    # Word 2003 XML and flat ODT (a Word-saved HTML page names w:WordDocument too)
    if low.startswith("<") and not _HTML.search(low):
        if "<w:worddocument" in low or "word.document" in low:
            return "wordml"
        if "<office:document" in low:
            return "fodt"
    if _HTML.search(low):
        return "html"
    return "xml" if low.startswith("<?xml") else "text"


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
