"""Open containers found in mail: zip archives and TNEF (winmail.dat), within limits.

Pure, never raising. Each member comes back as a `Member`; a member refused by a limit
(bomb, encrypted, too many, too deep) comes back too, without data, with the reason, so
nothing disappears silently.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass

from tnefparse import TNEF

from bot.intake.headers import decode_bytes
from parsers.limits import Limits, RefusedInput, member_encrypted, open_zip, read_member


@dataclass(frozen=True)
class Member:
    name: str
    data: bytes
    size: int  # the size the container declares (the data may be empty when refused)
    skipped_reason: str | None = None
    skipped_code: str = ""  # FileSkip code (intake/attachments.py) when refused


def zip_limits(limits: Limits) -> Limits:
    """The limits the shared zip guard (parsers.limits) applies to a mail's archive."""
    return limits.for_mail_archives()


def unpack_zip(data: bytes, limits: Limits) -> tuple[list[Member], str | None]:
    """Members of a zip, or ([], reason) when the archive as a whole is refused.

    What is safe to open is decided by the shared guard in parsers.limits: the archive
    by what its directory declares, each member while it streams (a lying header is
    caught at its real size); a refused member is kept, without data, with the reason.
    """
    guard = zip_limits(limits)
    try:
        zf, infos = open_zip(data, guard)
    except RefusedInput as refused:
        return [], refused.reason
    members: list[Member] = []
    budget = limits.max_uncompressed_bytes
    for info in (i for i in infos if not i.is_dir()):
        member = _read_member(zf, info, min(budget, limits.max_file_bytes), guard)
        budget -= len(member.data)
        members.append(member)
    return members, None


def _read_member(zf: zipfile.ZipFile, info: zipfile.ZipInfo, cap: int, guard: Limits) -> Member:
    name = _member_name(info)
    if member_encrypted(info):
        return Member(name, b"", info.file_size, "encrypted zip member", "encrypted")
    try:
        _, content = read_member(zf, info, cap, guard, xml_parts=False)
    except RefusedInput as refused:
        return Member(name, b"", info.file_size, refused.reason, "over_limit")
    except Exception as exc:  # noqa: BLE001 - never raise: whatever else breaks is recorded
        return Member(name, b"", info.file_size, f"unreadable zip member ({type(exc).__name__})", "unreadable")
    return Member(name, content, info.file_size)


def _member_name(info: zipfile.ZipInfo) -> str:
    if info.flag_bits & 0x800:  # the archiver declared UTF-8
        return info.filename
    raw = info.filename.encode("cp437", "replace")  # zipfile decoded it as cp437; undo that
    return decode_bytes(raw, "utf-8")


def unpack_tnef(data: bytes, limits: Limits) -> tuple[list[Member], str | None]:
    """Attachments inside a winmail.dat, or ([], reason)."""
    try:
        tnef = TNEF(data)
    except Exception as exc:  # noqa: BLE001
        return [], f"unreadable TNEF ({type(exc).__name__})"
    members = []
    for i, att in enumerate(getattr(tnef, "attachments", []) or [], 1):
        payload = att.data if isinstance(att.data, bytes) else b""
        name = _tnef_name(att) or f"tnef-attachment-{i}"
        if len(payload) > limits.max_file_bytes:
            members.append(Member(name, b"", len(payload), f"TNEF attachment too large ({len(payload)} bytes)",
                                  "over_limit"))
        else:
            members.append(Member(name, payload, len(payload)))
    return members, None


def tnef_body(data: bytes) -> tuple[str, bool] | None:
    """The message body carried inside a TNEF blob, as (text, is_html); None when absent."""
    try:
        tnef = TNEF(data)
    except Exception:  # noqa: BLE001
        return None
    for attr, is_html in (("body", False), ("htmlbody", True)):
        value = getattr(tnef, attr, None)
        if isinstance(value, bytes):
            value = decode_bytes(value, None)
        if isinstance(value, str) and value.strip():
            return value, is_html
    return None


def _tnef_name(att) -> str:
    try:
        long_name = att.long_filename()
    except Exception:  # noqa: BLE001
        long_name = None
    if long_name:
        return long_name if isinstance(long_name, str) else decode_bytes(long_name, None)
    raw = getattr(att, "_name", b"")
    if isinstance(raw, bytes):
        return decode_bytes(raw.strip(b"\x00"), None)
    return str(raw).strip("\x00")
