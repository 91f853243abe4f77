"""sisimai's test mails (../shared/corpus/sisimai/, BSD-2-Clause, with its expected results) read
through `reportbot inspect`'s code path: floors a little under what the intake achieves, so a
regression in any MTA's format shows. Skipped when the shared corpus is absent."""
from __future__ import annotations

import csv
from collections import defaultdict
from pathlib import Path

import pytest

from bot.intake.inspection import inspect_mail

SISIMAI = Path(__file__).resolve().parents[3] / "shared" / "corpus" / "sisimai"


@pytest.fixture(scope="module")
def scored():
    if not (SISIMAI / "expected.tsv").exists():
        pytest.skip("no ../shared/corpus/sisimai")
    rows = defaultdict(list)
    with open(SISIMAI / "expected.tsv", newline="", encoding="utf-8") as f:
        for r in csv.DictReader(f, delimiter="\t"):
            rows[r["file"]].append(r)
    n = defaultdict(int)
    for name, expected in rows.items():
        got = inspect_mail((SISIMAI / name).read_bytes(), source=name, own_addresses={"baocao@example.gov.vn"},
                           own_message_id_domain="example.gov.vn")
        kind = expected[0]["kind"]
        n[f"{kind}_total"] += 1
        n[f"{kind}_right"] += got["kind"] == kind
        if kind != "bounce":
            n["false_positive"] += got["kind"] == "bounce"
            continue
        found = {r["address"].lower(): r for r in (got["bounce"] or {}).get("recipients", [])}
        for e in expected:
            hit = found.get(e["recipient"].lower())
            n["rcpt_total"] += 1
            n["rcpt_right"] += hit is not None
            n["temporary_marked_dead"] += e["permanent"] == "false" and hit is not None and hit["permanent"]
            n["perm_right"] += hit is not None and hit["permanent"] == (e["permanent"] == "true")
    return n


def test_bounces_are_recognised_and_nothing_else_is_read_as_one(scored):
    assert scored["bounce_right"] >= 0.995 * scored["bounce_total"] and scored["false_positive"] == 0
    assert scored["feedback_right"] == scored["feedback_total"]


def test_the_failed_recipient_is_the_dsn_s(scored):
    assert scored["rcpt_right"] >= 0.98 * scored["rcpt_total"]


def test_temporary_failures_are_not_taken_for_permanent_ones(scored):
    assert scored["perm_right"] >= 0.97 * scored["rcpt_total"]
    assert scored["temporary_marked_dead"] <= 3  # was 73 of 95 before: one greylisting silenced an agency
