"""Bounces that arrive as a provider's JSON notification rather than a DSN. Pure.

Amazon SES (directly or wrapped in an SNS envelope whose "Message" is the notification as a
string) reports `bounce.bouncedRecipients[]` with emailAddress, action, status and
diagnosticCode, and the original in `mail` (messageId, headers). Event webhooks of other
providers use `email` / `recipient` with `event` / `severity` / `status`. Every object with a
recipient address and a failure sign is read, wherever it sits in the document.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from email.message import EmailMessage

from bot.intake import headers as h

MAX_JSON_CHARS = 2_000_000
_ADDRESS_KEYS = ("emailAddress", "email", "recipient", "Email", "Recipient", "address")
_FAILURE_KEYS = ("action", "status", "diagnosticCode", "diagnostic", "event", "severity", "bounceType",
                 "Type", "reason", "code", "delivery-status")


@dataclass(frozen=True)
class JsonRecipient:
    address: str
    status: str | None
    diagnostic: str | None
    action: str


def documents(msg: EmailMessage) -> list[object]:
    """The JSON documents in the message's text parts (outside returned messages)."""
    docs: list[object] = []
    for part, _, inside in h.walk_parts(msg, into_messages=False):
        if inside or part.is_multipart():
            continue
        ctype = h.content_type(part)
        if not (ctype.startswith("text/") or ctype == "application/json" or part is msg):
            continue
        text = h.part_text(part, MAX_JSON_CHARS).strip()
        if text[:1] in "{[":
            doc = _loads(text)
            if doc is not None:
                docs.append(doc)
    return docs


def _loads(text: str) -> object | None:
    for candidate in (text, re.sub(r"\r?\n[ \t]", "", text)):  # a JSON line folded by a mail system
        try:
            return _unwrap(json.loads(candidate))
        except ValueError:
            continue
    return None


def _unwrap(doc: object) -> object:
    """An envelope (SNS) carries the notification as a JSON string: parse strings that are JSON."""
    if isinstance(doc, dict):
        return {k: _unwrap(_maybe_json(v)) for k, v in doc.items()}
    if isinstance(doc, list):
        return [_unwrap(v) for v in doc]
    return doc


def _maybe_json(value: object) -> object:
    if isinstance(value, str) and value.strip()[:1] in "{[":
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def _objects(doc: object, depth: int = 0):
    if depth > 20:
        return
    if isinstance(doc, dict):
        yield doc
        for v in doc.values():
            yield from _objects(v, depth + 1)
    elif isinstance(doc, list):
        for v in doc:
            yield from _objects(v, depth + 1)


def _text(value: object) -> str:
    if isinstance(value, dict):
        return " ".join(_text(v) for v in value.values())
    return "" if value is None else str(value)


def recipients(msg: EmailMessage) -> list[JsonRecipient]:
    out: list[JsonRecipient] = []
    for doc in documents(msg):
        permanent_type = ""
        for obj in _objects(doc):
            kind = str(obj.get("bounceType") or obj.get("severity") or "").lower()
            permanent_type = kind or permanent_type
            address = next((str(obj[k]) for k in _ADDRESS_KEYS if isinstance(obj.get(k), str) and "@" in obj[k]), "")
            if not address or not any(k in obj for k in _FAILURE_KEYS):
                continue
            found = h.addresses_in(address)
            if not found:
                continue
            event = str(obj.get("action") or obj.get("event") or "").lower()
            status = _text(obj.get("status") or obj.get("delivery-status") or "")
            diagnostic = _text(obj.get("diagnosticCode") or obj.get("diagnostic") or obj.get("reason")
                               or obj.get("delivery-status") or "")[:500] or None
            action = ("delayed" if event in ("delayed", "deferred") or permanent_type in ("transient", "temporary")
                      and not status.startswith("5") else "delivered" if event in ("delivered", "delivery")
                      else "failed")
            out.append(JsonRecipient(found[0], status or None, diagnostic, action))
    seen: dict[str, JsonRecipient] = {}
    for r in out:
        seen.setdefault(r.address, r)
    return list(seen.values())


def message_ids(msg: EmailMessage) -> list[str]:
    """The original's Message-ID as a JSON notification quotes it (SES mail.headers / commonHeaders)."""
    ids: list[str] = []
    for doc in documents(msg):
        for obj in _objects(doc):
            name = str(obj.get("name", "")).lower()
            if name == "message-id" and isinstance(obj.get("value"), str):
                ids.extend(h.message_ids(obj["value"]))
            for key in ("messageId", "message-id", "Message-ID", "Message-Id"):
                if isinstance(obj.get(key), str) and "<" in obj[key]:
                    ids.extend(h.message_ids(obj[key]))
    return list(dict.fromkeys(ids))
