"""Agencies import: CSV (with or without BOM) and XLSX, all-or-nothing validation, idempotent updates."""
from __future__ import annotations

import io

import pytest
from openpyxl import Workbook
from sqlmodel import select

from bot.campaigns.agencies_file import HEADER, read_agencies
from bot.campaigns.agency_load import import_agencies
from bot.core.app import App
from bot.core.config import parse_config
from bot.core.errors import UserError
from db.engine import migrate
from db.models import Agency, Contact, Event

HEAD = ",".join(HEADER)
GOOD = [
    "BYT,Bộ Y tế,ministry,vanthu@byt.example;cntt@byt.example,byt.example,,,vanphong@byt.example",
    "NAN,Ủy ban nhân dân tỉnh Nghệ An,province,vanthu@nghean.example,nghean.example;stttt.nghean.example,,,",
]


def _csv(*rows: str, bom: bool = False) -> bytes:
    return (("\ufeff" if bom else "") + "\n".join([HEAD, *rows]) + "\n").encode("utf-8")


@pytest.fixture
def app(tmp_path):
    cfg = parse_config({"database": {"url": "sqlite:///db.sqlite"}}, source="t", base_dir=tmp_path)
    application = App(cfg)
    migrate(application.engine)
    return application


def test_csv_with_and_without_bom_read_the_same():
    assert read_agencies(_csv(*GOOD), "a.csv") == read_agencies(_csv(*GOOD, bom=True), "a.csv")


def test_xlsx_with_the_same_header_reads_like_csv():
    wb = Workbook()
    ws = wb.active
    for line in [HEAD, *GOOD]:
        ws.append(line.split(","))
    buf = io.BytesIO()
    wb.save(buf)
    assert read_agencies(buf.getvalue(), "a.xlsx") == read_agencies(_csv(*GOOD), "a.csv")


def test_decomposed_names_are_stored_nfc():
    import unicodedata
    rows = read_agencies(_csv(unicodedata.normalize("NFD", GOOD[0])), "a.csv")
    assert rows[0].name == "Bộ Y tế" and unicodedata.is_normalized("NFC", rows[0].name)


@pytest.mark.parametrize("bad_row, reason", [
    ("BTC,Bộ Tài chính,ministry,not-an-address,btc.example,,,", "row 4: bad e-mail 'not-an-address'"),
    ("BTC,Bộ Tài chính,bogus,vanthu@btc.example,,,,", "row 4: unknown category 'bogus'"),
    ("BYT,Bộ Y tế (bản sao),ministry,x@byt.example,,,,", "row 4: duplicate code 'BYT' (first on row 2)"),
    ("BTC,,ministry,vanthu@btc.example,,,,", "row 4: name is empty"),
    ("BTC,Bộ Tài chính,ministry,,,,,", "row 4: no e-mail address"),
    ("BTC,Bộ Tài chính,ministry,vanthu@btc.example,bad domain,,,", "row 4: bad domain"),
])
def test_a_bad_row_refuses_the_whole_file_naming_row_and_reason(app, bad_row, reason):
    with pytest.raises(UserError) as e:
        read_agencies(_csv(*GOOD, bad_row), "a.csv")
    assert reason in str(e.value) and "nothing was imported" in str(e.value)


def test_wrong_header_is_refused():
    with pytest.raises(UserError, match="header must be exactly"):
        read_agencies(b"ma,ten\nBYT,Bo Y te\n", "a.csv")


def test_non_utf8_csv_is_refused_with_advice():
    with pytest.raises(UserError, match="not UTF-8"):
        read_agencies(_csv(*GOOD).replace("Bộ".encode(), "B\xf4".encode("latin-1")), "a.csv")


def test_cli_bad_file_imports_nothing(app, tmp_path):
    from bot.cli import main
    bad = tmp_path / "bad.csv"
    bad.write_bytes(_csv(*GOOD, "X,Y,ministry,nope,,,,"))
    cfg = tmp_path / "config.toml"
    cfg.write_text('[database]\nurl = "sqlite:///db.sqlite"\n')
    assert main(["agencies", "import", str(bad), "--config", str(cfg)]) == 2
    with app.session() as s:
        assert s.exec(select(Agency)).all() == []


def test_reimport_updates_in_place_and_keeps_contact_state(app):
    with app.session() as s:
        import_agencies(s, read_agencies(_csv(*GOOD), "a.csv"), None)
    with app.session() as s:
        c = s.exec(select(Contact).where(Contact.email == "vanthu@byt.example")).one()
        c.state = "bounced"
    changed = GOOD[0].replace("Bộ Y tế", "Bộ Y Tế").replace("vanthu@byt.example;cntt@byt.example",
                                                           "vanthu@byt.example;vp@byt.example")
    with app.session() as s:
        summary = import_agencies(s, read_agencies(_csv(changed, GOOD[1]), "a.csv"), None)
    assert (summary.created, summary.updated, summary.unchanged) == (0, 1, 1)
    with app.session() as s:
        assert len(s.exec(select(Agency)).all()) == 2
        emails = {(c.email, c.state) for c in s.exec(select(Contact).where(Contact.role == "primary"))}
        assert ("vanthu@byt.example", "bounced") in emails
        assert ("vp@byt.example", "active") in emails
        assert not any(e == "cntt@byt.example" for e, _ in emails)
        ev = s.exec(select(Event).where(Event.kind == "agency.updated")).one()
        assert set(ev.detail["changed"]) == {"name", "contacts"}


def test_identical_reimport_writes_no_event(app):
    rows = read_agencies(_csv(*GOOD), "a.csv")
    with app.session() as s:
        import_agencies(s, rows, None)
    with app.session() as s:
        n = len(s.exec(select(Event)).all())
        summary = import_agencies(s, rows, None)
    assert summary.unchanged == 2
    with app.session() as s:
        assert len(s.exec(select(Event)).all()) == n
