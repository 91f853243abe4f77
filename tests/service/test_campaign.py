"""A whole campaign against the real Dovecot and aiosmtpd, on a clock the test chooses.

The scheduler tick (the very function `reportbot run` and `reportbot tick` call) is driven at
chosen moments, and the agencies' replies are appended to the inbox between ticks:

- BYT replies on time, complete; BTC on time without sections IV and V; DNG after the first
  reminder; TTXVN late, after the first overdue reminder;
- VOV answers with an out-of-office auto-reply and never reports; BQP never answers;
- HNI's address is refused by the SMTP server (550); NAN's server returns a DSN.

Then one real `reportbot run` process proves the service starts, ticks and stops on SIGTERM.
"""
from __future__ import annotations

import io
import json
import re
import subprocess
import sys
from collections import Counter

import openpyxl
from docx import Document
from sqlmodel import select

from bot.cli import main
from bot.staff.export import write_export
from bot.staff.status import campaign_status
from bot.staff.xlsx import NO, YES
from db.models import Contact, InboundMessage, OutboundMail, Submission
from tests.sites import ENTRY, OUTLINE, ServiceRun, wait_until

from .site import NAMES, address, at, auto_reply, dsn, report_reply, section_text, sent_by_agency

STATE_LABELS = {"not_sent": "Chưa gửi công văn", "sent": "Đã gửi, đang chờ báo cáo",
                "bounced": "Thư bị trả lại, chưa liên lạc được", "overdue": "Quá hạn, chưa báo cáo",
                "received_incomplete": "Đã nhận, còn thiếu nội dung", "received": "Đã nhận đủ nội dung",
                "exempt": "Không thuộc đối tượng báo cáo"}
END = at(6, 1, 8)


def test_a_whole_campaign_on_an_injected_clock(site_factory, tmp_path):
    site = site_factory(staff_mailbox=True)
    play_the_campaign(site)
    check_reminders_went_only_to_those_who_had_not_reported(site)
    check_bounces_auto_replies_and_acks(site)
    check_one_digest_a_working_day_matching_the_status(site)
    check_the_export(site, tmp_path / "export")
    check_a_real_run_starts_ticks_and_stops_on_sigterm(site)


def play_the_campaign(site) -> None:
    site.tick(at(19, 12, 9))                                       # the dispatch
    site.append(dsn("NAN", site.dispatch_to("NAN"), at(19, 12, 9, 5)), at(19, 12, 9, 5))
    site.append(auto_reply("VOV", site.dispatch_to("VOV"), at(19, 12, 9, 10)), at(19, 12, 9, 10))
    site.append(report_reply("BYT", site.dispatch_to("BYT"), at(23, 12, 10)), at(23, 12, 10))
    site.append(report_reply("BTC", site.dispatch_to("BTC"), at(24, 12, 15), missing=("IV", "V")),
                at(24, 12, 15))
    assert site.poll(at(24, 12, 15, 30)).count("processed") == 3   # 2 reports and the DSN
    site.tick(at(24, 12, 16))                                      # the acknowledgements go out
    site.tick(at(24, 12, 17))                                      # the same day again: nothing new
    site.tick(at(25, 12, 8))                                       # first reminder (5 days before)
    site.append(report_reply("DNG", site.dispatch_to("DNG"), at(26, 12, 9)), at(26, 12, 9))
    site.poll(at(26, 12, 9, 30))
    site.tick(at(26, 12, 10))
    site.tick(at(27, 12, 8))                                       # second reminder (2 days before)
    assert site.tick(at(28, 12, 10)).queued == Counter()           # a Saturday: no mail, no digest
    site.tick(at(31, 12, 8))                                       # down on 30/12: no stale reminder
    site.append(report_reply("TTXVN", site.dispatch_to("TTXVN"), at(2, 1, 10)), at(2, 1, 10))
    site.poll(at(2, 1, 10, 30))
    site.tick(END)                                                 # down 2-3/01: one digest, 2nd overdue


