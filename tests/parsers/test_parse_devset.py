"""The development set: key sentences land in the right section, nothing of the
preamble or closing lands anywhere, metrics come out of I.5–I.7."""
from __future__ import annotations

from gen import SHAPES
from gen.content import CLOSING, EXPECTED_METRICS, PREAMBLE


def _ws(s: str) -> str:
    return " ".join(s.split())


def _placement(case, report):
    texts = {s.id: _ws(s.text) for s in report.sections}
    right, wrong = 0, []
    for sentence, expected in case.doc.expected.items():
        where = {sid for sid, t in texts.items() if _ws(sentence) in t}
        if where and where <= expected:
            right += 1
        else:
            wrong.append((case.name, sentence[:60], sorted(expected), sorted(where)))
    return right, wrong


def test_devset_covers_every_shape_with_at_least_30_documents(devset):
    assert len(devset) >= 30
    assert {c.doc.shape.name for c in devset} == {s.name for s in SHAPES}
    assert {c.path.suffix for c in devset} >= {".docx", ".pdf", ".txt", ".html"}


def test_plain_shapes_place_every_key_sentence(parsed_devset):
    wrong_all = []
    for case, report in parsed_devset:
        if case.doc.shape.plain:
            wrong_all += _placement(case, report)[1]
    assert wrong_all == []


def test_at_least_99_percent_of_key_sentences_overall(parsed_devset):
    right = total = 0
    wrong_all = []
    for case, report in parsed_devset:
        r, wrong = _placement(case, report)
        right += r
        total += len(case.doc.expected)
        wrong_all += wrong
    assert right / total >= 0.99, wrong_all[:10]


def test_no_preamble_or_closing_text_in_any_section(parsed_devset):
    leaks = []
    for case, report in parsed_devset:
        for s in report.sections:
            t = _ws(s.text)
            leaks += [(case.name, s.id, line) for line in PREAMBLE + CLOSING if _ws(line) in t]
    assert leaks == []


def test_found_sections_match_the_shape(parsed_devset, outline):
    for case, report in parsed_devset:
        shape = case.doc.shape
        expect_missing = set(shape.omit)
        if shape.sub == "none":
            expect_missing |= {n.id for n in outline.children("I")}
        assert set(report.missing) == expect_missing, case.name


def test_merged_heading_counts_for_both_sections(parsed_devset):
    for case, report in parsed_devset:
        if case.doc.shape.merge:
            iv, v = report.section("IV"), report.section("V")
            assert iv.found and v.found and iv.heading == v.heading
            assert "đề xuất" in iv.heading.lower()


def test_metrics_from_sections_i5_to_i7(parsed_devset):
    for case, report in parsed_devset:
        got = {(m.name, m.value) for m in report.metrics}
        assert EXPECTED_METRICS <= got, (case.name, EXPECTED_METRICS - got)
        for m in report.metrics:
            assert m.evidence and m.section is not None


def test_json_contract_shape(parsed_devset, outline):
    case, report = parsed_devset[0]
    j = report.to_json()
    assert list(j)[:10] == ["source", "format", "ocr", "encoding_fixed", "outline", "sections", "missing",
                            "completeness", "metrics", "warnings"]
    assert [s["id"] for s in j["sections"]] == [n.id for n in outline.nodes]
    assert set(j["sections"][0]) == {"id", "found", "heading", "text", "confidence"}
    assert j["outline"] == "5422/BTTTT-CBC" and j["completeness"] == 1.0
    assert set(j["metrics"][0]) == {"name", "value", "unit", "section", "evidence"}
