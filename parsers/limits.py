"""Resource limits for parsing untrusted attachments, and zip/XML bomb checks.

The one answer to "is this zip safe to open", for parsers and intake alike:
`open_zip` refuses an archive on what its directory declares, and `read_member`
decompresses a member in a stream (never trusting the sizes a zip header
declares), so a lying header cannot slip a bomb past it. `check_zip` runs both
over a whole Office package or archive, nested ones included. XML parts are
refused when their prolog declares a DOCTYPE: Office files never need one, and
it is where entity bombs and external entities live.
"""
from __future__ import annotations

import io
import re
import struct
import zipfile
import zlib
from dataclasses import dataclass, replace

MB = 1024 * 1024


class RefusedInput(Exception):
    """The input breaks a safety limit; `reason` is a clear English sentence."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Limits:
    """The one set of limits on untrusted files: parsing, and intake's unpacking of mail.

    Intake (bot.intake.attachments) applies the same values to a mail's zip archives
    through `for_mail_archives`; the last group only it uses.
    """

    # one file: an attachment, an archive member, a document given to a parser
    max_file_bytes: int = 50 * MB
    max_pages: int = 500
    timeout_s: float = 60.0
    memory_mb: int = 1024
    # zip containers: Office/ODF packages and mail archives
    max_zip_ratio: float = 100.0
    max_zip_members: int = 1000  # parts of a document package (a DOCX holds many)
    max_uncompressed_bytes: int = 200 * MB  # all of one container's content
    max_nesting_depth: int = 3  # containers within containers (zip in zip, zip in winmail.dat)
    max_xml_part_bytes: int = 64 * MB
    # Members smaller than this may exceed the ratio (blank XML compresses well)...
    ratio_floor_bytes: int = 1 * MB
    # ...and so may a whole package expanding to less than this.
    total_ratio_floor_bytes: int = 1 * MB
    # a mail's zip archive: each member becomes a document to parse, so fewer of them,
    # and the whole archive is held to the ratio however small it is
    max_archive_members: int = 300
    archive_total_ratio_floor_bytes: int = 0
    # one message: all its files together
    max_message_files: int = 500
    max_message_files_bytes: int = 200 * MB

    def for_mail_archives(self) -> Limits:
        """These limits in the terms of the zip guard, for a zip attached to a mail."""
        return replace(self, max_zip_members=self.max_archive_members,
                       total_ratio_floor_bytes=self.archive_total_ratio_floor_bytes)


@dataclass(frozen=True)
class ZipStats:
    members: int
    uncompressed_bytes: int
    nested_archives: int


_CHUNK = 256 * 1024
_XML_NAME = re.compile(r"\.(xml|rels|vml)$", re.IGNORECASE)
_NESTED_NAME = re.compile(r"\.(zip|docx|docm|dotx|xlsx|xlsm|pptx|odt|ods|odp)$", re.IGNORECASE)
_DTD = re.compile(r"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)
_FIRST_ELEMENT = re.compile(r"<[A-Za-z_]")
_PROLOG_SCAN = 64 * 1024


def check_size(data: bytes, limits: Limits) -> None:
    if len(data) > limits.max_file_bytes:
        raise RefusedInput(
            f"file is {len(data) / MB:.1f} MB, over the {limits.max_file_bytes / MB:.0f} MB limit"
        )


def _decode_head(head: bytes) -> str:
    """Decode the start of an XML part whatever its (BOM-signalled) encoding."""
    for bom, codec in ((b"\xef\xbb\xbf", "utf-8"), (b"\xff\xfe\x00\x00", "utf-32-le"),
                       (b"\x00\x00\xfe\xff", "utf-32-be"), (b"\xff\xfe", "utf-16-le"),
                       (b"\xfe\xff", "utf-16-be")):
        if head.startswith(bom):
            return head[len(bom):].decode(codec, "ignore")
    if head[:4] == b"<\x00?\x00":
        return head.decode("utf-16-le", "ignore")
    if head[:4] == b"\x00<\x00?":
        return head.decode("utf-16-be", "ignore")
    return head.decode("latin-1")


def check_xml_prolog(head: bytes, name: str = "XML") -> None:
    """Refuse XML whose prolog (before the root element) declares a DTD."""
    text = _decode_head(head[:_PROLOG_SCAN])
    first = _FIRST_ELEMENT.search(text)
    prolog = text[: first.start()] if first else text
    if _DTD.search(prolog):
        raise RefusedInput(f"{name} declares a DOCTYPE/ENTITY (XML entity expansion or external entity attack)")
    if first is None and len(head) >= _PROLOG_SCAN:
        raise RefusedInput(f"{name} has no root element in its first {_PROLOG_SCAN // 1024} KB")


def member_encrypted(info: zipfile.ZipInfo) -> bool:
    return bool(info.flag_bits & 0x1)


def _check_ratio(size: int, compressed: int, floor: int, limits: Limits, what: str) -> None:
    if size > floor and size > limits.max_zip_ratio * max(compressed, 1):
        raise RefusedInput(f"{what} expands {size / max(compressed, 1):.0f}:1, "
                           f"over the {limits.max_zip_ratio:.0f}:1 ratio limit (zip bomb)")


def open_zip(data: bytes, limits: Limits) -> tuple[zipfile.ZipFile, list[zipfile.ZipInfo]]:
    """Open a zip, refusing it on what its directory declares: member count, total size, ratio.

    The declared sizes may lie; `read_member` then stops at the real ones.
    """
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    except Exception as exc:  # noqa: BLE001 - any failure to read the directory is "unreadable"
        raise RefusedInput(f"not a readable zip archive ({exc or type(exc).__name__})") from None
    if len(infos) > limits.max_zip_members:
        raise RefusedInput(f"zip has {len(infos)} members, over the limit of {limits.max_zip_members}")
    declared = sum(i.file_size for i in infos if not i.is_dir())
    if declared > limits.max_uncompressed_bytes:
        raise RefusedInput(f"zip declares {declared / MB:.1f} MB of content, over its total size limit "
                           f"of {limits.max_uncompressed_bytes / MB:.0f} MB")
    _check_ratio(declared, len(data), limits.total_ratio_floor_bytes, limits, "zip (as declared)")
    return zf, infos


def read_member(zf: zipfile.ZipFile, info: zipfile.ZipInfo, budget: int, limits: Limits, *,
                keep: bool = True, xml_parts: bool = True) -> tuple[int, bytes]:
    """Stream one member within `budget` bytes and the ratio limit, never trusting its header.

    Returns (real size, its bytes if `keep`, else the start of an XML part). With
    `xml_parts`, .xml/.rels/.vml members are capped and refused when they declare a DTD.
    Raises RefusedInput (encrypted, too large, too compressed, unreadable).
    """
    name = info.filename
    if member_encrypted(info):
        raise RefusedInput(f"zip member {name!r} is password-protected (encrypted)")
    is_xml = xml_parts and bool(_XML_NAME.search(name))
    cap = min(budget, limits.max_xml_part_bytes) if is_xml else budget
    what = "XML part" if is_xml and cap < budget else "archive content"
    if info.file_size > cap:
        raise RefusedInput(f"zip member {name!r}: {what} declares {info.file_size} bytes, past its size limit")
    _check_ratio(info.file_size, info.compress_size, limits.ratio_floor_bytes, limits, f"zip member {name!r}")
    try:
        size, kept, head = _stream(zf, info, cap, limits, keep, what)
    except RefusedInput:
        raise
    except (zipfile.BadZipFile, zlib.error, NotImplementedError, EOFError, OSError, ValueError,
            RuntimeError, struct.error) as exc:
        raise RefusedInput(f"zip member {name!r} cannot be read ({exc or type(exc).__name__})") from None
    _check_ratio(size, info.compress_size, limits.ratio_floor_bytes, limits, f"zip member {name!r}")
    if is_xml:
        check_xml_prolog(head, f"zip member {name!r}")
    return size, kept if keep else head


def _stream(zf: zipfile.ZipFile, info: zipfile.ZipInfo, cap: int, limits: Limits, keep: bool,
            what: str) -> tuple[int, bytes, bytes]:
    size, kept, head = 0, [], b""
    with zf.open(info) as fh:
        while chunk := fh.read(_CHUNK):
            size += len(chunk)
            if size > cap:
                raise RefusedInput(f"zip member {info.filename!r}: {what} expands past its size limit")
            # stop a lying header early, not after the whole member is inflated
            _check_ratio(size, info.compress_size, limits.ratio_floor_bytes, limits,
                         f"zip member {info.filename!r}")
            if len(head) < _PROLOG_SCAN:
                head += chunk[: _PROLOG_SCAN - len(head)]
            if keep:
                kept.append(chunk)
    return size, b"".join(kept), head


def check_zip(data: bytes, limits: Limits = Limits(), _depth: int = 0) -> ZipStats:
    """Refuse zip bombs (ratio, total size, member count, nesting) and XML with a DTD.

    Works for any zip container: DOCX/XLSX/ODT and plain .zip attachments.
    Raises RefusedInput with the reason; returns what it measured otherwise.
    """
    check_size(data, limits)
    zf, infos = open_zip(data, limits)
    total, nested = 0, 0
    for info in infos:
        if info.is_dir():
            continue
        nested_candidate = bool(_NESTED_NAME.search(info.filename))
        size, content = read_member(zf, info, limits.max_uncompressed_bytes - total, limits,
                                    keep=nested_candidate)
        total += size
        if nested_candidate and content.startswith(b"PK\x03\x04"):
            if _depth + 1 > limits.max_nesting_depth:
                raise RefusedInput(f"zip archives nested deeper than {limits.max_nesting_depth} levels")
            inner = check_zip(content, limits, _depth + 1)
            total += inner.uncompressed_bytes
            nested += 1 + inner.nested_archives
            if total > limits.max_uncompressed_bytes:
                raise RefusedInput("archive content expands past its total size limit")
    _check_ratio(total, len(data), limits.total_ratio_floor_bytes, limits, "zip overall")
    return ZipStats(members=len(infos), uncompressed_bytes=total, nested_archives=nested)
