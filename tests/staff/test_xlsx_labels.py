"""Staff read Vietnamese in the status sheet, never the event log's internal codes."""
from __future__ import annotations

import io

from openpyxl import load_workbook

from bot.core.labels import EVENT_LABELS
from bot.staff.xlsx import status_workbook


def test_last_event_is_shown_in_vietnamese():
    row = {"agency": "BYT", "name": "Bộ Y tế", "category": "ministry", "state": "received", "sent_at": None,
           "received_at": None, "on_time": True, "completeness": 1.0, "missing": [], "reminders_sent": 0,
           "submissions": 1, "last_event": "submission.recorded", "last_event_at": None}
    ws = load_workbook(io.BytesIO(status_workbook([row]))).worksheets[0]
    values = [c.value for c in ws[2]]
    assert "Đã nhận báo cáo" in values and "submission.recorded" not in values


def test_every_event_kind_the_code_logs_has_a_label():
    import re
    from pathlib import Path
    root = Path(__file__).resolve().parents[2]
    kinds = set()
    for p in list((root / "bot").rglob("*.py")):
        kinds |= set(re.findall(r'(?:log_event|_ev)\(\w+, "([a-z_]+\.[a-z_]+)"', p.read_text()))
    kinds |= {f"mail.{c}" for c in ("auto_reply", "bounce", "own")}
    assert "submission.recorded" in kinds
    assert kinds - EVENT_LABELS.keys() - {"campaign.created", "campaign.updated"} == set()