def check_reminders_went_only_to_those_who_had_not_reported(site) -> None:
    dispatch, r1, r2, o1, o2 = ("dispatch", 1), ("reminder", 1), ("reminder", 2), ("overdue", 1), ("overdue", 2)
    assert sent_by_agency(site) == {
        "BYT": [dispatch], "BTC": [dispatch], "NAN": [dispatch],   # HNI: refused, never accepted
        "DNG": [dispatch, r1], "TTXVN": [dispatch, r1, r2, o1],
        "VOV": [dispatch, r1, r2, o1, o2], "BQP": [dispatch, r1, r2, o1, o2],
    }
    escalated = {m["X-Reportbot-Kind"]: m for m in site.received() if "lanhdao@bqp.example" in str(m["Cc"] or "")}
    assert list(escalated) == ["overdue"]  # only the 2nd overdue reminder (escalate_on_overdue = 2)
    ids = [str(m["Message-ID"]) for m in site.received()]
    assert len(ids) == len(set(ids))


def check_bounces_auto_replies_and_acks(site) -> None:
    with site.session() as s:
        states = {c.email: c.state for c in s.exec(select(Contact).where(Contact.role == "primary"))}
        inbound = Counter((m.classification, m.state) for m in s.exec(select(InboundMessage)))
        failed = s.exec(select(OutboundMail).where(OutboundMail.status == "failed")).all()
    assert states[address("HNI")] == "failed" and states[address("NAN")] == "bounced"
    assert [(f.kind, f.to_addrs) for f in failed] == [("dispatch", [address("HNI")])]
    assert inbound == {("report", "processed"): 4, ("bounce", "processed"): 1, ("auto_reply", "ignored"): 1}
    acks = [m for m in site.received() if m["X-Reportbot-Kind"] == "ack"]
    assert sorted(str(m["To"]).rsplit("<", 1)[-1].strip(">") for m in acks) == sorted(
        address(c) for c in ("BYT", "BTC", "DNG", "TTXVN"))


def check_one_digest_a_working_day_matching_the_status(site) -> None:
    digests = [m for m in site.received() if m["X-Reportbot-Kind"] == "digest"]
    days = [m["Date"].datetime.astimezone(END.tzinfo).strftime("%d/%m") for m in digests]
    assert days == ["19/12", "24/12", "25/12", "26/12", "27/12", "31/12", "06/01"]
    staff_copy = last_message_in(site, site.staff)  # what staff find in their own mailbox
    assert staff_copy["Message-ID"] == digests[-1]["Message-ID"]
    text = staff_copy.get_body(("plain",)).get_content()
    with site.session() as s:
        rows = campaign_status(s, site.campaign(), END)
    by_state = Counter(r["state"] for r in rows)
    assert by_state == {"received": 3, "received_incomplete": 1, "overdue": 2, "bounced": 2}
    for state, label in STATE_LABELS.items():
        assert f"- {label}: {by_state.get(state, 0)}" in text
    for r in rows:
        if r["state"] == "overdue":
            assert re.search(rf"\[{r['agency']}\][^\n]*đã nhắc {r['reminders_sent']} lần", text)
    assert {r["agency"]: r["reminders_sent"] for r in rows if r["state"] == "overdue"} == {"BQP": 4, "VOV": 4}
    assert re.search(r"\[BTC\][^\n]*thiếu IV\. [^\n]*; V\. ", text)


def last_message_in(site, account):
    import email
    from email import policy

    c = site.dovecot.client(account)
    try:
        c.select_folder("INBOX", readonly=True)
        uid = max(c.search(["ALL"]))
        return email.message_from_bytes(c.fetch([uid], ["RFC822"])[uid][b"RFC822"], policy=policy.default)
    finally:
        c.logout()


