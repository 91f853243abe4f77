"""Read a bounce: who failed, whether for good, and which of our messages came back.

Pure and never raising. The recipients come from the most structured source a notice has:
1. RFC 3464 message/delivery-status fields (also when a broken boundary or a forwarded notice
   left them as plain text), one recipient per Final-Recipient / Original-Recipient pair;
2. a provider's JSON notification (Amazon SES and the like, bot/intake/bounce_json.py);
3. X-Failed-Recipients (Exim, Google);
4. the notice text above the returned copy, in the phrasings servers use (bot/intake/bounce_notice.py).
Each recipient's verdict (permanent or temporary) is bot/intake/bounce_verdict.py's.
"""

from __future__ import annotations

import base64
import binascii
import quopri
import re
from dataclasses import replace
from email.message import EmailMessage

from bot.intake import bounce_json, bounce_notice
from bot.intake import bounce_verdict as verdict
from bot.intake import headers as h
from bot.intake.bounce_recipient import NOT_FAILED, BounceRecipient
from bot.intake.bounce_returned import returned_ids

__all__ = ["NOT_FAILED", "BounceRecipient", "failed_recipients", "returned_message_ids"]

def failed_recipients(msg: EmailMessage) -> list[BounceRecipient]:
    """Recipients a bounce reports on, each with its verdict (any action; see `failed`)."""
    try:
        return _judged(msg, _read(msg))
    except Exception:  # noqa: BLE001 - a broken bounce yields nothing rather than an error
        return []


def returned_message_ids(msg: EmailMessage) -> list[str]:
    """Message-IDs (then In-Reply-To ids) of the returned original, best evidence first."""
    try:
        found = returned_ids(msg)
        return found + [i for i in bounce_json.message_ids(msg) if i not in found]
    except Exception:  # noqa: BLE001
        return []


def _read(msg: EmailMessage, depth: int = 0) -> list[BounceRecipient]:
    found = _from_dsn(msg) or _from_json(msg)
    if found:
        return found
    failed_header = _x_failed_recipients(msg)
    if failed_header:  # the header names them; the notice may say why
        said = {r.address: r for r in bounce_notice.recipients(msg, extra_allowed=set(failed_header))}
        return [said.get(a) or BounceRecipient(a, None, None, "failed") for a in failed_header]
    found = bounce_notice.recipients(msg)
    if found:
        return found
    for inner in _enclosed_bounces(msg) if depth < 2 else ():  # a notice forwarding another notice
        found = _read(inner, depth + 1)
        if found:
            return found
    ignore = bounce_notice.own_addresses(msg)  # nobody named: whom the returned copy was for
    return [BounceRecipient(a, None, None, "failed") for a in bounce_notice.copy_recipients(msg, ignore)]


def _enclosed_bounces(msg: EmailMessage) -> list[EmailMessage]:
    out = []
    for part, _, inside in h.walk_parts(msg, into_messages=False):
        inner = part.get_payload() if h.content_type(part) in ("message/rfc822", "message/global") else None
        if not inside and isinstance(inner, list) and inner and (
                h.content_type(inner[0]) == "multipart/report" or h.from_address(inner[0]).startswith("mailer-daemon")):
            out.append(inner[0])
    return out


def _judged(msg: EmailMessage, found: list[BounceRecipient]) -> list[BounceRecipient]:
    if not found:
        return []
    notice = bounce_notice.notice_text(msg)
    subject_delay = bounce_notice.subject_says_delay(msg)
    temporary_notice = subject_delay or verdict.notice_is_temporary(notice)
    out = []
    for r in found:
        status = verdict.best_status(r.status, r.diagnostic)
        code = r.reply_code or verdict.reply_code(r.diagnostic)
        action = "delayed" if subject_delay and r.action == "failed" and not status else r.action
        text = r.diagnostic if (status or code) else " ".join(filter(None, (r.diagnostic, notice)))
        permanent = r.action not in NOT_FAILED and verdict.is_permanent(
            status=status, action=action, code=code, text=text, notice_temporary=temporary_notice)
        out.append(replace(r, status=status, reply_code=code, action=action, permanent=permanent))
    return out


# --- standard DSN ---------------------------------------------------------------------

def _from_dsn(msg: EmailMessage) -> list[BounceRecipient]:
    records: list[dict[str, str]] = []
    for part, _, inside in h.walk_parts(msg, into_messages=False):
        if inside or not h.content_type(part).endswith("delivery-status"):
            continue
        records.extend(_recipient_records(_dsn_fields(part)))
    if not records:  # a forwarded notice, or a boundary that never matched: the fields as text
        records = _recipient_records(_fields_in_text("\n\n".join(bounce_notice.leaf_texts(msg))))
    out: list[BounceRecipient] = []
    for rec in records:
        final = _dsn_address(rec.get("final-recipient", ""))
        original = _dsn_address(rec.get("original-recipient", ""))
        address = final or original
        if not address:
            continue
        status = verdict.status_code(rec.get("status", ""))
        diagnostic = _diagnostic(rec.get("diagnostic-code", ""))
        action = h.first_token(rec.get("action", "")) or "failed"
        out.append(BounceRecipient(
            address=address, status=status, diagnostic=diagnostic, action=action,
            original_recipient=original if original and original != address else None,
            reply_code=verdict.reply_code(rec.get("diagnostic-code", "")),
        ))
    return _dedupe(out)


