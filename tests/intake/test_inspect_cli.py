"""`reportbot inspect`: what the intake makes of raw mails, as JSON (DESIGN §2), nothing written."""
from __future__ import annotations

import contextlib
import io
import json

from bot.cli import main

DSN = (b"From: MAILER-DAEMON@mx.byt.example\r\nTo: baocao@example.gov.vn\r\nSubject: Undelivered Mail\r\n"
       b"Message-ID: <dsn1@mx.byt.example>\r\nMIME-Version: 1.0\r\n"
       b'Content-Type: multipart/report; report-type=delivery-status; boundary="B"\r\n\r\n'
       b"--B\r\nContent-Type: text/plain\r\n\r\nDelivery failed. Contact helpdesk@byt.example\r\n"
       b"--B\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.byt.example\r\n\r\n"
       b"Final-Recipient: rfc822; vanthu@byt.example\r\nAction: failed\r\nStatus: 5.1.1\r\n"
       b"--B\r\nContent-Type: text/rfc822-headers\r\n\r\nMessage-ID: <abc.1@example.gov.vn>\r\n--B--\r\n")
DELAY = DSN.replace(b"Action: failed\r\nStatus: 5.1.1", b"Action: delayed\r\nStatus: 4.2.2")


def _inspect(tmp_path, *raws: bytes) -> tuple[int, object]:
    paths = []
    for i, raw in enumerate(raws):
        p = tmp_path / f"m{i}.eml"
        p.write_bytes(raw)
        paths.append(str(p))
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = main(["inspect", *paths, "--format", "json"])
    return code, json.loads(out.getvalue()) if code == 0 else None


def test_inspect_names_the_dsn_recipient_its_verdict_and_the_returned_message(tmp_path):
    code, (hard, soft) = _inspect(tmp_path, DSN, DELAY)
    assert code == 0 and hard["kind"] == soft["kind"] == "bounce" and hard["may_acknowledge"] is False
    [rc] = hard["bounce"]["recipients"]
    assert (rc["address"], rc["status"], rc["action"], rc["permanent"]) == ("vanthu@byt.example", "5.1.1",
                                                                             "failed", True)
    assert hard["bounce"]["returned_message_ids"] == ["<abc.1@example.gov.vn>"]
    assert [r["permanent"] for r in soft["bounce"]["recipients"]] == [False]


def test_inspect_of_something_that_is_not_a_mail_says_so_without_crashing(tmp_path):
    code, one = _inspect(tmp_path, b"\x00\x01 not a mail at all \xff")
    assert code == 0 and one["kind"] == "report_or_other" and one["bounce"] is None and one["reason"]
