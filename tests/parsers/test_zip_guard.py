"""parsers.limits as the one zip guard: open_zip judges the directory, read_member the
stream; check_zip (Office packages) and intake's unpacking both go through them."""
from __future__ import annotations

import io
import struct
import zipfile

import pytest

from parsers.limits import MB, Limits, RefusedInput, check_zip, open_zip, read_member


def _zip(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, content in members.items():
            zf.writestr(name, content)
    return buf.getvalue()


def _declare_size(archive: bytes, size: int) -> bytes:
    """Rewrite the uncompressed size the central directory declares for the first member."""
    data = bytearray(archive)
    central = data.find(b"PK\x01\x02")
    data[central + 24: central + 28] = struct.pack("<I", size)
    return bytes(data)


def test_directory_declaring_too_much_is_refused_before_inflating():
    archive = _declare_size(_zip({"report.txt": b"bao cao"}), 0xFFFF0000)
    with pytest.raises(RefusedInput, match="declares .* total size limit"):
        open_zip(archive, Limits())


def test_member_declaring_more_than_its_budget_is_refused_unread():
    zf, infos = open_zip(_zip({"a.txt": b"x" * 5000}), Limits())
    with pytest.raises(RefusedInput, match="past its size limit"):
        read_member(zf, infos[0], 4000, Limits())
    assert read_member(zf, infos[0], 5000, Limits()) == (5000, b"x" * 5000)


def test_member_whose_header_understates_its_size_cannot_smuggle_more():
    archive = _declare_size(_zip({"zeros.bin": bytes(2 * MB)}), 1000)
    zf, infos = open_zip(archive, Limits())
    with pytest.raises(RefusedInput, match="cannot be read"):  # inflated past 1000 bytes: bad CRC
        read_member(zf, infos[0], 10 * MB, Limits())


def test_xml_checks_apply_to_office_parts_and_can_be_left_to_plain_archives():
    xml = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><x>&a;</x>'
    archive = _zip({"data.xml": xml})
    with pytest.raises(RefusedInput, match="DOCTYPE/ENTITY"):
        check_zip(archive, Limits())
    zf, infos = open_zip(archive, Limits())
    assert read_member(zf, infos[0], MB, Limits(), xml_parts=False)[1] == xml


def test_whole_archive_ratio_floor_is_the_callers_choice():
    archive = _zip({"blank.txt": b" " * 500_000})  # ~500:1, but small
    assert check_zip(archive, Limits()).uncompressed_bytes == 500_000
    with pytest.raises(RefusedInput, match="ratio limit"):
        open_zip(archive, Limits(total_ratio_floor_bytes=0))
