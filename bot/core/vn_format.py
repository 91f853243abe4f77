"""Dates, numbers and sizes as Vietnamese official writing shows them: one place for the mail
templates, the letters, the digest, the export and the console."""
from __future__ import annotations

from datetime import date, datetime


def vn_datetime(value: datetime) -> str:
    """'17 giờ 00 ngày 30/12/2024' (in the datetime's own timezone)."""
    return f"{value:%H} giờ {value:%M} ngày {value:%d/%m/%Y}"


def vn_date(value: date | datetime) -> str:
    return f"{value:%d/%m/%Y}"


def vn_number(value: float, decimals: int = 0) -> str:
    """Vietnamese digits: '.' groups thousands, ',' marks decimals."""
    s = f"{value:,.{decimals}f}"
    return s.replace(",", "\0").replace(".", ",").replace("\0", ".")


def vn_size(n: int) -> str:
    if n < 1024:
        return f"{vn_number(n)} byte"
    for unit in ("KB", "MB", "GB"):
        n /= 1024
        if n < 1024 or unit == "GB":
            return f"{vn_number(n, 1)} {unit}"
    raise AssertionError("unreachable")


def vn_percent(value: float) -> str:
    return f"{vn_number(value * 100, 0)}%"


def lower_first(s: str) -> str:
    return s[:1].lower() + s[1:]
