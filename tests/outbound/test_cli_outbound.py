"""`reportbot dispatch` and `reportbot tick` end to end, against a real aiosmtpd server on loopback."""
from __future__ import annotations

import hashlib
import signal
import subprocess
import sys
from collections import Counter

import pytest

from db.models import Submission

from .helpers import at
from .outbox_site import (  # noqa: F401 (fixtures)
    agency_row,
    kinds_by_agency,
    make_site_fixture,
    parsed,
    run_cli_fixture,
)

CALENDAR = [  # (tick at, agencies that get a mail at that tick)
    (at("18/12/2024", "12:00"), ""),
    (at("19/12/2024", "09:00"), "AAA BBB CCC"),       # the dispatch
    (at("19/12/2024", "17:00"), ""),
    (at("24/12/2024", "08:00"), ""),
    (at("25/12/2024", "08:00"), "AAA BBB CCC"),       # reminder: 5 days before 30/12
    (at("27/12/2024", "08:00"), "AAA CCC"),           # 2 days before: Saturday 28/12 → Friday; BBB reported
    (at("28/12/2024", "08:00"), ""),
    (at("30/12/2024", "08:00"), "AAA CCC"),           # the deadline's day
    (at("31/12/2024", "08:00"), "AAA CCC"),           # first overdue reminder
    (at("01/01/2025", "08:00"), ""),                  # New Year's Day
    (at("03/01/2025", "08:00"), ""),
    (at("06/01/2025", "08:00"), "AAA CCC"),           # 3 working days later: 02, 03, 06/01 — escalated
    (at("09/01/2025", "08:00"), "AAA CCC"),
    (at("14/01/2025", "08:00"), ""),                  # overdue_max = 3
]


def test_the_5422_calendar_through_tick_at_fixed_instants(make_site):
    site = make_site(agencies=[agency_row("AAA"), agency_row("BBB"),
                               agency_row("CCC", escalation="lanhdao@ccc.example")])
    for now, expected in CALENDAR:
        if now == at("27/12/2024", "08:00"):  # BBB's report was recorded on 26/12
            c, bbb = site.campaign(), site.agency("BBB")
            with site.session() as s:
                s.add(Submission(campaign_id=c.id, agency_id=bbb.id, received_at=at("26/12/2024", "10:00")))
        before = len(site.smtp.messages)
        r = site.cli("tick", "--now", now.isoformat())
        assert r.code == 0, r.err
        got = sorted(kinds_by_agency(site.smtp.messages[before:]))
        assert got == expected.split(), f"tick at {now}: {r.out}"

    days = kinds_by_agency(site.smtp.messages)
    assert days["AAA"] == [("dispatch", "19/12"), ("reminder", "25/12"), ("reminder", "27/12"),
                           ("reminder", "30/12"), ("overdue", "31/12"), ("overdue", "06/01"),
                           ("overdue", "09/01")]
    assert days["BBB"] == [("dispatch", "19/12"), ("reminder", "25/12")]
    copied = [m.rcpt_tos for m in site.smtp.messages if "lanhdao@ccc.example" in m.rcpt_tos]
    assert len(copied) == 2  # escalate_on_overdue = 2: the 2nd and 3rd overdue reminders only
    assert len({parsed(m.data)["Message-ID"] for m in site.smtp.messages}) == len(site.smtp.messages)


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_dispatching_twice_sends_each_agency_once(make_site, backend, request):
    db_url = request.getfixturevalue("pg_url") if backend == "postgresql" else "sqlite:///data/reportbot.db"
    site = make_site(db_url=db_url, concurrency=4)
    first = site.cli("dispatch")
    assert first.code == 0, first.err
    # Regression: psycopg reports rowcount -1 for INSERT ... ON CONFLICT, which once hid every
    # queued row (no event, "0 queued") on PostgreSQL.
    assert "100 dispatch(es) queued; 100 sent" in first.out
    assert len(site.events("outbox.queued")) == 100 and len(site.events("outbox.sent")) == 100
    second = site.cli("dispatch")
    assert second.code == 0, second.err
    assert "0 dispatch(es) queued; 0 sent" in second.out
    rows = site.rows(kind="dispatch")
    assert len(rows) == 100 and {r.status for r in rows} == {"sent"}
    got = Counter(parsed(m.data)["Message-ID"] for m in site.smtp.messages)
    assert len(site.smtp.messages) == 100 and set(got.values()) == {1}
    assert set(got) == {r.message_id for r in rows}


