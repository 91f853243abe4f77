"""`reportbot parse`: the contract's JSON shape from the command line, no database needed."""
from __future__ import annotations

import docx

from bot.cli.parse_cmds import default_outline

from .conftest import CAMPAIGN_FILE


def _report(path, headings):
    d = docx.Document()
    for level, heading, body in headings:
        d.add_heading(heading, level)
        d.add_paragraph(body)
    d.save(path)
    return path


def test_one_file_gives_one_object_in_outline_order(cli, tmp_path):
    f = _report(tmp_path / "bao-cao.docx", [
        (1, "I. Tình hình chuyển đổi số của cơ quan báo chí trực thuộc", "Đã ban hành kế hoạch."),
        (1, "IV. Khó khăn, vướng mắc", "Thiếu kinh phí đầu tư."),
    ])
    r = cli("parse", f)
    assert r.code == 0, r.err
    report = r.json()
    assert report["source"] == "bao-cao.docx" and report["format"] == "docx"
    assert report["outline"] == "5422/BTTTT-CBC"
    assert [s["id"] for s in report["sections"]] == [n.id for n in default_outline().nodes]
    iv = next(s for s in report["sections"] if s["id"] == "IV")
    assert iv["found"] and iv["text"] == "Thiếu kinh phí đầu tư."
    assert "V" in report["missing"] and "IV" not in report["missing"]


def test_several_files_give_an_array(cli, tmp_path):
    a = _report(tmp_path / "a.docx", [(1, "V. Đề xuất, kiến nghị", "Đề nghị hỗ trợ.")])
    b = _report(tmp_path / "b.docx", [(1, "IV. Khó khăn, vướng mắc", "Khó khăn.")])
    r = cli("parse", a, b)
    assert [x["source"] for x in r.json()] == ["a.docx", "b.docx"]


def test_outline_from_a_campaign_file(cli, tmp_path):
    f = _report(tmp_path / "a.docx", [(1, "V. Đề xuất, kiến nghị", "Đề nghị hỗ trợ.")])
    assert cli("parse", f, "--outline", CAMPAIGN_FILE).json()["outline"] == "5422/BTTTT-CBC"


def test_missing_file_is_a_user_error_before_any_output(cli, tmp_path):
    f = _report(tmp_path / "a.docx", [(1, "V. Đề xuất, kiến nghị", "x")])
    r = cli("parse", f, tmp_path / "missing.pdf")
    assert r.code == 2 and "missing.pdf: file not found" in r.err and r.out == ""


def test_text_format_marks_found_and_missing(cli, tmp_path):
    f = _report(tmp_path / "a.docx", [(1, "V. Đề xuất, kiến nghị", "Đề nghị hỗ trợ.")])
    r = cli("parse", f, "--format", "text")
    assert r.code == 0 and "a.docx" in r.out and "Đề nghị hỗ trợ." in r.out
