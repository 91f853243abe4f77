"""Intake: the pure steps that read an inbound message (no I/O, no clock).

    msg = parse_message(raw)                       # never raises
    c = classify(msg, own_addresses=..., own_message_id_domain=...)
    if c.kind == "bounce":  failed_recipients(msg), returned_message_ids(msg)
    m = match_agency(MsgFacts.from_message(msg), directory)
    v = verify(msg, authserv_id, agency_domains, policy, agency_addresses=...)
    files = extract(msg, Limits());  text, is_html = body_text(msg)
"""

from bot.intake.attachments import ExtractedFile, Limits, body_text, extract
from bot.intake.bounce import BounceRecipient, failed_recipients, returned_message_ids
from bot.intake.classify import Classification, classify
from bot.intake.headers import parse_message
from bot.intake.match import Directory, MatchResult, MsgFacts, match_agency
from bot.intake.verify import Verification, verify

__all__ = [
    "BounceRecipient", "Classification", "Directory", "ExtractedFile", "Limits", "MatchResult", "MsgFacts",
    "Verification", "body_text", "classify", "extract", "failed_recipients", "match_agency", "parse_message",
    "returned_message_ids", "verify",
]
