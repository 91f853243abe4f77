"""Which of our messages a bounce returns: the Message-ID of the original it quotes. Pure.

The original comes back as a message/rfc822 part, as text/rfc822-headers (headers only), or
quoted inline below the notice of a single-part bounce (qmail, Exim, webmail providers); any of
them ties a bounce whose recipient cannot be read to the outbox row it returns.
"""

from __future__ import annotations

import re
from email.message import EmailMessage

from bot.intake import headers as h

# "Message-ID: <id>" as a header line of a quoted copy (indented or "> "-quoted, maybe folded).
_ID_LINE = re.compile(
    r"^[ \t>]*(message-id|in-reply-to)[ \t]*:[ \t]*(?:\r?\n[ \t]+)?((?:<[^<>\s]+>[ \t]*)+)",
    re.IGNORECASE | re.MULTILINE)
_TEXT_SCAN = 1_000_000


def returned_ids(msg: EmailMessage) -> list[str]:
    primary: list[str] = []
    secondary: list[str] = []
    for part, path, _ in h.walk_parts(msg, into_messages=True):
        ctype = h.content_type(part)
        if part.is_multipart() and ctype != "message/rfc822":
            continue
        if path == "0" and not part.is_multipart():  # a single-part notice quoting the original
            _scan(_body_text(part), primary, secondary)
        elif ctype in ("message/rfc822", "message/global"):
            inner = part.get_payload()
            subs = [s for s in inner if isinstance(s, EmailMessage)] if isinstance(inner, list) else []
            for sub in subs:
                primary.extend(h.message_ids(" ".join(h.raw_headers(sub, "Message-ID"))))
                secondary.extend(h.message_ids(" ".join(h.raw_headers(sub, "In-Reply-To"))))
            if not subs:  # a payload the parser kept as text (an encoded or broken enclosure)
                _scan(h.part_text(part, _TEXT_SCAN), primary, secondary)
        elif path != "0" and (ctype.startswith("text/") or ctype == "message/rfc822-headers"):
            _scan(h.part_text(part, _TEXT_SCAN), primary, secondary)
    secondary.extend(h.message_ids(" ".join(h.raw_headers(msg, "In-Reply-To"))))
    secondary.extend(h.message_ids(" ".join(h.raw_headers(msg, "References"))))
    ordered: dict[str, None] = {}
    for mid in primary + secondary:  # some servers reuse the original's id for the bounce: keep it
        ordered.setdefault(mid, None)
    return list(ordered)


def _body_text(part: EmailMessage) -> str:
    return h.part_text(part, _TEXT_SCAN)


def _scan(text: str, primary: list[str], secondary: list[str]) -> None:
    for m in _ID_LINE.finditer(text):
        target = primary if m.group(1).lower() == "message-id" else secondary
        target.extend(h.message_ids(m.group(2)))
