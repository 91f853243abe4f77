"""Issue 12 regression: acknowledgements carried `In-Reply-To: 1796…@byt.example` without the
angle brackets RFC 5322 §3.6.4 requires (the stored Message-ID is kept without them and was
written back as it was), so mail clients did not thread them under the agency's reply.

Here the acknowledgement is read the way a client reads it: the bytes our outbox sends, parsed
with the stdlib parser, In-Reply-To and References split into msg-ids by the RFC 5322 grammar.
"""
from __future__ import annotations

import re
from email import message_from_bytes, policy
from email.parser import BytesParser

from sqlmodel import select

from bot.intake.poll import poll_once
from bot.outbound.outbox import read_body
from db.models import OutboundMail

from .conftest import FULL, NOW, reply

# RFC 5322 §3.6.4: msg-id = "<" id-left "@" id-right ">", both dot-atom-text (or a no-fold-literal
# on the right); CFWS may separate the msg-ids of a list.
_ATEXT = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]"
_DOT_ATOM = rf"{_ATEXT}+(?:\.{_ATEXT}+)*"
MSG_ID = re.compile(rf"<{_DOT_ATOM}@(?:{_DOT_ATOM}|\[[^\[\]\\\s]*\])>")


def msg_id_list(value: str) -> list[str]:
    """The header value as a client's threading reads it; fails on anything that is not a msg-id."""
    unfolded = re.sub(r"\r?\n[ \t]", " ", value).strip()
    ids = MSG_ID.findall(unfolded)
    assert MSG_ID.sub("", unfolded).strip() == "", f"not a msg-id list: {value!r}"
    return ids


def _sent_ack(site) -> bytes:
    with site.app.session() as s:
        [ack] = s.exec(select(OutboundMail).where(OutboundMail.kind == "ack")).all()
        return read_body(s, ack.id)


def test_ack_in_reply_to_has_angle_brackets_and_references_keep_the_agencys_chain(site):
    long_left = "CAByYQsHq=c+uz-ubnN2pG3n256yS7P18KDbG6oStGF5bChUhyw.1796" + "x" * 40  # no space to fold at
    their_id = f"<{long_left}@mail.byt.example>"
    chain = ["<dispatch.BYT.1@example.gov.vn>", "<note-2@byt.example>"]
    mail = message_from_bytes(reply(sections=FULL, headers={"References": " ".join(chain), "In-Reply-To": chain[-1]}))
    mail.replace_header("Message-ID", their_id)  # compat32: a long id stays as it is
    site.append(mail.as_bytes())
    assert poll_once(site.intake, clock=lambda: NOW).count("processed") == 1
    raw = _sent_ack(site)
    head = raw.split(b"\r\n\r\n", 1)[0]
    id_fields = re.findall(rb"(?im)^(?:message-id|in-reply-to|references):.*(?:\r\n[ \t].*)*", head)
    assert len(id_fields) == 3 and not any(b"=?" in f for f in id_fields)  # no RFC 2047 word hides an id
    client = BytesParser(policy=policy.compat32).parsebytes(raw)
    assert msg_id_list(client["In-Reply-To"]) == [their_id]
    assert msg_id_list(client["References"]) == chain + [their_id]
    assert len(msg_id_list(client["Message-ID"])) == 1
    assert all(len(line) <= 998 for line in head.split(b"\r\n"))


def test_ack_to_a_reply_without_references_threads_under_its_message_id(site):
    site.append(reply(sections=FULL))
    poll_once(site.intake, clock=lambda: NOW)
    client = BytesParser(policy=policy.default).parsebytes(_sent_ack(site))
    [parent] = msg_id_list(str(client["In-Reply-To"]))
    assert parent.endswith("@byt.example>")
    assert msg_id_list(str(client["References"])) == [parent]
