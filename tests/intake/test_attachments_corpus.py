"""Attachments of the odd-MIME corpus: names decoded as the headers state, bytes equal to an
independent decoding (the stdlib's compat32 parser), hostile names made safe."""

from __future__ import annotations

import email
import email.header
import email.policy
import hashlib
import unicodedata

import pytest

from bot.intake.attachments import body_text, extract
from bot.intake.filetypes import sanitize_filename

from .corpus import files, load

# Names read by hand from the headers (where the stdlib cannot decode them itself).
EXPECTED_NAMES = {
    "mmp__m3004.txt.eml": ["HasenundFrösche.txt"],  # RFC 2231 filename*=iso-8859-1''HasenundFr%F6sche.txt
    "mmp__m2011.txt.eml": ["blueball.png", "HasenundFrösche.txt"],  # raw 8-bit ISO-8859-1
    # encoded-word "Biodiversite_de_semaine..." (the MANIFEST's "é" is not in the header)
    "mmp__m0024.txt.eml": ["Biodiversite de semaine en semaine.doc"],
    "mmp__m1005.txt.eml": ["nsmailEG.png", "nsmail39.png", "redball.png", "greenball.png"],  # C:\TEMP\ paths
    "phpmime__m0027.eml": ["1234.txt"],  # "1234/../../1234.txt"
    "rt__rfc2231-attachment-filename-continuations.eml": ["新しいテキスト ドキュメント.txt"],
    "phpmime__m0018.eml": ["사진.JPG", "ATT00001.txt"],  # ks_c_5601-1987 encoded-word
    "mailgem__attachment_nonascii_filename.eml": ["ciële.txt"],  # raw UTF-8
    "horde__sample_msg_eai.txt.eml": ["blåbærsyltetøy"],
    "enmime__mime-bad-8bit-filename.raw.eml": ["管理.doc"],
    "phpmime__issue250.eml": ["Kontoutskrift for 1506.14.90466 Bedriftskonto.pdf"],  # newline in encoded-word
    "phpmime__m0013.eml": ["50032266 CAR 11_MNPA00A01_9PTX_H00 ATT N° 1467829.pdf"],
    "phpmime__issue274.eml": ["Hello from SwiftMailer.docx", "Hello from SwiftMailer.pdf",
                              "Hello from SwiftMailer.odt", "Cours-Tutoriels-Serge-Tahé-1568x268.png"],
    "mimekit__rich-text.eml": ["winmail.dat", "kitten-playing-with-a-christmas-tree.jpg"],
}


def _by_name(name):
    return next(p for p in files("mime") if p.name == name)


@pytest.mark.parametrize("name", sorted(EXPECTED_NAMES))
def test_attachment_names_are_decoded_as_the_headers_state(name):
    got = [f.filename for f in extract(load(_by_name(name)))]
    for expected in EXPECTED_NAMES[name]:
        assert expected in got, (expected, got)


def _independent_attachments(raw: bytes):
    """(decoded name, sha256) of every named leaf, per the stdlib's legacy parser."""
    legacy = email.message_from_bytes(raw.lstrip(b"\r\n"), policy=email.policy.compat32)
    found = []
    for part in legacy.walk():
        if part.is_multipart():
            continue
        name = part.get_filename()
        payload = part.get_payload(decode=True)
        if not name or not isinstance(payload, bytes):
            continue
        try:
            decoded = str(email.header.make_header(email.header.decode_header(name)))
        except Exception:
            continue
        if any(0xDC80 <= ord(c) <= 0xDCFF or c == "\ufffd" for c in decoded):
            continue  # raw 8-bit names: covered by EXPECTED_NAMES
        found.append((decoded, hashlib.sha256(payload).hexdigest()))
    return found


def test_every_named_part_is_extracted_with_its_bytes_and_name():
    checked = 0
    for path in files("mime"):
        raw = path.read_bytes()
        if raw.startswith(b"\xd0\xcf\x11\xe0"):
            continue  # an Outlook .msg file, not RFC 822
        records = extract(load(path))
        by_sha = {}
        for rec in records:
            by_sha.setdefault(rec.sha256, []).append(rec)
        for name, sha in _independent_attachments(raw):
            assert sha in by_sha, f"{path.name}: bytes of {name!r} not extracted"
            expected = sanitize_filename(unicodedata.normalize("NFC", name))
            assert expected in {r.filename for r in by_sha[sha]}, f"{path.name}: {name!r} -> {[r.filename for r in by_sha[sha]]}"
            checked += 1
    print(f"\nnamed parts checked: {checked}")
    assert checked > 350


def test_path_traversal_name_is_sanitised():
    rec = extract(load(_by_name("phpmime__m0027.eml")))[0]
    assert rec.filename == "1234.txt"
    assert "/" not in rec.filename and ".." not in rec.filename
    assert rec.original_filename == "1234/../../1234.txt"


def test_more_than_300_attachments_are_all_kept():
    records = extract(load(_by_name("phpmime__issue408.eml")))
    assert len([r for r in records if r.skipped_reason is None]) > 300


def test_tnef_winmail_dat_is_unpacked():
    records = extract(load(_by_name("mimekit__rich-text.eml")))
    kitten = [r for r in records if r.filename == "kitten-playing-with-a-christmas-tree.jpg"]
    assert kitten and kitten[0].detected_kind == "jpeg" and kitten[0].skipped_reason is None
    assert "tnef:" in kitten[0].origin
    container = next(r for r in records if r.filename == "winmail.dat")
    assert container.detected_kind == "tnef" and container.skipped_reason  # recorded, not parsed


def test_inline_uuencoded_file_is_extracted():
    records = extract(load(_by_name("rt__notes-uuencoded.eml")))
    jpg = next(r for r in records if r.filename == "Naz_Head.jpg")
    assert jpg.detected_kind == "jpeg" and jpg.size > 100_000
    text, is_html = body_text(load(_by_name("rt__notes-uuencoded.eml")))
    assert "begin 6" not in text and not is_html


def test_type_is_detected_by_content_not_by_name():
    # mmp__m4005: "test.rtf" declared text/rtf holds a PNG
    rec = next(r for r in extract(load(_by_name("mmp__m4005.txt.eml"))) if r.filename == "test.rtf")
    assert rec.declared_type == "text/rtf" and rec.detected_kind == "png"


def test_detached_smime_signature_is_skipped_but_recorded():
    records = extract(load(_by_name("mailgem__raw_email_with_nested_attachment.eml")))
    sig = next(r for r in records if r.filename == "smime.p7s")
    assert sig.skipped_reason == "signature"
    png = next(r for r in records if r.filename == "truncated.png")
    assert png.skipped_reason is None


def test_every_corpus_message_extracts_without_error():
    for path in files("mime"):
        for rec in extract(load(path)):
            assert "extraction failed" not in (rec.skipped_reason or ""), path.name
        body_text(load(path))
