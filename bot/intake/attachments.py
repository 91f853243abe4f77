"""Files carried by a message, and its best body text.

Pure, never raising. `extract` walks the whole MIME tree (enclosed messages too), opens
zip archives and winmail.dat within `Limits`, types every file by its content, and
returns one record per file, including those it skips (signatures, vCards, inline
logos, refused archives) with the reason, so the caller can store and show everything.
"""

from __future__ import annotations

import binascii
import hashlib
import re
from dataclasses import dataclass
from email.message import EmailMessage

from bot.intake import headers as h
from bot.intake.filetypes import image_size, sanitize_filename
from bot.intake.unpack import tnef_body, unpack_tnef, unpack_zip
from parsers.detect import detect_kind
from parsers.limits import Limits

# An inline image referenced from the HTML body and smaller than this, or no wider
# and no higher than this, is a logo, not content.
LOGO_MAX_BYTES = 65_536
LOGO_MAX_SIDE = 400


@dataclass(frozen=True)
class ExtractedFile:
    filename: str  # sanitised for display; files are stored by sha256
    data: bytes  # b"" when refused (bombs, limits)
    sha256: str
    size: int
    declared_type: str
    detected_kind: str
    origin: str  # e.g. "part 2 / zip:report.docx"
    skipped_reason: str | None = None
    skipped_code: str = ""  # why it was not opened, as a code (SKIP_CODES); "" when opened
    original_filename: str = ""  # as the sender named it (decoded), for the record


SIGNATURE_TYPES = {"application/pkcs7-signature", "application/x-pkcs7-signature", "application/pgp-signature"}
VCARD_TYPES = {"text/vcard", "text/x-vcard", "text/directory"}
# Containers that may hold the report but are not opened: they count as the agency's documents
# (a submission with nothing read), the agency is asked for another format, staff see them.
UNOPENED_KINDS = ("rar", "7z", "gzip", "bzip2", "msg")
# Why a file was not opened, as a code (Attachment.reason_code) that code reads; the English
# reason beside it is for people. over_limit: a safety limit (size, count, nesting, zip bomb).
SKIP_CODES = ("not_a_document", "unopened", "over_limit", "encrypted", "unreadable", "smime", "container")
# Kinds recorded for staff but never handed to a document parser: (code, reason).
_KIND_SKIPS = {
    "pkcs7": ("not_a_document", "signature"), "vcard": ("not_a_document", "vcard"),
    "empty": ("not_a_document", "empty file"), "executable": ("not_a_document", "executable content"),
    "rar": ("unopened", "RAR archive: not unpacked"), "7z": ("unopened", "7-Zip archive: not unpacked"),
    "gzip": ("unopened", "gzip archive: not unpacked"), "bzip2": ("unopened", "bzip2 archive: not unpacked"),
    "msg": ("unopened", "Outlook .msg attachment: not unpacked"),
}
_BODY_FRAGMENT = re.compile(r"(?i)^att\d{5}\.(txt|htm|html)$")  # Apple/Exchange trailing body pieces


def extract(msg: EmailMessage, limits: Limits | None = None) -> list[ExtractedFile]:
    limits = limits or Limits()
    try:
        return _Extractor(msg, limits).run()
    except Exception as exc:  # noqa: BLE001 - report, never crash the pipeline
        return [_refused("message", "application/octet-stream", "unknown", 0, f"extraction failed ({type(exc).__name__})")]


