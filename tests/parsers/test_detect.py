"""parsers.detect: the one content-type detector for parsers and intake.

Every sample is made here (PIL, zipfile, LibreOffice when installed); corpus files
are used when the shared corpus is present.
"""
from __future__ import annotations

import bz2
import gzip
import io
import os
import shutil
import struct
import zipfile
from pathlib import Path

import pytest
from PIL import Image

import parsers
from parsers.detect import (
    ARCHIVE_KINDS,
    DOCUMENT_KINDS,
    IMAGE_KINDS,
    detect_kind,
    is_image,
)

CORPUS = Path(__file__).resolve().parents[2] / ".." / "shared" / "corpus"
HEADING = "I. Tình hình chuyển đổi số của cơ quan báo chí trực thuộc"


def _zip(members: dict[str, bytes], method: int = zipfile.ZIP_DEFLATED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", method) as zf:
        for name, content in members.items():
            zf.writestr(name, content)
    return buf.getvalue()


def _image(fmt: str) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (8, 8), "white").save(buf, fmt)
    return buf.getvalue()


def _ole(*streams: str) -> bytes:
    """A minimal compound file (CFB v3) whose root holds empty streams with these names."""
    free, end, fatsect, nostream = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFF
    header = (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(16)
              + struct.pack("<HHHHH6xIIIIIIIII", 0x3E, 3, 0xFFFE, 9, 6, 0, 1, 1, 0, 0x1000, end, 0, end, 0)
              + struct.pack("<I", 0) + struct.pack("<I", free) * 108)
    fat = struct.pack("<II", fatsect, end) + struct.pack("<I", free) * 126

    def entry(name: str, kind: int, right: int, child: int) -> bytes:
        raw = name.encode("utf-16-le") + b"\x00\x00"
        return (raw.ljust(64, b"\x00") + struct.pack("<HBBIII", len(raw), kind, 1, nostream, right, child)
                + bytes(36) + struct.pack("<IQ", end, 0))

    names = list(streams)[:3]
    entries = [entry("Root Entry", 5, nostream, 1 if names else nostream)]
    entries += [entry(n, 2, i + 2 if i + 1 < len(names) else nostream, nostream) for i, n in enumerate(names)]
    directory = b"".join(entries).ljust(512, b"\x00")
    return header + fat + directory


def _ooxml(part: str) -> bytes:
    return _zip({"[Content_Types].xml": b"<Types/>", "_rels/.rels": b"<Relationships/>", part: b"<x/>"})


def _odf(mimetype: str) -> bytes:
    return _zip({"mimetype": mimetype.encode(), "content.xml": b"<office:document-content/>"}, zipfile.ZIP_STORED)


WORDML = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<?mso-application progid="Word.Document"?>\n'
          '<w:wordDocument xmlns:w="http://schemas.microsoft.com/office/word/2003/wordml"><w:body>'
          f'<w:p><w:r><w:t>{HEADING}</w:t></w:r></w:p>'
          '<w:p><w:r><w:t>Đã ban hành Kế hoạch chuyển đổi số năm 2023.</w:t></w:r></w:p>'
          '</w:body></w:wordDocument>').encode()
WORD_HTML = (b'<html xmlns:w="urn:schemas-microsoft-com:office:word"><head><meta name=ProgId content=Word.Document>'
             b"<!--[if gte mso 9]><xml><w:WordDocument><w:View>Print</w:View></w:WordDocument></xml><![endif]-->"
             b"</head><body><p>B\xc3\xa1o c\xc3\xa1o</p></body></html>")


