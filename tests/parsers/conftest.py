"""Fixtures for parser tests: the 5422 outline and the generated development set."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

# tests/ is on sys.path (root conftest), so tests/parsers could pass for the `parsers`
# namespace package and hide the real one, which an editable install only finds late:
# put the repository first and forget any namespace stand-in. (tests/parsers must not
# get an __init__.py: that would shadow the real package outright.)
_REPO = str(Path(__file__).resolve().parents[2])
sys.path.insert(0, _REPO)
if "parsers" in sys.modules and getattr(sys.modules["parsers"], "__file__", None) is None:
    del sys.modules["parsers"]
sys.path.insert(1, str(Path(__file__).resolve().parent))

from gen import generate  # noqa: E402
from gen.content import OUTLINE  # noqa: E402

CORPUS = Path(__file__).resolve().parents[2] / ".." / "shared" / "corpus"


@pytest.fixture(scope="session")
def outline():
    return OUTLINE


@pytest.fixture(scope="session")
def devset(tmp_path_factory):
    """Every generated document (DOCX, PDF via LibreOffice and reportlab, text, HTML), built once."""
    return generate(tmp_path_factory.mktemp("devset"))


@pytest.fixture(scope="session")
def parsed_devset(devset, outline):
    import parsers

    return [(case, parsers.parse_bytes(case.path.read_bytes(), case.name, outline)) for case in devset]
