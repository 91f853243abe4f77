"""The digest's figures agree with the database; the mail is well formed, escaped and complete."""
from __future__ import annotations

import io
from collections import Counter
from datetime import datetime, timedelta

from openpyxl import load_workbook

from bot.outbound.mails import Sender
from bot.staff.digest import (
    DigestFacts,
    Problem,
    build_digest_message,
    digest_context,
    gather_digest,
    last_mark,
    make_digest,
)
from bot.staff.status import campaign_status

from .conftest import SENDER, STAFF
from .readback import Html, parse_mail, png_size
from .scenario import HOSTILE, ICT, NOW, OVERDUE_REMINDERS, REPORTS, SINCE

TITLES_IV_V = [{"id": "IV", "title": "Khó khăn, vướng mắc"}, {"id": "V", "title": "Đề xuất, kiến nghị"}]


def test_counts_by_state_and_category_equal_the_status(session, campaign):
    rows = campaign_status(session, campaign, NOW)
    ctx = digest_context(gather_digest(session, campaign, NOW), now=NOW, since=SINCE)
    assert {k: v for k, v in ctx["by_state"].items() if v} == dict(Counter(r["state"] for r in rows))
    assert sum(ctx["by_state"].values()) == len(rows) == 101
    by_cat = {c["category"]: c for c in ctx["by_category"]}
    assert list(by_cat) == ["ministry", "gov_agency", "province", "press_body", "other"]
    for cat, c in by_cat.items():
        mine = [r for r in rows if r["category"] == cat]
        assert c["total"] == len(mine)
        for state in ("received", "received_incomplete", "overdue", "bounced", "exempt", "not_sent"):
            assert c[state] == sum(1 for r in mine if r["state"] == state), (cat, state)
    assert by_cat["ministry"]["label"] == "Bộ, cơ quan ngang bộ"


def test_overdue_agencies_with_their_reminders(session, campaign):
    rows = campaign_status(session, campaign, NOW)
    ctx = digest_context(gather_digest(session, campaign, NOW), now=NOW, since=SINCE)
    overdue = {o["agency_code"]: o for o in ctx["overdue"]}
    assert set(overdue) == {r["agency"] for r in rows if r["state"] == "overdue"}
    assert overdue["TTXVN"]["reminders_sent"] == len(OVERDUE_REMINDERS["TTXVN"]) == 4
    assert overdue["TTXVN"]["escalated"] is True
    assert overdue["TTXVN"]["last_reminder_at"] == datetime(2025, 1, 5, 8, 0, tzinfo=ICT)
    assert (overdue["BQP"]["reminders_sent"], overdue["BQP"]["escalated"]) == (1, False)
    assert overdue["BNV"]["reminders_sent"] == 0  # its overdue reminder failed: not a reminder had
    assert {o["days_late"] for o in overdue.values()} == {7}  # 30/12 -> 06/01
    assert not {"BYT", "BTC", "HNI", "BCA", "BNG"} & set(overdue)


def test_incomplete_reports_name_the_missing_sections(session, campaign):
    ctx = digest_context(gather_digest(session, campaign, NOW), now=NOW, since=SINCE)
    lacking = {i["agency_code"]: i["missing"] for i in ctx["incomplete"]}
    assert lacking == {"BTC": TITLES_IV_V, "EVIL": [{"id": "III.4", "title": "Bài học kinh nghiệm"}]}


def test_new_arrivals_are_those_since_the_previous_digest(session, campaign):
    facts = gather_digest(session, campaign, NOW)
    assert last_mark(session, campaign).at == SINCE
    new = digest_context(facts, now=NOW, since=SINCE)["new_arrivals"]
    assert [(a["agency_code"], a["version"], a["on_time"]) for a in new] == [("VOV", 2, False)]
    assert new[0]["received_at"] == datetime(2025, 1, 3, 10, tzinfo=ICT) and new[0]["completeness"] == 1.0
    everything = digest_context(facts, now=NOW, since=None)["new_arrivals"]
    assert [a["agency_code"] for a in everything] == [r.code for r in sorted(REPORTS, key=lambda r: r.received_at)]
    before = digest_context(facts, now=datetime(2024, 12, 27, 12, tzinfo=ICT), since=None)["new_arrivals"]
    assert [a["agency_code"] for a in before] == ["BYT", "BTC"]  # nothing from after `now`


