"""What staff record by hand (`reportbot agencies exempt | submit`), end to end through the CLI,
the planner and a real aiosmtpd sink: an exempt agency gets no more reminders; a report that came
by post stops the reminders, gets no acknowledgement and is in the export like a mailed one."""
from __future__ import annotations

import json

import docx
from sqlmodel import select

from bot.core.store import sha256_hex
from db.models import Enrollment, Submission
from tests.sites import outline_docx

from .helpers import at
from .outbox_site import agency_row, make_site_fixture, run_cli_fixture  # noqa: F401 (fixtures)

REASON = "Tỉnh không có cơ quan báo chí trực thuộc"


def _tick(site, when) -> None:
    r = site.cli("tick", "--now", when.isoformat())
    assert r.code == 0, r.err


def _reminded(site, since: int) -> list[str]:
    return sorted(a for m in site.smtp.messages[since:] for a in m.rcpt_tos)


def _states(site, when) -> dict[str, str]:
    r = site.cli("status", "--format", "json", "--now", when.isoformat())
    return {row["agency"]: row["state"] for row in json.loads(r.out)}


def test_an_exempt_agency_gets_no_more_reminders_until_put_back(make_site):
    site = make_site(agencies=[agency_row("AAA"), agency_row("BBB")])
    _tick(site, at("19/12/2024", "09:00"))
    r = site.cli("agencies", "exempt", "bbb", "--reason", REASON, "--now", at("20/12/2024").isoformat())
    assert r.code == 0 and "BBB: exempt in 5422/BTTTT-CBC" in r.out
    assert "already exempt" in site.cli("agencies", "exempt", "BBB", "--reason", REASON).out
    before = len(site.smtp.messages)
    _tick(site, at("25/12/2024"))  # the first reminder
    assert _reminded(site, before) == ["vanthu@aaa.example"]
    assert _states(site, at("25/12/2024")) == {"AAA": "sent", "BBB": "exempt"}
    with site.session() as s:
        assert {e.exempt_reason for e in s.exec(select(Enrollment))} == {"", REASON}

    assert site.cli("agencies", "exempt", "BBB", "--undo").code == 0
    before = len(site.smtp.messages)
    _tick(site, at("27/12/2024"))  # the second reminder goes to both again
    assert _reminded(site, before) == ["vanthu@aaa.example", "vanthu@bbb.example"]
    assert [e.kind for e in site.events("agency.exempted")] == ["agency.exempted"]
    assert [e.kind for e in site.events("agency.unexempted")] == ["agency.unexempted"]


def test_exempt_asks_for_a_reason_or_undo_and_a_known_agency(make_site):
    site = make_site(agencies=[agency_row("AAA")])
    for args, said in ((["AAA"], "give --reason TEXT"), (["AAA", "--reason", REASON, "--undo"], "give --reason TEXT"),
                       (["AAA", "--reason", "  "], "--reason: say why"), (["ZZZ", "--reason", REASON], "no agency 'ZZZ'")):
        r = site.cli("agencies", "exempt", *args)
        assert r.code == 2 and said in r.err and r.err.count("\n") == 1, (args, r.err)


def test_a_report_that_came_by_post_stops_reminders_and_is_exported_with_its_road(make_site, tmp_path):
    site = make_site(agencies=[agency_row("AAA"), agency_row("BBB")])
    _tick(site, at("19/12/2024", "09:00"))
    scan = tmp_path / "BC AAA (bản giấy).docx"
    scan.write_bytes(outline_docx(lambda node: f"Nội dung mục {node} của AAA gửi qua đường bưu điện.", issuer="Sở AAA"))
    r = site.cli("agencies", "submit", "AAA", str(scan), "--received", "2024-12-27", "--now", at("27/12/2024", "15:00").isoformat())
    assert r.code == 0, r.err
    assert "AAA: version 1 recorded, received 27/12/2024 00:00 (on time); completeness 100%" in r.out
    before = len(site.smtp.messages)
    _tick(site, at("30/12/2024"))  # the last reminder before the deadline
    assert _reminded(site, before) == ["vanthu@bbb.example"]
    assert site.rows(kind="ack") == []  # nothing to acknowledge by mail: it did not come by mail
    assert _states(site, at("31/12/2024", "09:00")) == {"AAA": "received", "BBB": "overdue"}

    out = tmp_path / "out"
    assert site.cli("export", "--out", str(out), "--now", at("31/12/2024").isoformat()).code == 0
    doc = docx.Document(next(out.glob("*.docx")))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "Nội dung mục III.3 của AAA gửi qua đường bưu điện." in text
    assert "BC AAA (bản giấy).docx (nhận ngoài thư điện tử)" in text
    assert site.app.store.get(sha256_hex(scan.read_bytes())) == scan.read_bytes()  # the file is kept


def test_submit_refuses_unknown_agencies_missing_files_and_undated_times(make_site, tmp_path):
    site = make_site(agencies=[agency_row("AAA")])
    f = tmp_path / "a.docx"
    f.write_bytes(outline_docx(lambda node: "x"))
    for args, said in ((["ZZZ", str(f)], "no agency 'ZZZ'"), (["AAA", str(tmp_path / "none.pdf")], "file not found"),
                       (["AAA", str(f), "--received", "28/12/2024"], "--received: expected a date"),
                       (["AAA", str(f), "--received", "2024-12-28T09:00"], "has no UTC offset")):
        r = site.cli("agencies", "submit", *args)
        assert r.code == 2 and said in r.err, (args, r.err)
    with site.session() as s:
        assert s.exec(select(Submission)).all() == []


def test_a_reminder_waiting_for_a_retry_is_cancelled_once_the_agency_is_exempt(make_site):
    site = make_site(agencies=[agency_row("AAA"), agency_row("BBB")])
    _tick(site, at("19/12/2024", "09:00"))
    site.smtp.reject(451, stage="rcpt", address="vanthu@bbb.example", times=1)
    _tick(site, at("25/12/2024"))
    (waiting,) = site.rows(kind="reminder", status="pending")
    assert site.cli("agencies", "exempt", "BBB", "--reason", REASON).code == 0
    before = len(site.smtp.messages)
    _tick(site, at("25/12/2024", "11:00"))
    (row,) = site.rows(id=waiting.id)
    assert row.status == "cancelled" and row.last_error == "the agency is exempt"
    assert len(site.smtp.messages) == before
