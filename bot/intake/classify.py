"""Classify an inbound message: bounce, auto-reply, our own mail looping back, or anything else.

Pure: headers and a little of the body in, a `Classification` out; never raises.
Order matters: our own mail first (a loop must stop whatever it looks like), then
bounces (many MTAs stamp `Auto-Submitted: auto-replied` on their DSNs, so the RFC 3834
test would otherwise claim them), then automatic replies.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from email.message import EmailMessage

from bot.intake import bounce_json
from bot.intake import headers as h
from bot.intake.patterns import (
    BOUNCE_BODY,
    BOUNCE_BODY_WEAK,
    BOUNCE_SUBJECT,
    BOUNCE_SUBJECT_START,
    CHALLENGE_BODY,
    DELAY_SUBJECT,
    OOO_SUBJECT,
    OOO_SUBJECT_START,
    READ_RECEIPT_START,
    REPLY_PREFIX,
    SYSTEM_LOCALPARTS,
    SYSTEM_NAMES,
)
from parsers.detect import detect_kind

BOUNCE, AUTO_REPLY, FEEDBACK, OWN, REPORT_OR_OTHER = "bounce", "auto_reply", "feedback", "own", "report_or_other"
BODY_SCAN_CHARS = 20_000
_REPORT_KINDS = {"pdf", "docx", "doc", "odt", "rtf", "xlsx", "xls", "ods", "zip", "rar", "7z"}


@dataclass(frozen=True)
class Classification:
    kind: str  # "bounce" | "auto_reply" | "feedback" | "own" | "report_or_other"
    reason: str
    transient: bool = False  # a bounce that only reports a delay (or a success)
    may_acknowledge: bool = True  # False for anything automated, incl. list mail

    @property
    def is_automated(self) -> bool:
        return self.kind != REPORT_OR_OTHER


def classify(
    msg: EmailMessage, *, own_addresses: set[str], own_message_id_domain: str | None
) -> Classification:
    try:
        return _classify(msg, {a.lower() for a in own_addresses}, own_message_id_domain)
    except Exception as exc:  # noqa: BLE001 - a hostile message must not stop the pipeline
        return Classification(REPORT_OR_OTHER, f"unclassifiable ({type(exc).__name__})", False, False)


def _classify(msg: EmailMessage, own: set[str], own_domain: str | None) -> Classification:
    facts = _Facts(msg)
    if facts.sender in own:
        return Classification(OWN, f"From is our own address {facts.sender}", False, False)
    feedback = _feedback(facts)
    if feedback:  # a complaint or unsubscribe about a mail of ours: recorded, never answered
        return Classification(FEEDBACK, feedback, False, False)
    challenge = _challenge_response(facts)
    if challenge:
        return Classification(AUTO_REPLY, challenge, False, False)
    bounce = _bounce(facts)
    if bounce:
        return bounce
    if own_domain and _own_message_id(msg, own_domain) and facts.auto_submitted == "auto-generated":
        return Classification(OWN, f"Message-ID under {own_domain} with Auto-Submitted", False, False)
    auto = _auto_reply(facts)
    if auto:
        return Classification(AUTO_REPLY, auto, False, False)
    if facts.is_list_mail:
        return Classification(REPORT_OR_OTHER, "mailing-list mail (do not answer)", False, False)
    return Classification(REPORT_OR_OTHER, "no bounce or auto-reply sign", False, True)


class _Facts:
    """What the rules look at, computed once (and lazily for the body)."""

    def __init__(self, msg: EmailMessage):
        self.msg = msg
        self.sender = h.from_address(msg)
        self.sender_local = self.sender.partition("@")[0]
        self.sender_name = h.fold(h.header(msg, "From", 512))
        self.return_path = " ".join(h.raw_headers(msg, "Return-Path")).strip()
        self.subject_raw = h.header(msg, "Subject", 2048)
        self.subject = h.fold(self.subject_raw)
        self.subject_core = REPLY_PREFIX.sub("", self.subject)
        self.auto_submitted = h.first_token(h.header(msg, "Auto-Submitted", 256))
        self.precedence = h.first_token(h.header(msg, "Precedence", 256))
        self.content_type = h.content_type(msg)
        self.report_types = _report_types(msg)
        self._body: str | None = None

    @property
    def null_return_path(self) -> bool:
        return bool(self.return_path) and re.fullmatch(r"<\s*>", self.return_path) is not None

    @property
    def system_sender(self) -> bool:
        if self.sender_local in SYSTEM_LOCALPARTS or any(n in self.sender_name for n in SYSTEM_NAMES):
            return True
        # From: <> or a bare "mailer-daemon" without a domain
        raw_from = h.fold(h.header(self.msg, "From", 512))
        return raw_from in ("<>", "") and self.null_return_path or "mailer-daemon" in raw_from

    @property
    def is_list_mail(self) -> bool:
        if any(h.has_header(self.msg, n) for n in ("List-Id", "List-Post", "List-Unsubscribe", "Mailing-List", "X-Mailing-List")):
            return True
        envelope = " ".join([self.return_path, h.header(self.msg, "Sender", 512)]).lower()
        return re.search(r"(owner-|-owner@|-request@|-bounces?[@+])", envelope) is not None

    @property
    def body(self) -> str:
        if self._body is None:
            self._body = h.fold(_first_text(self.msg)[:BODY_SCAN_CHARS])
        return self._body


def _report_types(msg: EmailMessage) -> set[str]:
    """report-type values / report parts directly in this message (not in enclosed messages)."""
    found: set[str] = set()
    for part, _, inside in h.walk_parts(msg, into_messages=False):
        if inside:
            continue
        ctype = h.content_type(part)
        if ctype == "multipart/report":
            found.add(h.param(part, "report-type").lower() or "unknown")
        elif ctype in ("message/delivery-status", "message/global-delivery-status"):
            found.add("delivery-status")
        elif ctype in ("message/disposition-notification", "message/global-disposition-notification"):
            found.add("disposition-notification")
        elif ctype == "message/feedback-report":
            found.add("feedback-report")
    if "unknown" in found and len(found) > 1:
        found.discard("unknown")
    return found


def _first_text(msg: EmailMessage) -> str:
    """The first text part outside enclosed messages (the notice a server or person wrote)."""
    broken = None
    for part, _, inside in h.walk_parts(msg, into_messages=False):
        if inside or part.is_multipart():
            continue
        ctype = h.content_type(part)
        if ctype in ("text/plain", "text/html"):
            return h.part_text(part, BODY_SCAN_CHARS * 2)
        if broken is None and (ctype.startswith("multipart/") or part is msg):
            broken = part  # a multipart without a usable boundary, or an unlabelled body
    return h.part_text(broken, BODY_SCAN_CHARS * 2) if broken is not None else ""


def _own_message_id(msg: EmailMessage, domain: str) -> bool:
    ids = h.message_ids(h.header(msg, "Message-ID", 1024))
    domain = domain.lower().lstrip("@")
    return any(mid.lower().endswith("@" + domain) for mid in ids)


def _challenge_response(f: _Facts) -> str | None:
    if any(n.lower().startswith(("x-bluebottle-", "x-boxbe-")) for n in f.msg.keys()):
        return "challenge/response (anti-spam verification)"
    hit = _search(CHALLENGE_BODY, f.body)
    return f"challenge/response ({hit!r})" if hit else None


# Feedback loops (RFC 5965 ARF and the providers' variants): a spam complaint or an unsubscribe
# request about a message we sent.
_FEEDBACK_HEADERS = ("X-HmXmrOriginalRecipient", "X-Apple-Unsubscribe", "X-Hmxmroriginalrecipient")
_FEEDBACK_FIELDS = re.compile(r"(?im)^feedback-type:\s*(abuse|fraud|virus|other|not-spam|auth-failure|opt-out|"
                              r"unsubscribe)\b.*\n(?:.*\n){0,10}?(?:user-agent|version|original-rcpt-to|"
                              r"original-mail-from|arrival-date|reported-domain|source-ip):")


def _feedback(f: _Facts) -> str | None:
    if "feedback-report" in f.report_types:
        return "feedback-report (ARF, RFC 5965)"
    for part, _, _ in h.walk_parts(f.msg, into_messages=True):
        for name in _FEEDBACK_HEADERS:
            value = h.first_token(h.header(part, name, 256))
            if h.has_header(part, name) and value not in ("false", "no", "0"):
                return f"feedback loop ({name})"
    if _FEEDBACK_FIELDS.search(f.body):
        return "feedback report fields in the body (ARF without its MIME type)"
    return None


def _bounce(f: _Facts) -> Classification | None:
    reason = _bounce_reason(f)
    if reason is None:
        return None
    return Classification(BOUNCE, reason, _is_delay(f), False)


def _bounce_reason(f: _Facts) -> str | None:
    if "delivery-status" in f.report_types:
        return "delivery-status report (RFC 3464)"
    if any(r.action != "delivered" for r in bounce_json.recipients(f.msg)):
        return "a provider's JSON bounce notification"
    replying = f.subject_core != f.subject  # "Re:"/"Fwd:" make a subject a weak sign only
    subject_hit = (_search(BOUNCE_SUBJECT, f.subject_core) or _match_start(BOUNCE_SUBJECT_START, f.subject)
                   or _search(DELAY_SUBJECT, f.subject_core))
    if f.sender_local in ("mailer-daemon", "mailerdaemon", "mailer_daemon", "mail-daemon"):
        return f"sender {f.sender or 'MAILER-DAEMON'}"
    if subject_hit and not replying and not _carries_document(f.msg):
        return f"bounce subject ({subject_hit!r})"
    body_hit = _search(BOUNCE_BODY, f.body)
    weak_hit = _search(BOUNCE_BODY_WEAK, f.body)
    if weak_hit and (f.system_sender or f.null_return_path):
        return f"failure text ({weak_hit!r}) from a delivery system"
    signals = [
        f.system_sender and "system sender",
        f.null_return_path and "null return path",
        subject_hit and f"subject {subject_hit!r}",
        _returns_message(f.msg) and "returned message attached",
    ]
    signals = [s for s in signals if s]
    if body_hit and signals:
        return f"bounce text ({body_hit!r}) + {', '.join(signals)}"
    if f.system_sender and subject_hit:
        return f"system sender + subject {subject_hit!r}"
    return None


def _is_delay(f: _Facts) -> bool:
    if _search(DELAY_SUBJECT, f.subject_core):
        return True
    actions = _dsn_actions(f.msg)
    return bool(actions) and not (actions & {"failed"})


def _dsn_actions(msg: EmailMessage) -> set[str]:
    actions: set[str] = set()
    for part, _, inside in h.walk_parts(msg, into_messages=False):
        if inside or not h.content_type(part).endswith("delivery-status"):
            continue
        for block in part.get_payload() if part.is_multipart() else []:
            for value in h.raw_headers(block, "Action"):
                actions.add(h.first_token(value))
    return actions


def _carries_document(msg: EmailMessage) -> bool:
    """A document attached by the sender (not inside a returned message): a person wrote this."""
    for part, path, inside in h.walk_parts(msg, into_messages=False):
        if inside or path == "0" or part.is_multipart() or h.content_type(part).startswith(("text/", "message/")):
            continue
        if detect_kind(h.part_bytes(part)) in _REPORT_KINDS:
            return True
    return False


def _returns_message(msg: EmailMessage) -> bool:
    for part, path, _ in h.walk_parts(msg, into_messages=False):
        if path != "0" and h.content_type(part) in ("message/rfc822", "text/rfc822-headers", "message/global"):
            return True
    return False


def _auto_reply(f: _Facts) -> str | None:
    if f.auto_submitted and f.auto_submitted != "no":
        return f"Auto-Submitted: {f.auto_submitted}"
    for name in ("X-Autoreply", "X-Autorespond", "X-Autoresponder", "X-Auto-Reply"):
        value = h.first_token(h.header(f.msg, name, 64))
        if h.has_header(f.msg, name) and value not in ("no", "false", "0"):
            return f"{name} header"
    if "disposition-notification" in f.report_types:
        return "disposition-notification report"
    if f.precedence in ("bulk", "junk", "auto_reply", "auto-reply") and not f.is_list_mail:
        return f"Precedence: {f.precedence}"
    hit = _search(OOO_SUBJECT, f.subject) or _match_start(OOO_SUBJECT_START, f.subject_core)
    if hit:
        return f"out-of-office subject ({hit!r})"
    read = _match_start(READ_RECEIPT_START, f.subject)
    if read:
        return f"read receipt subject ({read!r})"
    if f.null_return_path:
        return "null return path (automatic message)"
    return None


def _search(patterns: list[re.Pattern[str]], text: str) -> str | None:
    for pattern in patterns:
        m = pattern.search(text)
        if m:
            return m.group(0)
    return None


def _match_start(patterns: list[re.Pattern[str]], text: str) -> str | None:
    for pattern in patterns:
        m = pattern.match(text)
        if m:
            return m.group(0)
    return None