def test_problems_needing_a_person(session, campaign):
    problems = digest_context(gather_digest(session, campaign, NOW), now=NOW, since=SINCE)["problems"]
    by_kind = Counter(p["kind"] for p in problems)
    assert by_kind == {"bounce": 1, "quarantine": 1, "parse_error": 2, "send_failed": 1}
    bounce, = [p for p in problems if p["kind"] == "bounce"]
    assert bounce["agency_code"] == "HNI" and "vanthu@hanoi.example" in bounce["detail"]
    assert "550 5.1.1" in bounce["detail"]
    quarantined, = [p for p in problems if p["kind"] == "quarantine"]
    assert "nguoila@unknown.example" in quarantined["detail"] and "reportbot quarantine assign" in quarantined["ref"]
    assert "không xác định được cơ quan gửi" in quarantined["detail"]  # staff read Vietnamese first,
    assert "chi tiết kỹ thuật: no agency matched" in quarantined["detail"]  # then the recorded reason
    unreadable, archive = [p for p in problems if p["kind"] == "parse_error"]
    assert unreadable["agency_code"] == "BQP" and "BC BQP (mật khẩu).docx" in unreadable["detail"]
    assert "tệp được đặt mật khẩu; đề nghị cơ quan gửi lại" in unreadable["detail"]
    assert "Phụ lục BQP.rar" in archive["detail"] and "tệp nén RAR hệ thống chưa giải nén được" in archive["detail"]
    failed, = [p for p in problems if p["kind"] == "send_failed"]
    assert failed["agency_code"] == "BNV" and failed["ref"] == "<overdue.1.BNV@example.gov.vn>"
    assert "421 4.7.0" in failed["detail"]


def test_a_wave_of_quarantined_mail_is_summed_up_not_listed_whole():
    facts = DigestFacts(code="X", tz="Asia/Ho_Chi_Minh", deadline=NOW, start=NOW.date(), titles={}, status=[],
                        problems=[Problem("quarantine", None, None, f"thư {i}") for i in range(45)]
                        + [Problem("bounce", "A", "Sở A", "trả lại")])
    problems = digest_context(facts, now=NOW, since=None)["problems"]
    assert sum(1 for p in problems if p["kind"] == "quarantine") == 31
    assert any(p["detail"] == "và 15 trường hợp khác cùng loại" for p in problems)
    assert any(p["kind"] == "bounce" for p in problems)


def _mail(session, campaign):
    digest = make_digest(session, campaign, now=NOW)  # since: the digest recorded at SINCE
    return digest, parse_mail(build_digest_message(campaign, digest, sender=Sender(SENDER), to=[STAFF], now=NOW))


def test_mail_has_text_html_inline_chart_and_status_workbook(session, campaign):
    digest, msg = _mail(session, campaign)
    assert msg["To"] == STAFF and msg["Auto-Submitted"] == "auto-generated"
    assert "4/101 cơ quan đã báo cáo" in str(msg["Subject"])
    html = Html(msg.get_body(("html",)).get_content())
    src, = [attrs["src"] for tag, attrs in html.tags if tag == "img"]
    assert src.startswith("cid:")
    related = msg.get_body(("html",))  # multipart/related holds the HTML and its image
    images = [p for p in msg.walk() if p.get_content_type() == "image/png"]
    assert len(images) == 1 and images[0]["Content-ID"] == f"<{src[4:]}>"
    assert images[0].get_content() == digest.chart_png and png_size(digest.chart_png)[0] >= 600
    assert related is not None and "inline" in images[0]["Content-Disposition"]
    xlsx, = [p for p in msg.iter_attachments() if p.get_filename().endswith(".xlsx")]
    assert xlsx.get_filename() == "tinh-trang-5422-BTTTT-CBC-20250106.xlsx"
    ws = load_workbook(io.BytesIO(xlsx.get_content()))["Tình trạng"]
    assert ws.max_row == 1 + 101
    text = msg.get_body(("plain",)).get_content()
    assert "4. Cơ quan quá hạn chưa gửi báo cáo (94)" in text
    assert "[TTXVN] Thông tấn xã Việt Nam: quá hạn 7 ngày, đã nhắc 4 lần" in text
    assert "[BTC] Bộ Tài chính: thiếu IV. Khó khăn, vướng mắc; V. Đề xuất, kiến nghị" in text
    assert "Báo cáo mới nhận từ 07 giờ 30 ngày 02/01/2025 (1)" in text


def test_hostile_agency_name_is_escaped_in_html(session, campaign):
    _, msg = _mail(session, campaign)
    source = msg.get_body(("html",)).get_content()
    html = Html(source)
    assert "script" not in {tag for tag, _ in html.tags}
    assert HOSTILE in html.text  # shown as text, exactly
    assert "&lt;script&gt;" in source
    assert HOSTILE in msg.get_body(("plain",)).get_content()


def test_digest_of_a_day_with_nothing_new(session, campaign):
    later = NOW + timedelta(days=1)
    ctx = digest_context(gather_digest(session, campaign, later), now=later, since=NOW)
    assert ctx["new_arrivals"] == [] and ctx["by_state"]["overdue"] == 94