@pytest.mark.parametrize("data, kind", [
    (_ooxml("word/document.xml"), "docx"),
    (_ooxml("xl/workbook.xml"), "xlsx"),
    (_ooxml("ppt/presentation.xml"), "pptx"),
    (_odf("application/vnd.oasis.opendocument.text"), "odt"),
    (_odf("application/vnd.oasis.opendocument.spreadsheet"), "ods"),
    (_odf("application/vnd.oasis.opendocument.presentation"), "odp"),
    (_image("GIF"), "gif"),
    (_image("BMP"), "bmp"),
    (_image("WEBP"), "webp"),
    (b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + bytes(64), "heic"),
    (b"\x00\x00\x00\x1cftypavif\x00\x00\x00\x00avifmif1" + bytes(64), "avif"),
    (b"\x78\x9f\x3e\x22\x01\x00\x01\x06\x90\x08\x00", "tnef"),
    (b"\x30\x82\x05\x10\x06\x09\x2a\x86\x48\x86\xf7\x0d\x01\x07\x02\xa0\x82\x05\x01", "pkcs7"),
    (b"Rar!\x1a\x07\x01\x00" + bytes(32), "rar"),
    (b"7z\xbc\xaf\x27\x1c\x00\x04" + bytes(32), "7z"),
    (gzip.compress(b"bao cao"), "gzip"),
    (bz2.compress(b"bao cao"), "bzip2"),
    (b"MZ\x90\x00\x03\x00" + bytes(58), "executable"),
    (b"\x7fELF\x02\x01\x01" + bytes(57), "executable"),
    (b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Nguy\xe1\xbb\x85n V\xc4\x83n A\r\nEND:VCARD\r\n", "vcard"),
    (b'<?xml version="1.0"?><office:document office:mimetype="application/vnd.oasis.opendocument.text"/>',
     "fodt"),
    (WORDML, "wordml"),
    (b'<?xml version="1.0"?><data><row>1</row></data>', "xml"),
    (b"<p>B\xc3\xa1o c\xc3\xa1o</p><div>I. T\xc3\xacnh h\xc3\xacnh</div>", "html"),
    (b" \r\n\t \n", "empty"),
])
def test_kind_by_content(data, kind):
    assert detect_kind(data) == kind


def test_zip_storing_a_pdf_is_a_zip_not_a_pdf():
    # "%PDF-" sits a few dozen bytes in, where a PDF may have junk before its header
    archive = _zip({"bao-cao.pdf": b"%PDF-1.7\n" + bytes(100)}, zipfile.ZIP_STORED)
    assert archive.find(b"%PDF-", 0, 1024) >= 0
    assert detect_kind(archive) == "zip"


def test_zip_of_a_folder_named_word_is_a_zip_not_a_docx():
    assert detect_kind(_zip({"Word/Báo cáo.docx": _ooxml("word/document.xml"), "word/ghi chú.txt": b"x"})) == "zip"


def test_damaged_docx_is_still_a_docx_so_its_reader_says_why():
    docx = _ooxml("word/document.xml")
    assert detect_kind(docx[: len(docx) // 2]) == "docx"
    assert detect_kind(b"PK\x03\x04 not really a zip") == "zip"


def test_text_starting_like_a_bmp_is_text():
    assert detect_kind("BMW: báo cáo tình hình chuyển đổi số năm 2024\n".encode() * 3) == "text"


def test_word_saved_html_is_html_not_word_xml():
    assert detect_kind(WORD_HTML) == "html"
    assert detect_kind(b"\xef\xbb\xbf\r\n" + WORD_HTML.replace(b"<body>", b"<body>\x00")) == "html"


def test_text_with_a_stray_nul_late_is_text_and_audio_is_not():
    text = "Kính gửi Cục Báo chí, xin gửi báo cáo.\n".encode() * 60
    assert len(text) > 2048 and detect_kind(text + b"\x00" + text) == "text"
    assert detect_kind(text[:100] + b"\x00" + text) == "unknown"
    audio = bytes(range(1, 256)) * 32  # no NUL, but control bytes all over
    assert detect_kind(audio) == "unknown"


def test_ole_without_a_readable_directory_is_ole():
    assert detect_kind(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + os.urandom(4096)) == "ole"
    damaged_doc = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600) + "WordDocument".encode("utf-16-le")
    assert detect_kind(damaged_doc) == "doc"


@pytest.mark.parametrize("name, kind", [
    ("email/mime/spamscope__mail_outlook_1.msg", "msg"),
    ("docx/poi__bug53475-password-is-pass.docx", "encrypted"),
    ("doc/poi__password_tika_binaryrc4.doc", "doc"),
])
def test_corpus_ole_files(name, kind):
    path = CORPUS / name
    if not path.exists():
        pytest.skip("corpus not present")
    assert detect_kind(path.read_bytes()) == kind


@pytest.mark.parametrize("streams, kind", [
    (("1Table", "WordDocument"), "doc"),
    (("Workbook",), "xls"),
    (("Book",), "xls"),  # Excel 5/95
    (("Current User", "PowerPoint Document"), "ppt"),
    (("EncryptedPackage", "EncryptionInfo"), "encrypted"),
    (("__properties_version1.0", "__substg1.0_0037001F"), "msg"),
    (("Contents",), "ole"),
])
def test_ole_kind_by_its_root_streams(streams, kind):
    assert detect_kind(_ole(*streams)) == kind


def test_kind_sets():
    assert is_image("png") and is_image("heic") and not is_image("pdf")
    assert {"docx", "doc", "pdf", "wordml", "text", "html"} <= DOCUMENT_KINDS
    assert not DOCUMENT_KINDS & IMAGE_KINDS and not DOCUMENT_KINDS & ARCHIVE_KINDS
    assert {"zip", "rar", "7z"} <= ARCHIVE_KINDS


# --- what parse_bytes does with the fine kinds --------------------------------------
def test_broken_spreadsheet_gives_its_reason_not_unsupported(outline):
    r = parsers.parse_bytes(_ooxml("xl/workbook.xml"), "bang.xlsx", outline)
    assert r.format == "xlsx" and any("cannot read the spreadsheet" in w for w in r.warnings), r.warnings
    assert not any("unsupported" in w for w in r.warnings)


def test_presentation_is_refused_naming_its_kind(outline):
    r = parsers.parse_bytes(_ooxml("ppt/presentation.xml"), "trinh-chieu.pptx", outline)
    assert r.format == "pptx" and any("unsupported file type (pptx)" in w for w in r.warnings), r.warnings


def test_image_results_name_the_image_format(outline):
    assert parsers.report_format(detect_kind(_image("PNG"))) == "image"
    r = parsers.parse_bytes(_image("PNG")[:40], "scan.png", outline)  # truncated: OCR fails with a reason
    assert r.format == "image" and r.warnings


@pytest.mark.skipif(not shutil.which("soffice"), reason="LibreOffice not installed")
def test_word_2003_xml_is_converted_not_read_as_text(outline):
    r = parsers.parse_bytes(WORDML, "bao-cao.xml", outline)
    assert r.format == "wordml" and r.conversion == "wordml→docx (LibreOffice)"
    assert r.section("I").found and "<w:" not in r.section("I").text, r.warnings


def test_bmp_size_field_or_dib_header_is_required():
    bmp = _image("BMP")
    assert struct.unpack("<I", bmp[2:6])[0] == len(bmp)
    assert detect_kind(bmp + bytes(16)) == "bmp"  # padded: the DIB header still says BMP
    assert detect_kind(b"BM" + b"x" * 40) == "text"
