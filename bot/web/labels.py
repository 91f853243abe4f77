"""What staff read on the console: the Vietnamese names of the system's vocabulary (one table,
bot/core/labels.py, shared with the mails, the digest and the XLSX), dates as dd/mm/yyyy HH:MM
in the campaign's time, a few pure helpers (days left, search folding)."""
from __future__ import annotations

import unicodedata
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.core.labels import (  # noqa: F401 - the templates read them as L.<NAME>
    ACTORS,
    CATEGORY_LABELS,
    CLASSIFICATIONS,
    CONTACT_ROLES,
    CONTACT_STATES,
    EVENT_LABELS,
    INBOUND_STATES,
    MAIL_KINDS,
    MATCH_METHODS,
    OUTBOX_STATUS,
    PARSE_STATUS,
    ROLES,
    STATE_LABELS,
)


def event_label(kind: str) -> str:
    return EVENT_LABELS.get(kind) or kind


def category_label(category: str) -> str:
    return CATEGORY_LABELS.get(category, category)


def local_dt(value: datetime | str | None, tz: str) -> str:
    """dd/mm/yyyy HH:MM in the campaign's time zone; '' for none."""
    if not value:
        return ""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.astimezone(ZoneInfo(tz)).strftime("%d/%m/%Y %H:%M")


def percent(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.0f}%".replace(".", ",")


def days_left(deadline: datetime, now: datetime, tz: str) -> int:
    """Calendar days from today to the deadline's day (campaign-local); negative once past."""
    zone = ZoneInfo(tz)
    return (deadline.astimezone(zone).date() - now.astimezone(zone).date()).days


def days_left_text(deadline: datetime, now: datetime, tz: str) -> str:
    n = days_left(deadline, now, tz)
    if now > deadline:
        return f"Đã quá hạn {max(n * -1, 0)} ngày" if n < 0 else "Đã quá giờ hạn hôm nay"
    return "Hôm nay là hạn báo cáo" if n == 0 else f"Còn {n} ngày"


def fold(text: str) -> str:
    """Case- and accent-insensitive form for search: 'Hà Nội' and 'ha noi' meet."""
    text = unicodedata.normalize("NFD", text.casefold()).replace("đ", "d")
    return "".join(c for c in text if not unicodedata.combining(c))