def _dispatch_subprocess(site) -> subprocess.Popen:
    code = "import sys; from bot.cli import main; sys.exit(main(sys.argv[1:]))"
    return subprocess.Popen([sys.executable, "-c", code, "dispatch", "--config", str(site.config)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=site.folder)


def test_a_killed_dispatch_resumes_without_duplicates(make_site):
    # 20 messages a second, 2 connections: the kill lands mid-run.
    site = make_site(rate_per_minute=1200, concurrency=2)
    proc = _dispatch_subprocess(site)
    try:
        site.smtp.wait_for(15, timeout=60)
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
    arrived = len(site.smtp.messages)
    assert arrived < 100, "the sender finished before it was killed"
    assert Counter(r.status for r in site.rows())["sent"] < 100

    again = site.cli("dispatch")  # a fresh run picks up what was left, in-flight rows included
    assert again.code == 0, again.err

    rows = site.rows(kind="dispatch")
    assert {r.status for r in rows} == {"sent"} and len(rows) == 100
    by_id = {r.message_id: r for r in rows}
    seen = Counter()
    for m in site.smtp.messages:
        mid = parsed(m.data)["Message-ID"]
        assert m.data == site.body(by_id[mid])  # the stored bytes, resends included
        seen[mid] += 1
    assert set(seen) == set(by_id)
    resent = [mid for mid, n in seen.items() if n > 1]
    # Only a message in flight at the kill (at most one per connection) may arrive twice,
    # and then with its one Message-ID.
    assert len(resent) <= 2 and all(seen[mid] == 2 for mid in resent)


def test_dry_run_writes_each_mail_as_eml_and_sends_nothing(make_site):
    site = make_site(agencies=[agency_row("AAA"), agency_row("BBB")])
    r = site.cli("dispatch", "--dry-run")
    assert r.code == 0, r.err
    folder = site.folder / "data" / "dry-run"
    files = sorted(folder.glob("*/*.eml"))
    assert [f.name for f in files] == ["0001-AAA-dispatch-1.eml", "0002-BBB-dispatch-1.eml"]
    assert parsed(files[0].read_bytes())["To"].addresses[0].addr_spec == "vanthu@aaa.example"
    assert site.rows() == [] and site.smtp.messages == []
    assert site.events("outbox.queued") == []

    out = site.folder / "review"
    assert site.cli("dispatch", "--dry-run", "--out", str(out)).code == 0
    assert len(list(out.glob("*.eml"))) == 2


def test_the_dispatch_as_received_parses_back_intact(make_site):
    hostile = '<b>Sở "TT&TT"</b>\r\nBcc: spy@evil.example'
    site = make_site(agencies=[agency_row("XSS", name=hostile.replace("\r\n", " "))])
    assert site.cli("dispatch").code == 0
    (got,) = site.smtp.messages
    got.data.decode("ascii")  # 7-bit clean on the wire
    msg = parsed(got.data)
    (row,) = site.rows()
    assert msg["Message-ID"] == row.message_id and got.data == site.body(row)
    assert got.rcpt_tos == ("vanthu@xss.example",) and msg["Bcc"] is None
    assert str(msg["Subject"]).startswith("[5422/BTTTT-CBC #XSS] Công văn số 5422/BTTTT-CBC về việc báo cáo")
    assert b"=?utf-8?" in got.data.split(b"\r\n\r\n", 1)[0].lower()  # headers RFC 2047-encoded
    assert msg["From"].addresses[0].display_name == "Cục Báo chí"
    assert msg["Reply-To"].addresses[0].addr_spec == "baocao@example.gov.vn"
    assert msg["Auto-Submitted"] == "auto-generated"
    html = msg.get_body(("html",)).get_content()
    assert "&lt;b&gt;Sở &#34;TT&amp;TT&#34;&lt;/b&gt;" in html and "<b>Sở" not in html
    assert '<b>Sở "TT&TT"</b>' in msg.get_body(("plain",)).get_content()
    stored = {a["name"]: a["sha256"] for a in site.campaign().attachments}
    sent = {p.get_filename(): hashlib.sha256(p.get_content()).hexdigest() for p in msg.iter_attachments()}
    assert sent == stored and len(sent) == 2  # the letter and the blank report form


def test_unreachable_smtp_server_exits_1_and_keeps_the_mail_queued(make_site, smtp_server_factory):
    down = smtp_server_factory()
    site = make_site(smtp=down, agencies=[agency_row("AAA"), agency_row("BBB")])
    down.stop()
    r = site.cli("dispatch")
    assert r.code == 1
    assert r.err.count("\n") == 1 and "cannot connect to SMTP server" in r.err and "2 mail(s) stay queued" in r.err
    assert [row.status for row in site.rows()] == ["pending", "pending"]
    assert all(row.attempts == 0 for row in site.rows())


def test_bad_input_exits_2_with_one_line(make_site):
    site = make_site(agencies=[agency_row("AAA")])
    for args in (("tick", "--now", "next tuesday"), ("tick", "--now", "2024-12-25T08:00:00"),
                 ("dispatch", "--out", str(site.folder / "x"))):
        r = site.cli(*args)
        assert r.code == 2 and r.err.count("\n") == 1, (args, r.err)
    assert site.rows() == []


def test_from_the_second_overdue_reminder_a_formal_letter_for_signature_is_attached(make_site):
    import io as _io

    import docx

    site = make_site(agencies=[agency_row("NAN", name="Ủy ban nhân dân tỉnh Nghệ An"),
                               agency_row("QNI", name="Ủy ban nhân dân tỉnh Quảng Ninh")])
    by_tick = []
    for now in (at("19/12/2024", "09:00"), at("31/12/2024", "08:00"), at("06/01/2025", "08:00")):
        before = len(site.smtp.messages)
        assert site.cli("tick", "--now", now.isoformat()).code == 0
        by_tick.append([parsed(m.data) for m in site.smtp.messages[before:]])

    def letters(mail):
        return [p for p in mail.iter_attachments() if (p.get_filename() or "").startswith("cong-van-don-doc-")]

    first, second = by_tick[1], by_tick[2]
    assert [str(m["X-Reportbot-Kind"]) for m in first + second] == ["overdue"] * 4
    assert all(letters(m) == [] for m in first)                          # the 1st overdue: no letter
    for mail in second:                                                  # the 2nd: one letter each
        [doc] = letters(mail)
        text = "\n".join(p.text for p in docx.Document(_io.BytesIO(doc.get_content())).paragraphs)
        who = "Nghệ An" if "nan." in str(mail["To"]) else "Quảng Ninh"
        assert f"Kính gửi: Chủ tịch Ủy ban nhân dân tỉnh {who}" in text
        assert "V/v đôn đốc gửi báo cáo theo Công văn số 5422/BTTTT-CBC" in text or \
            "V/v đôn đốc gửi báo cáo theo Công văn số 5422/BTTTT-CBC" in _cells(doc)
        assert "trước ngày 30/12/2024" in text and "Bùi Hoàng Phương" in _cells(doc)


def _cells(part) -> str:
    import io as _io

    import docx

    d = docx.Document(_io.BytesIO(part.get_content()))
    return "\n".join(p.text for t in d.tables for row in t.rows for c in row.cells for p in c.paragraphs)


def test_preview_renders_any_agency_mail_as_it_would_leave_and_queues_nothing(make_site, tmp_path):
    site = make_site(agencies=[agency_row("NAN", name="Ủy ban nhân dân tỉnh Nghệ An")])
    letter = site.cli("preview", "NAN", "--now", at("19/12/2024", "09:00").isoformat())
    assert letter.code == 0, letter.err
    assert "Subject: [5422/BTTTT-CBC #NAN]" in letter.out and "To: " in letter.out and "vanthu@nan.example" in letter.out
    assert letter.out.count("Attachment: ") >= 2 and "Kính gửi: Ủy ban nhân dân tỉnh Nghệ An" in letter.out
    eml = tmp_path / "overdue2.eml"
    second = site.cli("preview", "NAN", "--kind", "overdue", "--seq", "2", "--out", str(eml),
                      "--now", at("06/01/2025", "08:00").isoformat())
    assert second.code == 0 and "Attachment: cong-van-don-doc-5422-BTTTT-CBC-nan.docx" in second.out
    assert parsed(eml.read_bytes())["X-Reportbot-Kind"] == "overdue"
    assert site.cli("preview", "XYZ").code == 2 and site.cli("preview", "NAN", "--kind", "ack").code == 2
    assert site.smtp.messages == [] and site.events("outbox.queued") == []
