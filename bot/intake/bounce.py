"""Read a bounce: who failed, why, and which of our messages came back.

Pure and never raising. Standard DSNs (RFC 3464 message/delivery-status) are read field
by field; the many non-standard notices (qmail, Exchange, Domino, old MTAs) are read
from the notice text above the returned copy, using the phrasings those servers use.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from email.message import EmailMessage

from bot.intake import headers as h
from bot.intake.patterns import DELAY_SUBJECT, REPLY_PREFIX, SYSTEM_LOCALPARTS

NOTICE_CHARS = 30_000


@dataclass(frozen=True)
class BounceRecipient:
    address: str  # Final-Recipient (or the address the notice names), lower-cased
    status: str | None  # enhanced status code "5.1.1", when stated
    diagnostic: str | None  # the remote server's words, shortened
    action: str  # "failed" | "delayed" | "delivered" | "relayed" | "expanded"
    original_recipient: str | None = None  # Original-Recipient, when the DSN has one


def failed_recipients(msg: EmailMessage) -> list[BounceRecipient]:
    """Recipients a bounce reports on (any action; callers act on "failed")."""
    try:
        found = _from_dsn(msg)
        return found if found else _from_notice(msg)
    except Exception:  # noqa: BLE001 - a broken bounce yields nothing rather than an error
        return []


def returned_message_ids(msg: EmailMessage) -> list[str]:
    """Message-IDs (then In-Reply-To ids) of the returned original, best evidence first."""
    try:
        return _returned_ids(msg)
    except Exception:  # noqa: BLE001
        return []


# --- standard DSN ---------------------------------------------------------------------

_STATUS = re.compile(r"\b([245]\.\d{1,3}\.\d{1,3})\b")
_FAIL_STATUS = re.compile(r"\b([45]\.\d{1,3}\.\d{1,3})\b")


def _from_dsn(msg: EmailMessage) -> list[BounceRecipient]:
    records: list[dict[str, str]] = []
    for part, _, inside in h.walk_parts(msg, into_messages=False):
        if inside or not h.content_type(part).endswith("delivery-status"):
            continue
        records.extend(_recipient_records(_dsn_fields(part)))
    out: list[BounceRecipient] = []
    for rec in records:
        final = _dsn_address(rec.get("final-recipient", ""))
        original = _dsn_address(rec.get("original-recipient", ""))
        address = final or original
        if not address:
            continue
        status = _STATUS.search(rec.get("status", ""))
        out.append(BounceRecipient(
            address=address,
            status=status.group(1) if status else None,
            diagnostic=_diagnostic(rec.get("diagnostic-code", "")),
            action=h.first_token(rec.get("action", "")) or ("failed" if not status or status.group(1)[0] == "5" else "delayed"),
            original_recipient=original if original and original != address else None,
        ))
    return _dedupe(out)


def _dsn_fields(part: EmailMessage) -> list[tuple[str, str] | None]:
    """The delivery-status fields in order; None marks a blank line between blocks."""
    fields: list[tuple[str, str] | None] = []
    payload = part.get_payload() if part.is_multipart() else None
    if isinstance(payload, list):  # the parser splits delivery-status into header blocks
        for block in payload:
            fields.extend((k.lower(), str(v)) for k, v in block.raw_items())
            fields.append(None)
        return fields
    for line in h.part_text(part, 200_000).splitlines():
        if not line.strip():
            fields.append(None)
        elif line[:1] in " \t" and fields and fields[-1] is not None:
            name, value = fields[-1]
            fields[-1] = (name, value + " " + line.strip())
        elif ":" in line:
            name, _, value = line.partition(":")
            fields.append((name.strip().lower(), value.strip()))
    return fields


def _recipient_records(fields: list[tuple[str, str] | None]) -> list[dict[str, str]]:
    """Group fields per recipient; a repeated recipient field starts a new record even
    without the blank line (some servers omit it)."""
    records: list[dict[str, str]] = []
    current: dict[str, str] = {}
    for item in fields + [None]:
        if item is None or (item[0] in current and item[0] in ("final-recipient", "original-recipient")) or (
            item[0] == "original-recipient" and "final-recipient" in current
        ):
            if "final-recipient" in current or "original-recipient" in current:
                records.append(current)
            current = {}
            if item is None:
                continue
        name, value = item
        current.setdefault(name, value)
    return records


def _dsn_address(value: str) -> str:
    value = h.decode_header_value(value, 1024)
    _, sep, rest = value.partition(";")
    text = re.sub(r"^\s*<?(?:@[^:,<>\s]+[,:])+", "", rest if sep else value)  # "@relay:user@host" source route
    found = h.addresses_in(text.replace("<", " ").replace(">", " "))
    return found[0] if found else ""


def _diagnostic(value: str) -> str | None:
    value = h.decode_header_value(value, 2000).strip()
    _, sep, rest = value.partition(";")
    text = (rest if sep and len(_) < 20 else value).strip()
    return text[:500] or None


def _dedupe(items: list[BounceRecipient]) -> list[BounceRecipient]:
    seen: set[str] = set()
    out = []
    for item in items:
        if item.address not in seen:
            seen.add(item.address)
            out.append(item)
    return out


# --- non-standard notices ---------------------------------------------------------------

# Where the server stops talking and the returned copy begins (folded text not needed).
_COPY_MARKERS = re.compile(
    r"^\s*(?:-{2,}\s*)?(?:below this line is a copy of the message|this is a copy of the message"
    r"|original message follows|the first \d+ lines of your original message follow"
    r"|[- ]*original message[- ]*$|[- ]*headers of the original message|the header of the original message"
    r"|[- ]*returned message|[- ]*forwarded message|unsent message below|[- ]*message text follows"
    r"|bounced e-?mail:|from \S+@\S+ +\w{3} \w{3} )",
    re.IGNORECASE | re.MULTILINE,
)
# Header lines that only a returned copy carries (a notice may show its own To/Subject/Date).
_COPY_HEADERS = re.compile(
    r"^[ \t>]*(?:received|return-path|message-id|references|in-reply-to|x-[\w-]+|mime-version|content-type"
    r"|content-transfer-encoding|newsgroups|path|organization|nntp-posting-[\w-]+|sender|errors-to|list-[\w-]+"
    r"|precedence|delivered-to|dkim-signature|authentication-results)[ \t]*:",
    re.IGNORECASE | re.MULTILINE,
)
_ADDR_IN_TEXT = re.compile(r"[^\s<>()\[\]@,;:\"'`]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63})+", re.UNICODE)


def _from_notice(msg: EmailMessage) -> list[BounceRecipient]:
    subject = h.header(msg, "Subject", 2048)
    ignore = set(h.addresses(msg, "From")) | set(h.addresses(msg, "To")) | set(h.addresses(msg, "Reply-To"))
    delayed = any(p.search(h.fold(REPLY_PREFIX.sub("", subject.lower()))) for p in DELAY_SUBJECT)
    action = "delayed" if delayed else "failed"
    strong: list[BounceRecipient] = []
    weak: list[BounceRecipient] = []
    lines = [subject] + _notice_text(msg).splitlines()
    for i, line in enumerate(lines):
        for m in _ADDR_IN_TEXT.finditer(line):
            address = m.group(0).strip(".").lower()
            if address in ignore:
                continue
            after = line[m.end():] + " " + " ".join(lines[i + 1: i + 3])
            status = _FAIL_STATUS.search(after[:300])
            item = BounceRecipient(address, status.group(1) if status else None, _context_line(after), action)
            if i == 0 or _names_failure(lines, i, line, m):
                strong.append(item)
            elif address.partition("@")[0] not in SYSTEM_LOCALPARTS:  # "write to postmaster@..."
                weak.append(item)
    found = strong or weak
    if not found:  # old MTAs name nobody; the returned copy's top Received says "for <rcpt>"
        found = [BounceRecipient(a, None, None, action) for a in _received_for(msg) if a not in ignore]
    return _dedupe(found)


_RECEIVED_FOR = re.compile(r"\bfor\s+<?([^\s<>;@]+@[^\s<>;]+?)>?\s*;", re.IGNORECASE)


def _received_for(msg: EmailMessage) -> list[str]:
    for part, path, _ in h.walk_parts(msg, into_messages=True):
        if path == "0":
            continue
        ctype = h.content_type(part)
        if ctype in ("message/rfc822", "message/global"):
            inner = part.get_payload()
            received = h.raw_headers(inner[0], "Received") if isinstance(inner, list) and inner else []
        elif ctype in ("text/rfc822-headers", "message/rfc822-headers"):
            received = h.raw_headers(h.parse_message(h.part_bytes(part)), "Received")
        else:
            continue
        for value in received[:1]:
            m = _RECEIVED_FOR.search(value)
            if m:
                return [m.group(1).lower()]
    return []


_FAILURE_WORDS = re.compile(
    r"(?i)fail|unknown|deliver|not listed|no such|not found|cannot be reached|could not|unable|rejected|invalid"
    r"|does not exist|doesn.t exist|quota|mailbox|unavailable|not recognized|permanent|error|bounce|refused"
    r"|denied|not a valid|disabled|inactive|exceed|unreachable|postponed|retried|recipient"
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


def _notice_text(msg: EmailMessage) -> str:
    """The server's own words: text parts outside returned messages, cut at the copy."""
    texts = []
    for part, _, inside in h.walk_parts(msg, into_messages=False):
        ctype = h.content_type(part)
        if inside or part.is_multipart() or not (ctype.startswith("text/") or part is msg):
            continue
        if ctype in ("text/rfc822-headers",):
            continue
        text = h.part_text(part, NOTICE_CHARS * 2)
        if ctype == "text/html":
            text = re.sub(r"<[^>]{0,2000}>", " ", text)
        cuts = [c.start() for c in (_COPY_MARKERS.search(text), _COPY_HEADERS.search(text)) if c and c.start() > 0]
        texts.append(text[: min(cuts)] if cuts else text)
        if sum(len(t) for t in texts) > NOTICE_CHARS:
            break
    return "\n".join(texts)[:NOTICE_CHARS]


