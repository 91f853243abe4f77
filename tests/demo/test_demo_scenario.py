"""The simulated agencies' plan and the documents they send, read back by the real parsers."""
from __future__ import annotations

from collections import Counter
from zoneinfo import ZoneInfo

import pypdfium2

from bot.campaigns.workdays import is_working_day
from bot.demo.documents import make_documents
from bot.demo.scenario import QUOTAS, Scenario, build_scenario
from parsers import parse_bytes, parse_text


def test_the_same_seed_gives_the_same_plan_and_another_seed_another(shipped):
    agencies, slots, tz, _ = shipped
    a = build_scenario(agencies, slots, tz, 7, office=False)
    b = build_scenario(agencies, slots, tz, 7, office=False)
    c = build_scenario(agencies, slots, tz, 8, office=False)
    assert a.replies == b.replies and a.behaviour == b.behaviour
    assert a.behaviour != c.behaviour


def test_every_behaviour_and_form_is_played(shipped):
    agencies, slots, tz, _ = shipped
    sc = build_scenario(agencies, slots, tz, 5422, office=True)
    counts = Counter(sc.behaviour.values())
    assert {name: counts[name] for name, _ in QUOTAS} == dict(QUOTAS)
    assert counts["on_time"] == len(agencies) - sum(n for _, n in QUOTAS)
    forms = Counter(r.form for r in sc.replies)
    assert set(forms) == {"docx", "pdf", "scan", "doc", "body", "html", "zip"}
    assert len(sc.reject_rcpt) == 1 and len(sc.dsn_bounce) == 1 and len(sc.auto_reply) == 4
    assert any(not r.complete for r in sc.replies) and any(not r.threaded for r in sc.replies)
    assert any(r.sender.endswith("@gmail.com") for r in sc.replies)
    assert "doc" not in {r.form for r in build_scenario(agencies, slots, tz, 5422, office=False).replies}


def test_replies_are_planned_in_office_hours_on_or_after_their_trigger(shipped):
    agencies, slots, tz, _ = shipped
    zone = ZoneInfo(tz)
    sc = build_scenario(agencies, slots, tz, 99, office=False)
    for r in sc.replies:
        local = r.at.astimezone(zone)
        assert is_working_day(local.date()) and 9 <= local.hour + local.minute / 60 <= 16.5, r
        if r.trigger[0] != "ack":
            assert r.at >= slots[r.trigger], r
    corrected = [c for c, b in sc.behaviour.items() if b == "corrected"]
    for code in corrected:
        first, second = sc.replies_of(code)
        assert not first.complete and second.complete and second.trigger == ("ack", 1) and second.at > first.at


def _sample(sc: Scenario) -> Scenario:
    """One reply per (form, shape): every way a document is drawn, without drawing all 95."""
    seen, picked = set(), []
    for r in sc.replies:
        if (r.form, r.shape.name) not in seen:
            seen.add((r.form, r.shape.name))
            picked.append(r)
    return Scenario(sc.behaviour, picked)


def test_generated_reports_read_back_into_the_outline(shipped):
    agencies, slots, tz, outline = shipped
    sc = _sample(build_scenario(agencies, slots, tz, 5422, office=True))
    docs = make_documents(sc, {a.code: a for a in agencies}, outline, tz, 5422)
    assert not docs.notes
    checked = Counter()
    for r in sc.replies:
        files = docs.files[r.key]
        if r.form == "scan":
            (name, data), = files.attachments
            pdf = pypdfium2.PdfDocument(data)
            assert len(pdf) >= 2 and all(not pdf[i].get_textpage().get_text_range().strip() for i in range(len(pdf)))
            continue
        if r.form in ("body", "html"):
            result = parse_text(files.text, outline, source="body").to_json()
        elif r.form == "zip":
            continue  # the zip holds the same DOCX; unpacking is the intake's job (tests/intake)
        else:
            (name, data), = files.attachments
            result = parse_bytes(data, name, outline).to_json()
        expected_missing = sorted(set(r.shape.omit))
        assert sorted(result["missing"]) == expected_missing, (r.key, r.form, r.shape.name, result["warnings"])
        checked[r.form] += 1
        if r.form == "pdf" and r.shape.table_subitems:
            continue  # a table drawn in a PDF is text in columns: sections found, sentences interleaved
        sections = {s["id"]: " ".join(s["text"].split()) for s in result["sections"]}  # PDF lines rejoined
        for sentence, nodes in docs.expected[r.key].items():
            if set(nodes) & set(r.shape.omit):
                continue
            assert any(sentence in sections[n] for n in nodes), (r.key, r.form, r.shape.name, sentence, nodes)
    assert {"docx", "pdf", "doc", "body", "html"} <= set(checked)


def test_an_agency_states_the_same_figures_in_every_version(shipped):
    """A corrected report repeats the first one's numbers (same agency, same facts)."""
    agencies, slots, tz, outline = shipped
    sc = build_scenario(agencies, slots, tz, 5422, office=False)
    code = next(c for c, b in sc.behaviour.items() if b == "corrected")
    both = Scenario(sc.behaviour, [r for r in sc.replies if r.agency == code])
    docs = make_documents(both, {a.code: a for a in agencies}, outline, tz, 5422)
    first, second = (docs.expected[r.key] for r in both.replies)
    assert {s for s in first if any(ch.isdigit() for ch in s)} <= set(second)


def test_without_libreoffice_the_pdfs_come_from_reportlab_and_no_doc_is_planned(shipped, monkeypatch, tmp_path):
    """The demo needs no system package: with no `soffice` on PATH nothing waits for it."""
    import shutil

    agencies, slots, tz, outline = shipped
    monkeypatch.setenv("PATH", str(tmp_path))  # an empty folder: no program at all
    assert shutil.which("soffice") is None
    sc = build_scenario(agencies, slots, tz, 5422, office=False)
    pdfs = Scenario(sc.behaviour, [r for r in sc.replies if r.form == "pdf"][:3])
    docs = make_documents(pdfs, {a.code: a for a in agencies}, outline, tz, 5422)
    assert not docs.notes
    for r in pdfs.replies:
        (name, data), = docs.files[r.key].attachments
        assert name.endswith(".pdf") and b"ReportLab" in data[:2000]
