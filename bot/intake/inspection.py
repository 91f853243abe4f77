"""What the intake makes of one raw mail, without a database or a network: `reportbot inspect`.

Pure: bytes in, the JSON-ready dict of DESIGN.md §2 (`reportbot inspect --format json`) out,
through the very functions the pipeline calls (classify, failed_recipients,
returned_message_ids). Never raises: a file that is not a mail says so in `reason`.
"""
from __future__ import annotations

from bot.intake import headers as h
from bot.intake.bounce import failed_recipients, returned_message_ids
from bot.intake.classify import BOUNCE, REPORT_OR_OTHER, classify


def inspect_mail(raw: bytes, *, source: str, own_addresses: set[str],
                 own_message_id_domain: str | None) -> dict:
    try:
        return _inspect(raw, source, own_addresses, own_message_id_domain)
    except Exception as exc:  # noqa: BLE001 - one odd file must not stop the others
        return _not_mail(source, f"cannot be read as a mail ({type(exc).__name__})")


def _inspect(raw: bytes, source: str, own: set[str], domain: str | None) -> dict:
    msg = h.parse_message(raw)
    if not any(True for _ in msg.raw_items()):
        return _not_mail(source, "not a mail: no header fields")
    c = classify(msg, own_addresses=own, own_message_id_domain=domain)
    bounce = None
    if c.kind == BOUNCE:
        bounce = {
            "recipients": [{"address": r.address, "status": r.status, "action": r.action,
                            "permanent": r.permanent and r.failed, "reply_code": r.reply_code,
                            "diagnostic": r.diagnostic} for r in failed_recipients(msg)],
            "returned_message_ids": [f"<{i}>" for i in returned_message_ids(msg)],
        }
    return {"source": source, "kind": c.kind, "may_acknowledge": c.may_acknowledge, "reason": c.reason,
            "bounce": bounce}


def _not_mail(source: str, reason: str) -> dict:
    return {"source": source, "kind": REPORT_OR_OTHER, "may_acknowledge": False, "reason": reason, "bounce": None}
