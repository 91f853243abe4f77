"""Intake unpacks zips through the shared guard (parsers.limits) with its own limit values."""
from __future__ import annotations

import io
import os
import zipfile

from bot.intake.attachments import Limits
from bot.intake.unpack import unpack_zip, zip_limits


def _zip(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, content in members.items():
            zf.writestr(name, content)
    return buf.getvalue()


def test_intake_limits_are_passed_to_the_guard():
    guard = zip_limits(Limits(max_archive_members=7, max_uncompressed_bytes=1234, max_zip_ratio=55.0))
    assert (guard.max_zip_members, guard.max_uncompressed_bytes, guard.max_zip_ratio) == (7, 1234, 55.0)
    assert guard.total_ratio_floor_bytes == 0  # intake refuses any archive over its ratio, however small


def test_archive_declaring_more_than_intakes_total_is_refused_whole():
    members, reason = unpack_zip(_zip({"a.txt": os.urandom(3000)}), Limits(max_uncompressed_bytes=2000))
    assert members == [] and "total size limit" in reason


def test_small_archive_over_the_ratio_is_refused_whole():
    members, reason = unpack_zip(_zip({"blank.txt": b" " * 300_000}), Limits())
    assert members == [] and "ratio limit" in reason


def test_bomb_member_is_refused_and_its_sibling_kept():
    archive = _zip({"report.txt": "Báo cáo".encode(), "noise.bin": os.urandom(200_000),
                    "zeros.bin": bytes(5_000_000)})
    members, reason = unpack_zip(archive, Limits())
    assert reason is None
    by_name = {m.name: m for m in members}
    assert by_name["report.txt"].data == "Báo cáo".encode() and by_name["noise.bin"].skipped_reason is None
    assert "ratio limit" in by_name["zeros.bin"].skipped_reason and by_name["zeros.bin"].data == b""


def test_member_over_intakes_file_size_is_refused_unread():
    archive = _zip({"big.bin": os.urandom(5000), "small.txt": b"ok"})
    members, reason = unpack_zip(archive, Limits(max_file_bytes=4000))
    by_name = {m.name: m for m in members}
    assert reason is None and by_name["small.txt"].data == b"ok"
    assert "size limit" in by_name["big.bin"].skipped_reason and by_name["big.bin"].size == 5000
