"""parsers.legacy: LibreOffice conversion in a sandbox (kinds told by parsers.detect).

Fixtures are generated here: a DOCX by python-docx, then .doc/.rtf/.odt from it by
LibreOffice itself (so no binary fixture lives in the repository).
"""
from __future__ import annotations

import io
import os
import shutil
import subprocess
import tempfile
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import docx
import olefile
import pytest
from PIL import Image

from parsers.detect import detect_kind, ole_encrypted
from parsers.legacy import ConversionFailed, convert_to_docx
from parsers.limits import Limits

CORPUS = Path(__file__).resolve().parents[2] / ".." / "shared" / "corpus"
HEADING = "II. Kết quả thực hiện chuyển đổi số"
BODY = "Doanh thu từ sản phẩm báo chí số đạt 45,6 tỷ đồng, tăng 12,5% so với năm 2023."

needs_soffice = pytest.mark.skipif(not shutil.which("soffice"), reason="LibreOffice not installed")


def make_docx() -> bytes:
    document = docx.Document()
    document.add_heading(HEADING, level=1)
    document.add_paragraph(BODY)
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()


def soffice_convert(data: bytes, src_ext: str, target: str) -> bytes:
    """Test-side helper: let LibreOffice write a legacy format from a DOCX."""
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / f"input.{src_ext}"
        src.write_bytes(data)
        subprocess.run(["soffice", f"-env:UserInstallation=file://{tmp}/profile", "--headless",
                        "--convert-to", target, "--outdir", f"{tmp}/out", str(src)],
                       check=True, capture_output=True, timeout=120)
        return next(Path(tmp, "out").iterdir()).read_bytes()


@pytest.fixture(scope="module")
def legacy_files() -> dict[str, bytes]:
    if not shutil.which("soffice"):
        pytest.skip("LibreOffice not installed")
    source = make_docx()
    targets = {"doc": "doc:MS Word 97", "rtf": "rtf", "odt": "odt"}
    with ThreadPoolExecutor(max_workers=3) as pool:
        done = {k: pool.submit(soffice_convert, source, "docx", t) for k, t in targets.items()}
    return {"docx": source, **{k: f.result() for k, f in done.items()}}


def docx_text(data: bytes) -> str:
    return "\n".join(p.text for p in docx.Document(io.BytesIO(data)).paragraphs)


# --- detect_kind ---------------------------------------------------------------------
def _image(fmt: str) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (8, 8), "white").save(buf, fmt)
    return buf.getvalue()


def _zip(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, content in members.items():
            zf.writestr(name, content)
    return buf.getvalue()


def _pdf() -> bytes:
    import pypdfium2 as pdfium
    pdf = pdfium.PdfDocument.new()
    pdf.new_page(595, 842)
    buf = io.BytesIO()
    pdf.save(buf)
    return buf.getvalue()


@pytest.mark.parametrize("data, kind", [
    (make_docx(), "docx"),
    (_zip({"mimetype": b"application/vnd.oasis.opendocument.text", "content.xml": b"<x/>"}), "odt"),
    (_zip({"report.txt": b"hello"}), "zip"),
    (b"{\\rtf1\\ansi\\deff0 {\\fonttbl {\\f0 Times;}} Hello}", "rtf"),
    (_pdf(), "pdf"),
    (_image("PNG"), "png"),
    (_image("JPEG"), "jpeg"),
    (_image("TIFF"), "tiff"),
    (b"<!DOCTYPE html><html><body><p>B\xc3\xa1o c\xc3\xa1o</p></body></html>", "html"),
    ("Báo cáo kết quả chuyển đổi số\nI. Tình hình\n".encode(), "text"),
    ("Báo cáo".encode("utf-16"), "text"),
    (b'<?xml version="1.0"?><?mso-application progid="Word.Document"?><w:wordDocument/>', "wordml"),
    (bytes(range(256)) * 4, "unknown"),
    (b"", "empty"),
])
def test_detect_kind_by_content(data, kind):
    assert detect_kind(data) == kind


def test_detect_kind_ignores_a_misleading_name_and_sees_a_doc(legacy_files):
    # a .doc renamed .docx (common in mail) is still OLE2 with a WordDocument stream
    assert detect_kind(legacy_files["doc"]) == "doc"
    assert detect_kind(legacy_files["rtf"]) == "rtf"
    assert detect_kind(legacy_files["odt"]) == "odt"


# --- conversion ------------------------------------------------------------------
@needs_soffice
@pytest.mark.parametrize("kind", ["doc", "rtf", "odt"])
def test_legacy_file_converts_to_docx_keeping_vietnamese_text(kind, legacy_files):
    out = convert_to_docx(legacy_files[kind], kind)
    assert detect_kind(out) == "docx"
    text = docx_text(out)
    assert HEADING in text and BODY in text


@needs_soffice
def test_parallel_conversions_do_not_clash(legacy_files):
    jobs = [("doc", legacy_files["doc"]), ("rtf", legacy_files["rtf"])] * 2
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(lambda job: convert_to_docx(job[1], job[0]), jobs))
    assert all(HEADING in docx_text(r) for r in results)


def _mark_encrypted(doc: bytes) -> bytes:
    """Set fEncrypted in the FIB of a real .doc (what Word does on 'Encrypt with password')."""
    with tempfile.NamedTemporaryFile(suffix=".doc") as fh:
        fh.write(doc)
        fh.flush()
        with olefile.OleFileIO(fh.name, write_mode=True) as ole:
            fib = bytearray(ole.openstream("WordDocument").read())
            fib[0x0B] |= 0x01
            ole.write_stream("WordDocument", bytes(fib))
        return Path(fh.name).read_bytes()


@needs_soffice
def test_encrypted_doc_is_refused_as_encrypted(legacy_files):
    locked = _mark_encrypted(legacy_files["doc"])
    assert ole_encrypted(locked) and not ole_encrypted(legacy_files["doc"])
    with pytest.raises(ConversionFailed, match="encrypted"):
        convert_to_docx(locked, "doc")


@pytest.mark.parametrize("name", ["doc/poi__PasswordProtected.doc", "doc/poi__password_tika_binaryrc4.doc",
                                  "docx/poi__bug53475-password-is-pass.docx"])
def test_corpus_encrypted_office_files_are_reported_as_encrypted(name):
    path = CORPUS / name
    if not path.exists():
        pytest.skip("corpus not present")
    with pytest.raises(ConversionFailed, match="encrypted"):
        convert_to_docx(path.read_bytes(), detect_kind(path.read_bytes()))


@needs_soffice
def test_garbage_claiming_to_be_a_doc_fails_with_a_reason():
    with pytest.raises(ConversionFailed, match="LibreOffice"):
        convert_to_docx(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + os.urandom(4096), "doc")


@needs_soffice
def test_conversion_over_its_time_limit_is_killed_and_cleaned_up(legacy_files):
    before = set(Path(tempfile.gettempdir()).glob("reportbot-lo-*"))
    with pytest.raises(ConversionFailed, match="did not finish"):
        convert_to_docx(legacy_files["doc"], "doc", Limits(timeout_s=0.05))
    assert set(Path(tempfile.gettempdir()).glob("reportbot-lo-*")) <= before


def test_unsupported_kind_and_oversized_input_are_refused():
    with pytest.raises(ConversionFailed, match="does not handle"):
        convert_to_docx(b"%PDF-1.4", "pdf")
    with pytest.raises(ConversionFailed, match="limit"):
        convert_to_docx(b"x" * 2048, "doc", Limits(max_file_bytes=1024))