def _dsn_fields(part: EmailMessage) -> list[tuple[str, str] | None]:
    """The delivery-status fields in order; None marks a blank line between blocks."""
    payload = part.get_payload() if part.is_multipart() else None
    encoding = str(part.get("Content-Transfer-Encoding", "")).strip().lower()
    if isinstance(payload, list) and encoding not in ("quoted-printable", "base64"):
        fields: list[tuple[str, str] | None] = []
        for block in payload:  # the parser splits delivery-status into header blocks
            fields.extend((k.lower(), str(v)) for k, v in block.raw_items())
            fields.append(None)
        return fields
    return _fields_in_text(_decoded_body(part, payload, encoding))


def _decoded_body(part: EmailMessage, payload: object, encoding: str) -> str:
    """A delivery-status part's text; a transfer encoding on it (seen from Amazon WorkMail) undone."""
    if isinstance(payload, list):
        text = "\n".join(block.as_string() for block in payload)
    else:
        text = h.part_text(part, 200_000) if encoding not in ("quoted-printable", "base64") else str(payload or "")
    if encoding == "quoted-printable":
        text = quopri.decodestring(text.encode("ascii", "replace")).decode("utf-8", "replace")
    elif encoding == "base64":
        try:
            text = base64.b64decode(re.sub(r"[^A-Za-z0-9+/=]", "", text)).decode("utf-8", "replace")
        except (binascii.Error, ValueError):
            pass
    return text


_DSN_NAMES = ("final-recipient", "original-recipient", "action", "status", "diagnostic-code", "remote-mta",
              "last-attempt-date", "will-retry-until", "x-actual-recipient", "x-display-name")


def _fields_in_text(text: str) -> list[tuple[str, str] | None]:
    """Delivery-status fields from text: header-style lines, continuation lines folded in."""
    fields: list[tuple[str, str] | None] = []
    for line in text.splitlines():
        stripped = line.lstrip(" \t>")
        if not stripped.strip():
            fields.append(None)
        elif line[:1] in " \t" and fields and fields[-1] is not None and ":" not in stripped[:30]:
            name, value = fields[-1]
            fields[-1] = (name, value + " " + stripped.strip())
        elif ":" in stripped:
            name, _, value = stripped.partition(":")
            fields.append((name.strip().lower(), value.strip()))
        else:
            fields.append(None)
    return fields


def _recipient_records(fields: list[tuple[str, str] | None]) -> list[dict[str, str]]:
    """Group fields per recipient. A recipient is one Final-Recipient with its Original-Recipient,
    in either order; a repeated one starts a new record even without the blank line."""
    records: list[dict[str, str]] = []
    current: dict[str, str] = {}
    for item in fields + [None]:
        names = ("final-recipient", "original-recipient")
        if item is None or (item[0] in names and item[0] in current):
            if any(n in current for n in names):
                records.append(current)
            current = {}
            if item is None:
                continue
        name, value = item
        if name in _DSN_NAMES or name.startswith("x-"):
            current.setdefault(name, value)
    return records


# An addr-spec as a DSN writes one: no path, pipe or quoted program text glued to it.
_ADDR_SPEC = re.compile(r"(?<![^\s<\"'(,;:])([^\s<>()\[\]@,;:\"'|/\\]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63})+)\.?(?=$|[\s>)\"',;])")


def _dsn_address(value: str) -> str:
    value = h.decode_header_value(value, 1024)
    kind, sep, rest = value.partition(";")
    text = rest if sep and len(kind) < 30 else value
    text = re.sub(r"^\s*<?(?:@[^:,<>\s]+[,:])+", "", text)  # "@relay:user@host" source route
    found = _ADDR_SPEC.findall(text.replace("<", " <").replace(">", "> "))
    return found[0].lower() if found else ""


def _diagnostic(value: str) -> str | None:
    value = h.decode_header_value(value, 2000).strip()
    kind, sep, rest = value.partition(";")
    text = (rest if sep and len(kind) < 20 else value).strip()
    return text[:500] or None


def _from_json(msg: EmailMessage) -> list[BounceRecipient]:
    return [BounceRecipient(r.address, verdict.status_code(r.status), r.diagnostic, r.action,
                            reply_code=verdict.reply_code(r.diagnostic))
            for r in bounce_json.recipients(msg)]


def _x_failed_recipients(msg: EmailMessage) -> list[str]:
    found: list[str] = []
    for value in h.raw_headers(msg, "X-Failed-Recipients"):
        for m in _ADDR_SPEC.finditer(h.decode_header_value(value, 4096).replace(",", " ")):
            if m.group(1).lower() not in found:
                found.append(m.group(1).lower())
    return found


def _dedupe(items: list[BounceRecipient]) -> list[BounceRecipient]:
    seen: set[str] = set()
    out = []
    for item in items:
        if item.address not in seen:
            seen.add(item.address)
            out.append(item)
    return out
