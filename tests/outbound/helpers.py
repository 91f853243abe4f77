"""Helpers shared by the outbound tests (importable; conftest holds the fixtures)."""
from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

CAMPAIGN_FILE = Path(__file__).resolve().parents[2] / "campaigns" / "5422-BTTTT-CBC.toml"
HCM = ZoneInfo("Asia/Ho_Chi_Minh")


def at(day: str, hm: str = "08:00") -> datetime:
    """at("25/12/2024", "08:00") → an aware datetime in Vietnam."""
    return datetime.strptime(f"{day} {hm}", "%d/%m/%Y %H:%M").replace(tzinfo=HCM)


def local(moment: datetime) -> str:
    """'25/12/2024 08:00' in Vietnam time, for readable assertions."""
    return moment.astimezone(HCM).strftime("%d/%m/%Y %H:%M")
