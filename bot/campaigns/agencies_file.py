"""The agencies file (CSV or XLSX): read and validated into rows. Pure: bytes in, rows out.

A file with any bad row is refused whole, with every bad row's number and reason,
so nothing is half-imported.
"""
from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import dataclass

from bot.core.errors import UserError

HEADER = ("code", "name", "category", "emails", "domains", "contact_name", "phone", "escalation_emails")
CATEGORIES = ("ministry", "gov_agency", "province", "press_body", "other")
_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,49}$")
_EMAIL = re.compile(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@([A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$")
_DOMAIN = re.compile(r"^([A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$")
MAX_ERRORS_SHOWN = 5


@dataclass(frozen=True)
class AgencyRow:
    line: int
    code: str
    name: str
    category: str
    emails: tuple[str, ...]
    domains: tuple[str, ...]
    contact_name: str
    phone: str
    escalation_emails: tuple[str, ...]


def _split(value: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(p.strip().lower() for p in value.replace(",", ";").split(";") if p.strip()))


def _clean(value: object) -> str:
    text = "" if value is None else str(value)
    return unicodedata.normalize("NFC", text).strip()


def _row_errors(r: AgencyRow) -> list[str]:
    errs = []
    if not _CODE.match(r.code):
        errs.append(f"bad code {r.code!r} (letters, digits, '-', '_', '.'; at most 50)")
    if not r.name:
        errs.append("name is empty")
    if r.category not in CATEGORIES:
        errs.append(f"unknown category {r.category!r} (expected one of {', '.join(CATEGORIES)})")
    if not r.emails:
        errs.append("no e-mail address")
    for field, values in (("emails", r.emails), ("escalation_emails", r.escalation_emails)):
        errs += [f"bad e-mail {e!r} in {field}" for e in values if not _EMAIL.match(e)]
    errs += [f"bad domain {d!r}" for d in r.domains if not _DOMAIN.match(d)]
    return errs


def parse_rows(records: list[list[object]], source: str) -> list[AgencyRow]:
    """records[0] is the header row. Raises UserError naming every bad row (up to a few)."""
    if not records:
        raise UserError(f"{source}: the file is empty")
    header = tuple(_clean(h).lower().lstrip("\ufeff") for h in records[0])
    while header and not header[-1]:
        header = header[:-1]
    if header != HEADER:
        raise UserError(f"{source}: header must be exactly {','.join(HEADER)} (got {','.join(header)})")
    rows, errors, seen = [], [], {}
    for line, rec in enumerate(records[1:], start=2):
        cells = [_clean(c) for c in rec] + [""] * len(HEADER)
        if not any(cells):
            continue
        v = dict(zip(HEADER, cells))
        row = AgencyRow(
            line=line, code=v["code"].upper(), name=v["name"], category=v["category"].lower(),
            emails=_split(v["emails"]), domains=_split(v["domains"]), contact_name=v["contact_name"],
            phone=v["phone"], escalation_emails=_split(v["escalation_emails"]),
        )
        problems = _row_errors(row)
        if row.code in seen:
            problems.append(f"duplicate code {row.code!r} (first on row {seen[row.code]})")
        seen.setdefault(row.code, line)
        errors += [f"row {line}: {p}" for p in problems]
        rows.append(row)
    if errors:
        shown = "; ".join(errors[:MAX_ERRORS_SHOWN])
        more = f" (and {len(errors) - MAX_ERRORS_SHOWN} more)" if len(errors) > MAX_ERRORS_SHOWN else ""
        raise UserError(f"{source}: {shown}{more}; nothing was imported")
    if not rows:
        raise UserError(f"{source}: no agency rows after the header")
    return rows


def read_csv(data: bytes, source: str) -> list[AgencyRow]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise UserError(f"{source}: not UTF-8 (byte {e.start}); save the file as CSV UTF-8") from None
    return parse_rows(list(csv.reader(io.StringIO(text, newline=""))), source)


def read_xlsx(data: bytes, source: str) -> list[AgencyRow]:
    from openpyxl import load_workbook  # noqa: PLC0415 - heavy; loaded only when this runs

    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as e:  # openpyxl raises many types for a bad file
        raise UserError(f"{source}: not a readable XLSX file ({type(e).__name__})") from None
    try:
        records = [list(r) for r in wb.worksheets[0].iter_rows(values_only=True)]
    finally:
        wb.close()
    return parse_rows(records, source)


def read_agencies(data: bytes, source: str) -> list[AgencyRow]:
    """CSV or XLSX, told apart by content (an XLSX is a zip)."""
    return read_xlsx(data, source) if data[:4] == b"PK\x03\x04" else read_csv(data, source)