def check_the_export(site, out) -> None:
    with site.session() as s:
        paths = write_export(s, site.campaign(), END, out)
        subs = {x.agency_id: x for x in s.exec(select(Submission).where(Submission.is_current))}
        from db.models import Agency
        codes = {a.id: a.code for a in s.exec(select(Agency))}
    reports = {codes[aid]: sub for aid, sub in subs.items()}
    assert sorted(reports) == ["BTC", "BYT", "DNG", "TTXVN"] and not reports["TTXVN"].on_time
    docx_path = next(p for p in paths if p.suffix == ".docx")
    under = docx_texts(docx_path.read_bytes())
    for code, sub in reports.items():
        for section in sub.sections:
            node, lines = section["id"], under.get(section["id"], {})
            if section["found"]:
                assert section_text(code, node) in lines.get(NAMES[code], ""), (code, node)
            else:
                assert NAMES[code] not in lines, (code, node)
    for node, by_agency in under.items():  # no agency's text under another agency's name
        for name, text in by_agency.items():
            mine = {c for c, n in NAMES.items() if n == name}
            assert set(re.findall(r"Nội dung riêng của (\w+) ", text)) <= mine, (node, name)
    assert sum(not s["found"] for s in reports["BTC"].sections) == 2
    xlsx_path = next(p for p in paths if p.suffix == ".xlsx")
    check_workbook(xlsx_path.read_bytes(), reports)


def docx_texts(data: bytes) -> dict[str, dict[str, str]]:
    """{outline node id: {agency name: its text}} as the export lays them out (heading, then a
    bold agency label with its source, then the text)."""
    titles = {title: node for node, title in OUTLINE}
    out: dict[str, dict[str, str]] = {}
    node = name = None
    for p in Document(io.BytesIO(data)).paragraphs:
        if p.style.name.startswith("Heading"):
            node, name = titles.get(p.text.split(" ", 1)[-1]), None
            continue
        bold = [r.text for r in p.runs if r.bold]
        if node and bold and "(Nguồn:" in p.text:
            name = bold[0].strip()
            out.setdefault(node, {})[name] = ""
        elif node and name:
            out[node][name] += p.text + "\n"
    return out


def check_workbook(data: bytes, reports: dict) -> None:
    wb = openpyxl.load_workbook(io.BytesIO(data))
    status = wb["Tình trạng"]
    assert sorted(row[0] for row in status.iter_rows(min_row=2, values_only=True)) == sorted(NAMES)
    matrix = wb["Mức độ đầy đủ"]
    header = [c.value for c in matrix[1]]
    seen = set()
    for row in matrix.iter_rows(min_row=2, values_only=True):
        code, sub = row[0], reports[row[0]]
        seen.add(code)
        found = {s["id"]: s["found"] for s in sub.sections}
        for node, mark in zip(header[2:-1], row[2:-1]):
            assert mark == (YES if found[node] else NO), (code, node)
    assert seen == set(reports)


def check_a_real_run_starts_ticks_and_stops_on_sigterm(site) -> None:
    digests_before = sum(m["X-Reportbot-Kind"] == "digest" for m in site.received())
    run = ServiceRun(site, at(7, 1, 8, 30))
    wait_until(lambda: sum(m["X-Reportbot-Kind"] == "digest" for m in site.received()) > digests_before,
               90, "waiting for the service's first tick (the digest of 07/01)", run)
    second = subprocess.run([sys.executable, "-c", ENTRY, "run", "--config", str(site.config_path)],
                            capture_output=True, text=True, timeout=60, cwd=site.folder)
    assert second.returncode == 2
    assert second.stderr.strip() == f"reportbot: error: another reportbot run is using {site.app.engine.url.database}"
    assert run.stop() == 0
    records = run.records()
    assert all(r["level"] != "raw" for r in records), run.tail()  # every line is JSON
    assert any(r["msg"].startswith("tick at 2025-01-07T01:30") for r in records)
    assert not re.search(r"\b[a-z]{2,}@", run.log.read_text()), "a full address reached the log"
    health = cli_json(site, "status", "--health", "--format", "json")
    assert health["last_tick_at"].startswith("2025-01-07T01:30") and health["service_stopped_at"]
    assert health["outbox_backlog"] == 0 and health["quarantine"] == 0 and health["last_inbox_check_at"]


def cli_json(site, *args):
    import contextlib

    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        assert main([*args, "--config", str(site.config_path)]) == 0
    return json.loads(buf.getvalue())
