"""The words of a non-standard bounce notice (qmail, Exchange, Domino, old MTAs, webmail providers).

Pure. The notice is the text a server wrote above the returned copy; its failed recipients are
the addresses it states as failed (on a failure line, under a failure heading, "<addr>: reason"),
never an address offered for help ("please contact support@…"), the sender, or a program or
path glued to an address.
"""

from __future__ import annotations

import re
from email.message import EmailMessage

from bot.intake import bounce_verdict as verdict
from bot.intake import headers as h
from bot.intake.bounce_recipient import BounceRecipient
from bot.intake.patterns import DELAY_SUBJECT, REPLY_PREFIX, SYSTEM_LOCALPARTS

NOTICE_CHARS = 30_000

# Where the server stops talking and the returned copy begins (folded text not needed).
_COPY_MARKERS = re.compile(
    r"^\s*(?:-{2,}\s*)?(?:below this line is a copy of the message|this is a copy of the message"
    r"|original message follows|the first \d+ lines of your original message follow"
    r"|[- ]*original message[- ]*$|[- ]*headers of the original message|the header of the original message"
    r"|[- ]*returned message|[- ]*forwarded message|unsent message below|[- ]*message text follows"
    r"|bounced e-?mail:|from \S+@\S+ +\w{3} \w{3} |from mailer-daemon +\w{3} \w{3} )",
    re.IGNORECASE | re.MULTILINE,
)
# Header lines that only a returned copy carries (a notice may show its own To/Subject/Date),
# next to another header line: one "Message-ID:" line quoted in the prose does not end the notice.
_COPY_HEADER = (r"[ \t>]*(?:received|return-path|message-id|references|in-reply-to|x-[\w-]+|mime-version"
                r"|content-type|content-transfer-encoding|newsgroups|path|organization|nntp-posting-[\w-]+|sender"
                r"|errors-to|list-[\w-]+|precedence|delivered-to|dkim-signature|authentication-results)[ \t]*:.*")
_ANY_HEADER = r"[ \t>]*[A-Za-z][\w-]{1,40}:.*"
_COPY_HEADERS = re.compile(rf"^(?:{_COPY_HEADER}\n(?:[ \t].*\n)*{_ANY_HEADER}|{_ANY_HEADER}\n(?:[ \t].*\n)*{_COPY_HEADER})$",
                           re.IGNORECASE | re.MULTILINE)
_BOUNDARY_LINE = re.compile(r"^--[\w'()+,./:=?-]{6,}\s*$", re.MULTILINE)

# Local part: anything but separators, pipes and paths; domain: ASCII labels (so no word of the
# next sentence, in any script, is glued to it).
_ADDR_IN_TEXT = re.compile(
    r"[^\s<>()\[\]@,;:\"'`|/\\]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+")
# Words before an address that offer it for help rather than name it as failed.
_HELP_BEFORE = re.compile(
    r"(?i)(?:contact(?:ing)?|write to|writing to|send (?:an? )?(?:e-?)?mail to|mailto:|reach|e-?mail us at"
    r"|assistance|support|helpdesk|help desk|administrator|postmaster|questions?|report (?:this|it) to"
    r"|forward (?:this|it) to|liên hệ|hỗ trợ)[^.!?\n]{0,40}$")


def subject_says_delay(msg: EmailMessage) -> bool:
    subject = h.fold(REPLY_PREFIX.sub("", h.header(msg, "Subject", 2048).lower()))
    return any(p.search(subject) for p in DELAY_SUBJECT)


def leaf_texts(msg: EmailMessage) -> list[str]:
    """The text of every leaf outside returned messages (a notice read whole, whatever its MIME)."""
    out = []
    for part, _, inside in h.walk_parts(msg, into_messages=False):
        if inside or part.is_multipart() or h.content_type(part) in ("message/rfc822", "message/global"):
            continue
        if h.content_type(part).startswith(("text/", "message/")) or part is msg:
            out.append(h.part_text(part, NOTICE_CHARS * 4))
    return out


def notice_text(msg: EmailMessage) -> str:
    """The server's own words: text parts outside returned messages, cut at the copy."""
    texts = []
    for part, _, inside in h.walk_parts(msg, into_messages=False):
        ctype = h.content_type(part)
        if inside or part.is_multipart() or not (ctype.startswith("text/") or part is msg):
            continue
        if ctype == "text/rfc822-headers":
            continue
        text = h.part_text(part, NOTICE_CHARS * 2).replace("\r\n", "\n").replace("\r", "\n")
        if ctype == "text/html":
            text = re.sub(r"<[^>]{0,2000}>", " ", text)
        texts.append(_cut_at_copy(text))
        if sum(len(t) for t in texts) > NOTICE_CHARS:
            break
    return "\n".join(texts)[:NOTICE_CHARS]


def _cut_at_copy(text: str) -> str:
    """The notice before the returned copy; a MIME boundary line the parser did not know (a
    broken multipart read as one text) is skipped, not taken for the copy."""
    text = _BOUNDARY_LINE.sub("", text)
    cuts = [c.start() for c in (_COPY_MARKERS.search(text), _COPY_HEADERS.search(text)) if c and c.start() > 0]
    return text[: min(cuts)] if cuts else text


