"""Every odd or hostile DOCX, DOC and PDF of the shared corpus ends in a result or a
clear reason — never an exception (through the sandbox when it exists)."""
from __future__ import annotations

import pytest
from conftest import CORPUS

FOLDERS = ("docx", "doc", "pdf")


def _files():
    if not CORPUS.is_dir():
        return []
    return sorted(p for f in FOLDERS for p in (CORPUS / f).glob("*") if p.is_file())


def _parse(data: bytes, name: str, outline):
    try:
        from parsers.sandbox import run_parse
    except ImportError:
        import parsers

        return parsers.parse_bytes(data, name, outline).to_json()
    result = run_parse(data, name, outline)
    return result.to_json() if hasattr(result, "to_json") else result


@pytest.mark.skipif(not CORPUS.is_dir(), reason="shared corpus not present")
@pytest.mark.parametrize("path", _files(), ids=lambda p: p.name)
def test_corpus_file_ends_in_result_or_clear_reason(path, outline):
    j = _parse(path.read_bytes(), path.name, outline)
    assert [s["id"] for s in j["sections"]] == [n.id for n in outline.nodes]
    if not any(s["found"] for s in j["sections"]):
        assert j["warnings"], "nothing found and no reason given"
        assert all(path.name in w and len(w) > len(path.name) + 10 for w in j["warnings"])
    assert "Traceback" not in " ".join(j["warnings"])


@pytest.mark.skipif(not CORPUS.is_dir(), reason="shared corpus not present")
@pytest.mark.parametrize("name,reason", [
    ("docx/poi__ExternalEntityInText.docx", "DOCTYPE"),
    ("docx/poi__bug53475-password-is-pass.docx", "encrypted"),
    ("docx/poi__truncated62886.docx", "zip"),
    ("pdf/pdfminer__aes-256-r6.pdf", "encrypted"),
])
def test_hostile_files_are_refused_with_their_reason(name, reason, outline):
    import parsers

    r = parsers.parse_bytes((CORPUS / name).read_bytes(), name, outline)
    assert not any(s.found for s in r.sections)
    assert any(reason.lower() in w.lower() for w in r.warnings), r.warnings