def _context_line(context: str) -> str | None:
    lines = [ln.strip(" \t>:-") for ln in context.splitlines()]
    lines = [ln for ln in lines if ln]
    return " ".join(lines[:2])[:300] or None


# --- returned message ids -----------------------------------------------------------------

_ID_LINE = re.compile(r"^[ \t>]*(message-id|in-reply-to)[ \t]*:[ \t]*((?:<[^<>\s]+>[ \t]*)+)", re.IGNORECASE | re.MULTILINE)


def _returned_ids(msg: EmailMessage) -> list[str]:
    primary: list[str] = []
    secondary: list[str] = []
    for part, path, _ in h.walk_parts(msg, into_messages=True):
        ctype = h.content_type(part)
        if path == "0":
            continue
        if ctype in ("message/rfc822", "message/global"):
            inner = part.get_payload()
            for sub in inner if isinstance(inner, list) else []:
                primary.extend(h.message_ids(" ".join(h.raw_headers(sub, "Message-ID"))))
                secondary.extend(h.message_ids(" ".join(h.raw_headers(sub, "In-Reply-To"))))
        elif (ctype.startswith("text/") or ctype == "message/rfc822-headers") and not part.is_multipart():
            text = h.part_text(part, 1_000_000)
            for m in _ID_LINE.finditer(text):
                target = primary if m.group(1).lower() == "message-id" else secondary
                target.extend(h.message_ids(m.group(2)))
    secondary.extend(h.message_ids(" ".join(h.raw_headers(msg, "In-Reply-To"))))
    secondary.extend(h.message_ids(" ".join(h.raw_headers(msg, "References"))))
    ordered: dict[str, None] = {}
    for mid in primary + secondary:  # some servers reuse the original's id for the bounce: keep it
        ordered.setdefault(mid, None)
    return list(ordered)
