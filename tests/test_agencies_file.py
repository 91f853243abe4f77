"""The recipients of letter 5422/BTTTT-CBC (December 2024), as an agencies file.

The file follows the agencies-file contract of DESIGN.md and lists the real
addressees (ministries, government agencies, the 63 provinces and a few press
governing bodies) with placeholder addresses under the reserved `.example` TLD.
"""
from __future__ import annotations

import csv
import re
import unicodedata
from collections import Counter
from pathlib import Path

import pytest

AGENCIES = Path(__file__).resolve().parents[1] / "campaigns" / "agencies-5422.csv"
HEADER = ["code", "name", "category", "emails", "domains", "contact_name", "phone", "escalation_emails"]
CATEGORIES = {"ministry", "gov_agency", "province", "press_body", "other"}
# Deliberately strict: one local part, one or more dot-separated DNS labels.
EMAIL = re.compile(r"^[A-Za-z0-9._%+-]+@([A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?\.)+example$")
LABEL = re.compile(r"^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$")
PROVINCE_NAME = re.compile(r"^Ủy ban nhân dân (tỉnh|thành phố) (.+)$")


@pytest.fixture(scope="module")
def raw() -> bytes:
    return AGENCIES.read_bytes()


@pytest.fixture(scope="module")
def rows(raw) -> list[dict[str, str]]:
    return list(csv.DictReader(raw.decode("utf-8").splitlines()))


def split(field: str) -> list[str]:
    return [item.strip() for item in field.split(";") if item.strip()]


def test_file_is_utf8_without_bom_and_header_exact(raw):
    assert not raw.startswith(b"\xef\xbb\xbf")
    header = next(csv.reader(raw.decode("utf-8").splitlines()))
    assert header == HEADER


def test_every_row_has_all_fields(rows):
    for row in rows:
        assert None not in row, f"extra fields in {row}"
        assert all(row[k] is not None for k in HEADER), f"missing fields in {row}"


def test_codes_unique_ascii_uppercase(rows):
    codes = [r["code"] for r in rows]
    dupes = [c for c, n in Counter(codes).items() if n > 1]
    assert not dupes
    for code in codes:
        assert re.fullmatch(r"[A-Z][A-Z0-9]{1,11}", code), code


def test_categories_and_counts(rows):
    counts = Counter(r["category"] for r in rows)
    assert set(counts) <= CATEGORIES
    assert counts["ministry"] == 22
    assert counts["gov_agency"] == 8
    assert counts["province"] == 63
    assert counts["press_body"] >= 5
    assert len(rows) >= 93


def test_all_addresses_valid_and_under_example_tld(rows):
    for row in rows:
        emails = split(row["emails"]) + split(row["escalation_emails"])
        assert split(row["emails"]), f"{row['code']} has no e-mail"
        for address in emails:
            assert EMAIL.match(address), f"{row['code']}: {address!r}"
        domains = split(row["domains"])
        assert domains, f"{row['code']} has no domain"
        for domain in domains:
            assert domain.endswith(".example"), domain
            assert all(LABEL.match(label) for label in domain.split(".")), domain
        # Replies must match by domain: the main address sits on a listed domain.
        first_domain = split(row["emails"])[0].split("@", 1)[1]
        assert first_domain in domains, row["code"]


def test_domains_not_shared_between_agencies(rows):
    owners = Counter(d for r in rows for d in split(r["domains"]))
    assert [d for d, n in owners.items() if n > 1] == []


def test_all_text_is_nfc(rows):
    for row in rows:
        for key, value in row.items():
            assert unicodedata.normalize("NFC", value) == value, f"{row['code']}.{key}"


def test_provinces_are_the_63_of_december_2024(rows):
    provinces = [r for r in rows if r["category"] == "province"]
    parsed = [PROVINCE_NAME.match(r["name"]) for r in provinces]
    assert all(parsed), [r["name"] for r, m in zip(provinces, parsed) if not m]
    names = [m.group(2) for m in parsed]
    assert len(set(names)) == 63
    cities = sorted(m.group(2) for m in parsed if m.group(1) == "thành phố")
    # Huế became a centrally-run city only on 1/1/2025.
    assert cities == sorted(["Hà Nội", "Hồ Chí Minh", "Hải Phòng", "Đà Nẵng", "Cần Thơ"])
    for expected in ("Nghệ An", "Thừa Thiên Huế", "Bà Rịa - Vũng Tàu", "Đắk Lắk", "Đắk Nông",
                     "Khánh Hòa", "Thanh Hóa", "Hòa Bình", "Bắc Kạn", "Quảng Ngãi", "Kon Tum"):
        assert expected in names, expected


def test_provinces_list_their_department_of_information_domain(rows):
    for row in rows:
        if row["category"] != "province":
            continue
        domains = split(row["domains"])
        assert any(d.startswith("stttt.") for d in domains), row["code"]


def test_ministries_and_government_agencies_present(rows):
    by_category = {c: {r["name"] for r in rows if r["category"] == c} for c in CATEGORIES}
    for name in ("Bộ Thông tin và Truyền thông", "Bộ Lao động - Thương binh và Xã hội",
                 "Bộ Văn hóa, Thể thao và Du lịch", "Bộ Nông nghiệp và Phát triển nông thôn",
                 "Ủy ban Dân tộc", "Ngân hàng Nhà nước Việt Nam", "Thanh tra Chính phủ",
                 "Văn phòng Chính phủ"):
        assert name in by_category["ministry"], name
    for name in ("Đài Truyền hình Việt Nam", "Thông tấn xã Việt Nam", "Đài Tiếng nói Việt Nam",
                 "Bảo hiểm xã hội Việt Nam"):
        assert name in by_category["gov_agency"], name
    assert "Hội Nhà báo Việt Nam" in by_category["press_body"]
