"""Every e-mail of the shared corpus, and its documents, through the whole intake of one real
`reportbot run` pass: each ends recorded (processed, quarantined or ignored, never stuck or
failed), each document with a parse result or its reason, the service never restarted, its
peak memory under 500 MB. CI takes every e-mail and DOCX, and a seeded sample of the slow
kinds (PDF with OCR, DOC through LibreOffice); `python bench/soak.py --mode corpus` takes all.
"""
from __future__ import annotations

import pytest

from .corpus_intake import corpus_files, corpus_intake
from .world import CORPUS

SAMPLE = 6  # of doc/, pdf/ and vi/ each, in CI


@pytest.mark.skipif(not (CORPUS / "email").is_dir(), reason="shared corpus not present")
def test_the_corpus_goes_through_intake_in_one_pass(make_site):
    emails, docs = corpus_files(sample=SAMPLE)
    site = make_site("corpus", agencies=len(docs) + 5)
    out = corpus_intake(site, emails, docs, timeout=600)
    print("\n" + out.report())
    assert out.problems == []
    assert out.rows == len(emails) + len(docs) - out.same_once_stored
    assert sum(out.parse.values()) >= len(docs)  # an outcome for every document
    assert out.peak_rss_mb < 500