class _Extractor:
    def __init__(self, msg: EmailMessage, limits: Limits):
        self.msg = msg
        self.limits = limits
        self.out: list[ExtractedFile] = []
        self.total = 0
        self.cids = _referenced_cids(msg)

    def run(self) -> list[ExtractedFile]:
        for part, path, _ in h.walk_parts(self.msg, into_messages=True):
            if part.is_multipart() or not _is_attachment(part):
                continue
            ctype = h.content_type(part)
            raw_name = h.param(part, "filename", "content-disposition") or h.param(part, "name")
            origin = f"part {path}"
            if ctype in ("message/external-body", "message/partial"):
                self._add(raw_name, b"", ctype, origin, ("unopened", f"{ctype} not fetched"), size=0)
                continue
            data = h.part_bytes(part)
            self._file(raw_name, data, ctype, origin, 0, self._part_skip_reason(part, ctype, raw_name, data))
        self._uuencoded()
        return self.out

    def _part_skip_reason(self, part: EmailMessage, ctype: str, name: str, data: bytes) -> tuple[str, str] | None:
        lname = name.lower()
        if ctype in SIGNATURE_TYPES or lname.endswith((".p7s", ".sig", ".asc")):
            return "not_a_document", "signature"
        if ctype in ("application/pkcs7-mime", "application/x-pkcs7-mime") or lname.endswith(".p7m"):
            return "smime", "S/MIME content (encrypted or opaque-signed): not unwrapped"
        if ctype in VCARD_TYPES or lname.endswith(".vcf"):
            return "not_a_document", "vcard"
        if _BODY_FRAGMENT.match(lname) and ctype.startswith("text/"):
            return "not_a_document", "mail body fragment"
        if ctype.startswith("image/") and self._is_logo(part, data):
            return "not_a_document", "inline image (logo) in the HTML body"
        return None

    def _is_logo(self, part: EmailMessage, data: bytes) -> bool:
        cid = h.header(part, "Content-ID", 512).strip().strip("<>").lower()
        location = h.header(part, "Content-Location", 512).strip().lower()
        if not ((cid and cid in self.cids) or (location and location in self.cids)):
            return False  # an image only attached (a scanned report) is content
        size = image_size(data)
        small_sides = size is not None and max(size) <= LOGO_MAX_SIDE
        return len(data) <= LOGO_MAX_BYTES or small_sides

    def _file(self, raw_name: str, data: bytes, declared: str, origin: str, depth: int,
              skip: tuple[str, str] | None) -> None:
        kind = detect_kind(data)
        skip = skip or _KIND_SKIPS.get(kind) or self._budget_skip(len(data))
        if skip is not None:
            self._add(raw_name, data if len(data) <= self.limits.max_file_bytes else b"", declared, origin, skip, kind)
            return
        if kind == "zip" or kind == "tnef":
            self._container(raw_name, data, declared, origin, depth, kind)
            return
        self._add(raw_name, data, declared, origin, None, kind)

    def _container(self, raw_name: str, data: bytes, declared: str, origin: str, depth: int, kind: str) -> None:
        if depth >= self.limits.max_nesting_depth:
            self._add(raw_name, data, declared, origin, ("over_limit", f"{kind} nested too deep (depth {depth})"), kind)
            return
        members, refused = unpack_zip(data, self.limits) if kind == "zip" else unpack_tnef(data, self.limits)
        whole = (("over_limit" if kind == "zip" else "unreadable"), refused) if refused else \
            ("container", f"{kind} container (unpacked)")
        self._add(raw_name, data, declared, origin, whole, kind)
        label = "zip" if kind == "zip" else "tnef"
        for member in members:
            member_origin = f"{origin} / {label}:{sanitize_filename(member.name)}"
            if member.skipped_reason:
                self._add(member.name, b"", "application/octet-stream", member_origin,
                          (member.skipped_code, member.skipped_reason), "unknown", member.size)
            else:
                self._file(member.name, member.data, "application/octet-stream", member_origin, depth + 1, None)

    def _budget_skip(self, size: int) -> tuple[str, str] | None:
        if size > self.limits.max_file_bytes:
            return "over_limit", f"file too large ({size} bytes, limit {self.limits.max_file_bytes})"
        if len(self.out) >= self.limits.max_message_files:
            return "over_limit", f"too many files (limit {self.limits.max_message_files})"
        if self.total + size > self.limits.max_message_files_bytes:
            return "over_limit", f"message files exceed {self.limits.max_message_files_bytes} bytes"
        return None

    def _add(self, raw_name, data, declared, origin, skip: tuple[str, str] | None, kind=None, size=None) -> None:
        kind = kind or detect_kind(data)
        self.total += len(data)
        code, reason = skip or ("", None)
        self.out.append(ExtractedFile(
            filename=sanitize_filename(raw_name, kind), data=data, sha256=hashlib.sha256(data).hexdigest(),
            size=len(data) if size is None else size, declared_type=declared, detected_kind=kind,
            origin=origin, skipped_reason=reason, original_filename=h.clean_text(raw_name or ""),
            skipped_code=code,
        ))

    def _uuencoded(self) -> None:
        """Old clients (Lotus Notes, Eudora) inline files as uuencode inside text bodies."""
        for part, path, _ in h.walk_parts(self.msg, into_messages=True):
            if part.is_multipart() or h.content_type(part) != "text/plain":
                continue
            text = h.part_bytes(part)
            if b"begin " not in text:
                continue
            for name, data in _uudecode_blocks(text):
                self._file(name, data, "application/octet-stream", f"part {path} / uuencode:{sanitize_filename(name)}", 0, None)


