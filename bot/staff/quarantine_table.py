"""`reportbot quarantine list` as a table that fits the terminal (bot/staff/terminal_table.py):
the sender's address whole on one line, the time local as dd/mm HH:MM, the subject cut with an
ellipsis, the reason wrapped at words (a word longer than its column, say an address it quotes,
is cut with an ellipsis, never broken in two); the subject goes first when the terminal is narrow."""
from __future__ import annotations

from zoneinfo import ZoneInfo

from rich.table import Table
from sqlmodel import Session, select

from bot.staff.terminal_table import Col, fit_table, local_time
from db.models import Campaign

DEFAULT_TZ = "Asia/Ho_Chi_Minh"


def display_timezone(session: Session) -> ZoneInfo:
    """The latest campaign's time zone (messages set aside often belong to no campaign)."""
    tz = session.exec(select(Campaign.timezone).order_by(Campaign.id.desc())).first()  # type: ignore[union-attr]
    return ZoneInfo(tz or DEFAULT_TZ)


def quarantine_table(items: list[dict], *, tz: ZoneInfo, width: int) -> Table:
    """The `quarantine list --format json` items in `width` terminal cells."""
    return fit_table([
        Col("Id", [str(i["id"]) for i in items], keep=0, justify="right"),
        Col("Received", [local_time(i["received_at"], tz) for i in items], keep=2),
        Col("From", [i["from"] or "" for i in items], keep=1),
        Col("Subject", [i["subject"] or "" for i in items], keep=4, free="cut", min_width=12),
        Col("Reason", [i["reason"] or "" for i in items], keep=3, free="wrap", min_width=20),
    ], width, title=f"{len(items)} message(s) set aside")