def recipients(msg: EmailMessage, *, extra_allowed: set[str] | None = None) -> list[BounceRecipient]:
    subject = h.header(msg, "Subject", 2048)
    ignore = own_addresses(msg) - (extra_allowed or set())
    strong: list[BounceRecipient] = []
    weak: list[BounceRecipient] = []
    lines = [subject] + notice_text(msg).splitlines()
    for i, line in enumerate(lines):
        for m in _ADDR_IN_TEXT.finditer(line):
            address = m.group(0).strip(".").lower()
            if address in ignore or _HELP_BEFORE.search(line[: m.start()]):
                continue
            after = line[m.end():] + "\n" + "\n".join(lines[i + 1: i + 4])
            context = _context(after)
            item = BounceRecipient(address, verdict.status_code(context), context, "failed",
                                   reply_code=verdict.reply_code(context))
            if i == 0 or _names_failure(lines, i, line, m):
                strong.append(item)
            elif address.partition("@")[0] not in SYSTEM_LOCALPARTS:  # "write to postmaster@..."
                weak.append(item)
    found = strong or weak
    seen: dict[str, BounceRecipient] = {}
    for item in found:  # an address named twice: the mention that says why counts
        known = seen.get(item.address)
        if known is None or not (known.status or known.reply_code) and (item.status or item.reply_code):
            seen[item.address] = item
    return list(seen.values())


def _context(after: str) -> str | None:
    """What the notice says right after an address: the rest of its line and the lines below,
    up to the next address or blank line (another recipient's reason is not this one's)."""
    kept = []
    for n, raw in enumerate(after.splitlines()):
        line = raw.strip(" \t>:-")
        if n > 0 and (not line or re.match(r"<?[^\s<>]+@[^\s<>]+>?(?:$|[\s:,;.])", line)):
            break
        if line:
            kept.append(line)
    return " ".join(kept)[:500] or None


_RECEIVED_FOR = re.compile(r"\bfor\s+<?([^\s<>;@]+@[^\s<>;]+?)>?\s*;", re.IGNORECASE)


def copy_recipients(msg: EmailMessage, ignore: set[str]) -> list[str]:
    """Whom the returned copy was addressed to: its To when it names one address, else the
    "for <rcpt>" of its top Received (the copy enclosed, headers only, or quoted inline)."""
    for head in _copy_heads(msg):
        to = [a for a in h.addresses(head, "To") if a not in ignore]
        if len(to) == 1:
            return to
        for value in h.raw_headers(head, "Received")[:1]:
            m = _RECEIVED_FOR.search(value)
            if m and m.group(1).lower() not in ignore:
                return [m.group(1).lower()]
    return []


def own_addresses(msg: EmailMessage) -> set[str]:
    """The notice's own From, To and Reply-To: never a failed recipient of it."""
    return {a for name in ("From", "To", "Reply-To") for a in h.addresses(msg, name)}


def _copy_heads(msg: EmailMessage):
    for part, path, _ in h.walk_parts(msg, into_messages=False):
        ctype = h.content_type(part)
        if ctype in ("message/rfc822", "message/global"):
            inner = part.get_payload()
            if isinstance(inner, list) and inner:
                yield inner[0]
        elif ctype in ("text/rfc822-headers", "message/rfc822-headers"):
            yield h.parse_message(h.part_bytes(part))
        elif path == "0" and not part.is_multipart():  # a single-part notice quoting the copy
            text = h.part_text(part, NOTICE_CHARS * 4).replace("\r\n", "\n")
            start = _COPY_HEADERS.search(text)
            if start:
                yield h.parse_message(text[start.start():].encode("utf-8", "replace"))


_FAILURE_WORDS = re.compile(
    r"(?i)fail|unknown|deliver|not listed|no such|not found|cannot be reached|could not|unable|rejected|invalid"
    r"|does not exist|doesn.t exist|quota|mailbox|unavailable|not recognized|permanent|error|bounce|refused"
    r"|denied|not a valid|disabled|inactive|exceed|unreachable|postponed|retried|recipient|expired|timed out"
    r"|недостав|не найден|не существует|не доставлен|不存在|失败|失敗|không|thất bại"
)
_RECIPIENT_LABEL = re.compile(r"(?i)(recipient|address|rcpt|failed|empfänger|destinat|người nhận|địa chỉ)[^:]{0,20}:$")


def _names_failure(lines: list[str], i: int, line: str, m: re.Match[str]) -> bool:
    """Is this address stated as a failed recipient (on a failure line, or listed under one)?"""
    if _FAILURE_WORDS.search(line) or re.match(r"\s*<?[^\s<>]+@[^\s<>]+>?\s*:", line):
        return True
    before = line[: m.start()].strip(" \t<\"'([")
    if before:  # a list entry starts with the address; "target address: x" names it too
        return bool(_RECIPIENT_LABEL.search(before)) and before.endswith(":")
    if len(line[m.end():].strip()) > 60:  # a sentence starting with an address, not a list entry
        return False
    for prev in reversed(lines[max(1, i - 4): i]):
        if prev.strip():
            if _FAILURE_WORDS.search(prev):
                return True
            if not _ADDR_IN_TEXT.search(prev):
                return False  # a list entry under something else
    return False
