"""`reportbot demo` end to end, faster than the default: the real service on an accelerated
clock against the loopback servers and simulated agencies; then its outputs read back and
compared with `reportbot status --format json` on the demo's database."""
from __future__ import annotations

import io
import json
import re
from collections import Counter
from html.parser import HTMLParser

import pytest
from docx import Document
from openpyxl import load_workbook
from rich.console import Console

from bot.cli import main
from bot.core.labels import STATE_SHORT_LABELS as STATE_LABELS
from bot.demo import office
from bot.demo.runner import Demo, print_outcome

SPEED = 32_000.0  # the three weeks in about 60 s (the default, 24000, takes about 80 s)
DIGEST_STATES = {  # mail_templates/_labels.j2
    "Chưa gửi công văn": "not_sent", "Đã gửi, đang chờ báo cáo": "sent",
    "Thư bị trả lại, chưa liên lạc được": "bounced", "Quá hạn, chưa báo cáo": "overdue",
    "Đã nhận, còn thiếu nội dung": "received_incomplete", "Đã nhận đủ nội dung": "received",
    "Không thuộc đối tượng báo cáo": "exempt",
}


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    out = io.StringIO()
    console = Console(file=out, width=160)
    result = Demo(tmp_path_factory.mktemp("demo") / "demo", speed=SPEED, console=console).run()
    print_outcome(console, result)
    result.output = out.getvalue()
    return result


@pytest.fixture(scope="module")
def status(run):
    """`reportbot status --format json` on the demo's database, at the demo's last moment."""
    import contextlib

    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        code = main(["status", "--format", "json", "--config", str(run.config), "--now", run.now.isoformat()])
    assert code == 0
    return json.loads(buf.getvalue())


def test_the_demo_keeps_every_invariant(run):
    broken = {v.name: v.violations[:5] for v in run.verdicts if not v.ok}
    assert broken == {}, run.output[-4000:]
    assert run.exit_code == 0
    assert "all invariants hold" in run.output


def test_the_agencies_played_the_whole_scenario(run, status):
    sent = Counter(s.kind for s in run.world.sent)
    behaviour = Counter(run.world.behaviour.values())
    assert sent["bounce"] == 1 and sent["auto_reply"] == 4
    assert sent["report"] == len(run.world.forms)  # every planned reply went out
    forms = set(run.world.forms.values())
    assert {"docx", "pdf", "scan", "body", "html", "zip"} <= forms and (("doc" in forms) == office.available())
    states = Counter(r["state"] for r in status)
    assert states["bounced"] == 2
    assert states["overdue"] == behaviour["never"]  # the late ones all reported in the end
    assert states["received"] + states["received_incomplete"] == len(status) - 2 - behaviour["never"]
    corrected = [r for r in status if run.world.behaviour[r["agency"]] == "corrected"]
    assert corrected and all(r["submissions"] == 2 and r["state"] == "received" for r in corrected)
    assert all(r["reminders_sent"] == 0 for r in status if r["state"] == "bounced")


class _Text(HTMLParser):
    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.cells: list[str] = []
        self.chunks: list[str] = []
        self.feed(html)
        self.close()

    def handle_data(self, data: str) -> None:
        self.chunks.append(data)
        if data.strip():
            self.cells.append(data.strip())


def test_the_digest_html_parses_and_its_figures_agree_with_status(run, status):
    html = run.digest.read_text(encoding="utf-8")
    page = _Text(html)
    text = " ".join("".join(page.chunks).split())
    replied = sum(r["state"] in ("received", "received_incomplete") for r in status)
    assert f"Tình hình chung: {replied}/{len(status)} cơ quan đã gửi báo cáo" in text
    shown = {DIGEST_STATES[c]: int(page.cells[i + 1]) for i, c in enumerate(page.cells[:-1]) if c in DIGEST_STATES}
    assert shown == {s: sum(r["state"] == s for r in status) for s in DIGEST_STATES.values()}
    assert 'src="data:image/png;base64,' in html


def test_the_export_reads_back_and_its_figures_agree_with_status(run, status):
    docx_path = next(p for p in run.exports if p.suffix == ".docx")
    xlsx_path = next(p for p in run.exports if p.suffix == ".xlsx")
    doc = Document(str(docx_path))
    summary = next(p.text for p in doc.paragraphs if p.text.startswith("Tổng số cơ quan"))
    numbers = [int(n) for n in re.findall(r"\d+", summary)]
    got = [r for r in status if r["received_at"]]
    late = sum(r["on_time"] is False for r in got)
    assert numbers == [len(status), len(got), len(got) - late, late, sum(bool(r["missing"]) for r in got),
                       len(status) - len(got)]
    table = doc.tables[0]
    assert len(table.rows) == len(status) + 1
    assert sum(row.cells[2].text == "Chưa nhận" for row in table.rows[1:]) == len(status) - len(got)

    wb = load_workbook(xlsx_path, read_only=True)
    rows = list(wb["Tình trạng"].iter_rows(values_only=True))
    header, body = rows[0], rows[1:]
    col = {h: i for i, h in enumerate(header)}
    sheet = {r[col["Mã"]]: r for r in body}
    assert set(sheet) == {r["agency"] for r in status}
    for r in status:
        row = sheet[r["agency"]]
        assert row[col["Tình trạng"]] == STATE_LABELS[r["state"]]
        assert row[col["Số lần nhắc"]] == r["reminders_sent"]
        assert row[col["Số lần gửi báo cáo"]] == r["submissions"]
        if r["completeness"] is not None:
            assert row[col["Mức độ đầy đủ"]] == pytest.approx(r["completeness"])


def test_the_demo_refuses_a_folder_it_did_not_make(tmp_path, capsys):
    (tmp_path / "notes.txt").write_text("someone's notes")
    assert main(["demo", "--dir", str(tmp_path)]) == 2
    assert "was not made by `reportbot demo`" in capsys.readouterr().err
    assert (tmp_path / "notes.txt").exists()
    assert main(["demo", "--dir", str(tmp_path / "x"), "--speed", "5"]) == 2
