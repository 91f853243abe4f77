"""Open containers found in mail: zip archives and TNEF (winmail.dat), within limits.

Pure, never raising. Each member comes back as a `Member`; a member refused by a limit
(bomb, encrypted, too many, too deep) comes back too, without data, with the reason, so
nothing disappears silently.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.intake.headers import decode_bytes

if TYPE_CHECKING:
    from bot.intake.attachments import Limits


@dataclass(frozen=True)
class Member:
    name: str
    data: bytes
    size: int  # the size the container declares (the data may be empty when refused)
    skipped_reason: str | None = None


def unpack_zip(data: bytes, limits: Limits) -> tuple[list[Member], str | None]:
    """Members of a zip, or ([], reason) when the archive as a whole is refused."""
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    except Exception as exc:  # noqa: BLE001
        return [], f"unreadable zip ({type(exc).__name__})"
    files = [i for i in infos if not i.is_dir()]
    if len(files) > limits.zip_max_members:
        return [], f"zip has {len(files)} members (limit {limits.zip_max_members})"
    declared = sum(i.file_size for i in files)
    if declared > limits.zip_max_total_bytes:
        return [], f"zip would expand to {declared} bytes (limit {limits.zip_max_total_bytes})"
    if declared > limits.zip_max_ratio * max(len(data), 1):
        return [], f"zip expansion ratio {declared / max(len(data), 1):.0f}:1 (limit {limits.zip_max_ratio:.0f}:1)"
    members: list[Member] = []
    budget = limits.zip_max_total_bytes
    for info in files:
        member = _read_member(zf, info, min(budget, limits.max_file_bytes), limits.zip_max_ratio)
        budget -= len(member.data)
        members.append(member)
    return members, None


def _read_member(zf: zipfile.ZipFile, info: zipfile.ZipInfo, cap: int, max_ratio: float) -> Member:
    name = _member_name(info)
    if info.flag_bits & 0x1:
        return Member(name, b"", info.file_size, "encrypted zip member")
    if info.file_size > cap:
        return Member(name, b"", info.file_size, f"zip member too large ({info.file_size} bytes)")
    if info.compress_size and info.file_size > max_ratio * info.compress_size and info.file_size > 1_000_000:
        return Member(name, b"", info.file_size, "zip member expansion ratio too high")
    try:
        with zf.open(info) as fh:
            content = fh.read(cap + 1)  # never trust the declared size
    except Exception as exc:  # noqa: BLE001 - bad CRC, unsupported method, truncated data
        return Member(name, b"", info.file_size, f"unreadable zip member ({type(exc).__name__})")
    if len(content) > cap:
        return Member(name, b"", info.file_size, "zip member larger than declared (bomb)")
    return Member(name, content, info.file_size)


def _member_name(info: zipfile.ZipInfo) -> str:
    if info.flag_bits & 0x800:  # the archiver declared UTF-8
        return info.filename
    raw = info.filename.encode("cp437", "replace")  # zipfile decoded it as cp437; undo that
    return decode_bytes(raw, "utf-8")


def unpack_tnef(data: bytes, limits: Limits) -> tuple[list[Member], str | None]:
    """Attachments inside a winmail.dat, or ([], reason)."""
    try:
        from tnefparse import TNEF

        tnef = TNEF(data)
    except Exception as exc:  # noqa: BLE001
        return [], f"unreadable TNEF ({type(exc).__name__})"
    members = []
    for i, att in enumerate(getattr(tnef, "attachments", []) or [], 1):
        payload = att.data if isinstance(att.data, bytes) else b""
        name = _tnef_name(att) or f"tnef-attachment-{i}"
        if len(payload) > limits.max_file_bytes:
            members.append(Member(name, b"", len(payload), f"TNEF attachment too large ({len(payload)} bytes)"))
        else:
            members.append(Member(name, payload, len(payload)))
    return members, None


def tnef_body(data: bytes) -> tuple[str, bool] | None:
    """The message body carried inside a TNEF blob, as (text, is_html); None when absent."""
    try:
        from tnefparse import TNEF

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
