"""Hostile input never raises and is handled in bounded time (huge headers, bad bytes, bad MIME)."""

from __future__ import annotations

from bot.intake.attachments import body_text, extract
from bot.intake.bounce import failed_recipients, returned_message_ids
from bot.intake.classify import classify
from bot.intake.headers import decode_header_value, header, parse_message, thread_ids

from .corpus import files, load


def _all_steps(msg):
    classify(msg, own_addresses={"baocao@cucbaochi.gov.vn"}, own_message_id_domain="cucbaochi.gov.vn")
    failed_recipients(msg)
    returned_message_ids(msg)
    extract(msg)
    body_text(msg)
    thread_ids(msg)


def test_one_megabyte_header():
    raw = b"From: a@b.vn\r\nSubject: " + b"=?utf-8?q?B=C3=A1o?= " * 50_000 + b"\r\nTo: " + b"x@y.vn, " * 100_000 + b"\r\n\r\nbody"
    msg = parse_message(raw)
    assert len(header(msg, "Subject")) <= 16_384
    _all_steps(msg)


def test_invalid_utf8_everywhere():
    raw = b"From: \xff\xfe <\xc3(@\xa0.vn>\r\nSubject: \xed\xa0\x80 \xc3\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n\xff\xc3\x28"
    msg = parse_message(raw)
    _all_steps(msg)
    assert "\udcff" not in header(msg, "Subject")


def test_malformed_boundaries_and_nesting():
    nested = b"Content-Type: multipart/mixed; boundary=a\r\n\r\n--a\r\n" * 500
    raw = b"From: a@b.vn\r\nMIME-Version: 1.0\r\n" + nested + b"--a--\r\n--b\r\n\x00\x00"
    _all_steps(parse_message(raw))


def test_encoded_words_with_broken_base64_and_unknown_charsets():
    for value in ("=?utf-8?b?####?=", "=?x-unknown-cs?q?abc?=", "=?utf-8?q?=FF=FE?=", "=?" * 1000):
        assert isinstance(decode_header_value(value), str)


def test_non_bytes_and_empty_input():
    for raw in (b"", None, "text", b"\r\n\r\n"):
        _all_steps(parse_message(raw))  # type: ignore[arg-type]


def test_whole_corpus_runs_through_every_step():
    for folder in ("bounce", "autoreply", "mime"):
        for path in files(folder):
            _all_steps(load(path))
