"""`reportbot digest` and `reportbot export` run in-process, on SQLite and on PostgreSQL."""
from __future__ import annotations

import base64
import io
import re
from email import message_from_bytes, policy

import pytest
from docx import Document
from openpyxl import load_workbook
from sqlmodel import Session, select

from bot.outbound.outbox import read_body
from db.engine import make_engine
from db.models import OutboundMail, ServiceState

from .conftest import STAFF, write_config
from .readback import Html, png_size
from .scenario import NOW, make_database

NOW_ARG = NOW.isoformat()


def test_digest_out_writes_html_text_workbook_and_chart(cli, site, tmp_path):
    out = tmp_path / "reports" / "digest.html"
    r = cli("digest", "--config", site, "--out", out, "--now", NOW_ARG)
    assert r.code == 0, r.err
    assert r.out.split() == [str(out.with_suffix(s)) for s in (".html", ".txt", ".xlsx", ".png")]
    html = Html(out.read_text(encoding="utf-8"))
    src, = [a["src"] for t, a in html.tags if t == "img"]
    assert src.startswith("data:image/png;base64,")
    assert base64.b64decode(src.split(",", 1)[1]) == out.with_suffix(".png").read_bytes()
    png_size(out.with_suffix(".png").read_bytes())
    text = out.with_suffix(".txt").read_text(encoding="utf-8")
    assert "1. Tình hình chung: 4/101 cơ quan đã gửi báo cáo." in text
    assert load_workbook(out.with_suffix(".xlsx"))["Tình trạng"].max_row == 102
    assert _digest_rows(site) == []  # --out sends nothing...
    assert _since(site) == "2025-01-02T07:30:00+07:00"  # ...and does not move "since"


def test_digest_send_queues_once_a_day_and_moves_since(cli, site, tmp_path):
    r = cli("digest", "--config", site, "--send", "--now", NOW_ARG)
    assert r.code == 0, r.err and "queued" in r.out
    rows = _digest_rows(site)
    assert [(m.dedupe_key, m.status, m.to_addrs) for m in rows] == [
        ("5422/BTTTT-CBC|-|digest|20250106", "pending", [STAFF])]
    msg = message_from_bytes(_digest_body(site, rows[0]), policy=policy.default)
    assert [p.get_content_type() for p in msg.walk()][:5] == [
        "multipart/mixed", "multipart/alternative", "text/plain", "multipart/related", "text/html"]
    assert _since(site) == NOW_ARG
    again = cli("digest", "--config", site, "--send", "--now", NOW_ARG)
    assert again.code == 0 and "already queued" in again.out and len(_digest_rows(site)) == 1
    preview = cli("digest", "--config", site, "--now", NOW_ARG)  # prints the text; since = the sent one
    assert preview.code == 0 and "Báo cáo mới nhận từ 09 giờ 00 ngày 06/01/2025 (0):" in preview.out


def test_export_writes_docx_and_xlsx(cli, site, tmp_path):
    out = tmp_path / "export"
    r = cli("export", "--config", site, "--out", out, "--now", NOW_ARG)
    assert r.code == 0, r.err
    docx, xlsx = (out / "tong-hop-5422-BTTTT-CBC.docx"), (out / "tong-hop-5422-BTTTT-CBC.xlsx")
    assert r.out.split() == [str(docx), str(xlsx)]
    assert Document(docx).paragraphs[0].text == "TỔNG HỢP BÁO CÁO CỦA CÁC CƠ QUAN, ĐƠN VỊ"
    assert load_workbook(xlsx).sheetnames == ["Tình trạng", "Chỉ số", "Mức độ đầy đủ"]
    assert not [p for p in out.iterdir() if p.name.startswith(".")]  # no temporary file left


@pytest.mark.parametrize("args, message", [
    (("digest", "--send", "--out", "x.html"), "--send and --out"),
    (("digest", "--out", "x.txt"), "--out"),
    (("digest", "--now", "2025-01-06T09:00"), "no UTC offset"),
    (("export",), "--out"),
    (("export", "--out", "o", "--campaign", "nope"), "no campaign 'nope'"),
])
def test_bad_input_is_one_line_and_exit_2(cli, site, args, message):
    r = cli(*args, "--config", site)
    assert r.code == 2 and message in r.err and "Traceback" not in r.err


def test_digest_and_export_on_postgresql(cli, pg_url, tmp_path, site):
    make_database(pg_url, tmp_path / "pg-store").dispose()
    pg_site = write_config(tmp_path / "pg", pg_url)
    texts = []
    for config in (site, pg_site):
        out = tmp_path / f"out-{len(texts)}"
        assert cli("digest", "--config", config, "--out", out / "d.html", "--now", NOW_ARG).code == 0
        assert cli("export", "--config", config, "--out", out, "--now", NOW_ARG).code == 0
        sheets = load_workbook(io.BytesIO((out / "tong-hop-5422-BTTTT-CBC.xlsx").read_bytes()))
        # Every value but the status sheet's last column (when the event log was written: the wall clock).
        values = [[c.value for c in row][:-1 if ws.title == "Tình trạng" else None]
                  for ws in sheets for row in ws.iter_rows()]
        docx = [p.text for p in Document(out / "tong-hop-5422-BTTTT-CBC.docx").paragraphs]
        texts.append(((out / "d.txt").read_text(encoding="utf-8"), values, docx))
    assert texts[0] == texts[1]  # the same facts give the same reports on both databases
    assert cli("digest", "--config", pg_site, "--send", "--now", NOW_ARG).code == 0
    assert re.search(r"digest\|20250106", _digest_rows(pg_site, pg_url)[0].dedupe_key)


def _engine(site, url=None):
    return make_engine(url or f"sqlite:///{site.parent / 'data' / 'reportbot.db'}")


def _digest_body(site, row: OutboundMail) -> bytes:
    engine = _engine(site)
    with Session(engine) as s:
        raw = read_body(s, row.id)
    engine.dispose()
    return raw


def _digest_rows(site, url=None) -> list[OutboundMail]:
    engine = _engine(site, url)
    with Session(engine) as s:
        rows = s.exec(select(OutboundMail).where(OutboundMail.kind == "digest")).all()
    engine.dispose()
    return rows


def _since(site) -> str | None:
    engine = _engine(site)
    with Session(engine) as s:
        row = s.get(ServiceState, "digest:5422/BTTTT-CBC")
    engine.dispose()
    return (row.value or {}).get("at") if row else None
