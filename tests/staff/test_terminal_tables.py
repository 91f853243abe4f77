"""`reportbot status` and `reportbot quarantine list` fit an 80- or 120-column terminal: no
line is wider, local times read dd/mm HH:MM (never wrapped), e-mail addresses stay whole on
one line, and the columns that do not fit are dropped by priority (issue 11, item 8)."""
from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from rich.cells import cell_len
from sqlmodel import Session

from db.engine import make_engine
from db.models import InboundMessage

from .scenario import NOW

HANOI = ZoneInfo("Asia/Ho_Chi_Minh")
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
LONG_SENDERS = [  # (address, subject, reason)
    ("van.thu.so.thong.tin.truyen.thong@hochiminhcity.gov.vn",
     "Re: [5422/BTTTT-CBC #UBND-HCM] Báo cáo thực hiện Chiến lược chuyển đổi số báo chí năm 2024",
     "no agency matched: van.thu.so.thong.tin.truyen.thong@hochiminhcity.gov.vn is no agency's address"),
    ("phongbaochi.xuatban@sotttt.thuathienhue.gov.vn", "[/b] V/v báo cáo chuyển đổi số [bold]",
     "sender not verified: dkim=fail spf=softfail (our server's Authentication-Results)"),
]


def table_lines(out: str) -> list[str]:
    return [line for line in out.splitlines() if line[:1] in "┃│┏┡└"]


def local(iso: str | None) -> str:
    return datetime.fromisoformat(iso).astimezone(HANOI).strftime("%d/%m %H:%M") if iso else ""


def assert_fits(out: str, width: int) -> None:
    too_wide = [line for line in out.splitlines() if cell_len(line) > width]
    assert not too_wide, too_wide


@pytest.fixture
def quarantine_site(site):
    """The scenario plus messages set aside from long addresses, with long subjects and reasons."""
    engine = make_engine(f"sqlite:///{site.parent / 'data' / 'reportbot.db'}")
    with Session(engine) as s:
        for n, (addr, subject, reason) in enumerate(LONG_SENDERS):
            s.add(InboundMessage(sha256=f"{n}" * 64, message_id=f"<q{n}@x.example>", raw_path=f"mail/q{n}.eml",
                                 from_addr=addr, subject=subject, reason=reason, state="quarantined",
                                 received_at=datetime(2025, 1, 5 + n, 16, 45, tzinfo=ZoneInfo("UTC"))))
        s.commit()
    engine.dispose()
    return site


@pytest.mark.parametrize("width", [80, 120])
def test_the_status_table_fits_the_terminal_with_local_times_as_day_month_hour_minute(cli, site, monkeypatch, width):
    rows = cli("status", "--now", NOW.isoformat(), "--format", "json", "--config", site).json()
    monkeypatch.setenv("COLUMNS", str(width))
    r = cli("status", "--now", NOW.isoformat(), "--config", site)
    assert r.code == 0, r.err
    assert_fits(r.out, width)
    lines = table_lines(r.out)
    assert not [line for line in lines if ISO_DATE.search(line)]
    for row in rows:  # one line per agency: its code, its state, its receipt time in full
        (line,) = [line for line in lines if re.match(rf"│ {re.escape(row['agency'])} +│", line)]
        assert f" {row['state']} " in line
        assert local(row["received_at"]) in line
        if width == 120:
            assert local(row["sent_at"]) in line
    assert any(row["received_at"] for row in rows) and any(row["sent_at"] for row in rows)
    assert f"{len(rows)} agencies: " in r.out  # the summary under the table


def test_a_narrow_terminal_drops_the_columns_of_least_use_first(cli, site, monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    header_80 = table_lines(cli("status", "--now", NOW.isoformat(), "--config", site).out)[1]
    monkeypatch.setenv("COLUMNS", "120")
    header_120 = table_lines(cli("status", "--now", NOW.isoformat(), "--config", site).out)[1]
    names = lambda header: [h.strip() for h in header.strip("┃").split("┃")]  # noqa: E731
    assert names(header_80) == ["Code", "Agency", "State", "Received", "Complete"]
    assert names(header_120)[:7] == ["Code", "Agency", "State", "Sent", "Received", "On time", "Complete"]


def test_a_name_cut_short_is_abbreviated_as_officials_write_it_first(cli, site, monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    lines = table_lines(cli("status", "--now", NOW.isoformat(), "--config", site).out)
    (hni,) = [line for line in lines if line.startswith("│ HNI ")]
    (agg,) = [line for line in lines if line.startswith("│ AGG ")]
    assert "│ UBND TP. Hà Nội " in hni and "│ UBND tỉnh An Giang │" in agg


@pytest.mark.parametrize("width", [80, 120])
def test_quarantine_list_keeps_every_address_whole_on_one_line(cli, quarantine_site, monkeypatch, width):
    items = cli("quarantine", "list", "--format", "json", "--config", quarantine_site).json()
    monkeypatch.setenv("COLUMNS", str(width))
    r = cli("quarantine", "list", "--config", quarantine_site)
    assert r.code == 0, r.err
    assert_fits(r.out, width)
    lines = table_lines(r.out)
    assert len(items) == 1 + len(LONG_SENDERS)
    for item in items:
        (line,) = [line for line in lines if re.match(rf"│ +{item['id']} │", line)]
        assert item["from"] in line and local(item["received_at"]) in line
    assert not [line for line in lines if ISO_DATE.search(line)]
    if width == 120:  # room for the reasons, wrapped at words, and the subjects, cut with an ellipsis
        assert "no agency matched:" in r.out and "│ Re: [5422/" in r.out and "│ [/b] V/v" in r.out


def test_the_json_outputs_do_not_depend_on_the_terminal_width(cli, quarantine_site, monkeypatch):
    outputs = []
    for width in ("80", "200"):
        monkeypatch.setenv("COLUMNS", width)
        outputs.append((cli("status", "--now", NOW.isoformat(), "--format", "json", "--config", quarantine_site).out,
                        cli("status", "--now", NOW.isoformat(), "--format", "csv", "--config", quarantine_site).out,
                        cli("quarantine", "list", "--format", "json", "--config", quarantine_site).out))
    assert outputs[0] == outputs[1]
    assert outputs[0][1].splitlines()[0].startswith("agency,name,category,state,sent_at,received_at,")