def _refused(origin: str, declared: str, kind: str, size: int, reason: str) -> ExtractedFile:
    return ExtractedFile("attachment.bin", b"", hashlib.sha256(b"").hexdigest(), size, declared, kind, origin, reason,
                         skipped_code="unreadable")


def _is_attachment(part: EmailMessage) -> bool:
    ctype = h.content_type(part)
    if ctype.startswith("multipart/") or ctype in ("message/rfc822", "message/global", "message/news"):
        return False
    if ctype in ("text/rfc822-headers", "message/delivery-status", "message/disposition-notification",
                 "message/global-delivery-status", "message/feedback-report"):
        return False
    has_name = bool(h.param(part, "filename", "content-disposition") or h.param(part, "name"))
    if h.disposition(part) == "attachment" or has_name:
        return True
    return not ctype.startswith("text/")  # inline images, application/*, audio... are files


def _referenced_cids(msg: EmailMessage) -> set[str]:
    """Content-IDs (and Content-Locations) referenced from the HTML bodies."""
    refs: set[str] = set()
    for part, _, _ in h.walk_parts(msg, into_messages=True):
        if part.is_multipart() or h.content_type(part) != "text/html":
            continue
        html = h.part_text(part, 5_000_000)
        refs.update(m.lower() for m in re.findall(r"cid:([^\"'\s>)]+)", html, re.IGNORECASE))
        refs.update(m.lower() for m in re.findall(r"src\s*=\s*[\"']?([^\"'\s>]+)", html, re.IGNORECASE))
    return refs


_UU_BLOCK = re.compile(r"^begin [0-7]{3,4} [^\r\n]+\r?\n.*?^end\r?$", re.MULTILINE | re.DOTALL)
_UU_BEGIN = re.compile(rb"^begin [0-7]{3,4} ([^\r\n]+)\r?$", re.MULTILINE)


def _uudecode_blocks(text: bytes) -> list[tuple[str, bytes]]:

    found = []
    for m in _UU_BEGIN.finditer(text):
        end = text.find(b"\nend", m.end())
        if end < 0:
            continue
        data = bytearray()
        for line in text[m.end(): end].splitlines():
            if not line.strip() or line.strip() == b"`":
                continue
            try:
                data += binascii.a2b_uu(line)
            except binascii.Error:
                try:  # some encoders pad badly; decode what the length byte promises
                    nbytes = (((line[0] - 32) & 63) * 4 + 5) // 3
                    data += binascii.a2b_uu(line[:nbytes])
                except (binascii.Error, IndexError):
                    break
        found.append((h.decode_bytes(m.group(1).strip(), None), bytes(data)))
        if len(found) >= 50:
            break
    return found


# --- body ----------------------------------------------------------------------------------

def body_text(msg: EmailMessage) -> tuple[str, bool]:
    """The best body: the first non-empty text/plain of the message itself, else its HTML,
    else the same from an enclosed (forwarded) message, else a TNEF body; NFC text."""
    try:
        for inside in (False, True):
            for wanted in ("text/plain", "text/html"):
                for part, _, in_msg in h.walk_parts(msg, into_messages=inside):
                    if in_msg != inside or part.is_multipart() or h.content_type(part) != wanted:
                        continue
                    if h.disposition(part) == "attachment" or h.param(part, "filename", "content-disposition"):
                        continue
                    text = _UU_BLOCK.sub("", h.part_text(part))  # inline uuencoded files are extracted
                    if text.strip():
                        return text, wanted == "text/html"
        for part, _, _ in h.walk_parts(msg, into_messages=True):
            if detect_kind(h.part_bytes(part)[:8]) == "tnef" and not part.is_multipart():
                found = tnef_body(h.part_bytes(part))
                if found:
                    return h.clean_text(found[0]), found[1]
    except Exception:  # noqa: BLE001
        pass
    return "", False

