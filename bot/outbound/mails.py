"""Outbound mail: one `render_mail(name, ctx)` over the Jinja2 templates in
`mail_templates/`, and one small builder per mail type returning an
`email.message.EmailMessage` ready to serialise (`msg.as_bytes()`).

Pure: no clock (the Date is passed in), no I/O besides reading templates.
Headers are built with `email.headerregistry.Address`, after folding CR/LF and
other control characters out of display names, so an agency name cannot add a
header. Bodies are 7-bit safe (quoted-printable/base64) because not every
receiving server advertises 8BITMIME; headers use RFC 2047 encoded words
(no SMTPUTF8 needed).
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from email import policy as email_policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, getaddresses, make_msgid, parseaddr
from functools import cached_property, lru_cache
from typing import TYPE_CHECKING, Any, NamedTuple
from zoneinfo import ZoneInfo

from jinja2 import Environment, PackageLoader, StrictUndefined

from bot.core.labels import TEMPLATE_LABELS
from bot.core.vn_format import lower_first, vn_date, vn_datetime, vn_number, vn_percent, vn_size

if TYPE_CHECKING:
    from bot.core.config import Config

# SMTP line endings, RFC 2047 headers, and bodies chosen 7-bit clean. refold_source="none": the
# msg-id headers are written pre-folded (`_set_msg_ids`) and must reach the wire as they are.
POLICY = email_policy.SMTP.clone(cte_type="7bit", refold_source="none")
_CONTROL = re.compile(r"[\x00-\x1f\x7f\u0085\u2028\u2029]+")
_TOKEN_RE = re.compile(r"\[\s*([^\[\]#\r\n]+?)\s+#([A-Za-z0-9._-]+)\s*\]")


# ---------------------------------------------------------------- data shapes
@dataclass(frozen=True)
class MailCampaign:
    code: str
    title: str
    issued: date
    deadline: datetime  # aware
    tz: str
    reply_to: str
    request: tuple[str, ...] = ()  # the letter's request paragraphs, quoted in the dispatch
    office: str = "Cục Báo chí"
    ministry: str = "Bộ Thông tin và Truyền thông"
    contact: str = ""  # e.g. "Điện thoại: 024 ..." under the signature


@dataclass(frozen=True)
class MailAgency:
    code: str
    name: str
    emails: tuple[str, ...]  # live contacts (caller drops failed/bounced ones)
    contact_name: str = ""
    escalation_emails: tuple[str, ...] = ()


@dataclass(frozen=True)
class Sender:
    from_addr: str  # "Cục Báo chí <baocao@example.gov.vn>"
    msgid_domain: str | None = None  # default: the From address's domain


def config_sender(config: Config) -> Sender:
    """The sender of all our own mail, as the config's [smtp] `from` names it."""
    return Sender(config.smtp.from_)


@dataclass(frozen=True)
class Attachment:
    filename: str
    data: bytes
    mime_type: str = "application/octet-stream"
    description: str = ""  # shown in the mail's list of attachments

    @cached_property
    def part(self) -> EmailMessage:
        """This file as a MIME part, base64-encoded on first use and then shared by every mail
        built with this Attachment: a rendering pass makes one per file, so 1,000 dispatches
        encode the letter once. Shared, so never modified after it is built."""
        maintype, _, subtype = self.mime_type.partition("/")
        part = EmailMessage(policy=POLICY)
        part.set_content(self.data, maintype=maintype, subtype=subtype or "octet-stream",
                         filename=one_line(self.filename))  # Content-Disposition: attachment
        return part


class SectionRef(NamedTuple):
    id: str
    title: str


@dataclass(frozen=True)
class ReceivedFile:
    filename: str
    size: int
    sha256: str  # hex
    problem: str = ""  # e.g. "không đọc được nội dung tệp" when parsing failed


@dataclass(frozen=True)
class Receipt:
    received_at: datetime  # aware
    files: tuple[ReceivedFile, ...]
    found: tuple[SectionRef, ...] = ()
    missing: tuple[SectionRef, ...] = ()


class RenderedMail(NamedTuple):
    subject: str
    text: str
    html: str


# ---------------------------------------------------------------- formatting
def _nfc(s: str) -> str:
    return unicodedata.normalize("NFC", s)


def one_line(s: str) -> str:
    """NFC, control characters (CR, LF, NUL…) folded into single spaces."""
    return " ".join(_CONTROL.sub(" ", _nfc(str(s))).split())


def token(campaign_code: str, agency_code: str) -> str:
    """The stable subject token: '[5422/BTTTT-CBC #BYT]'."""
    return f"[{one_line(campaign_code)} #{one_line(agency_code).replace(' ', '').upper()}]"


def find_token(subject: str) -> tuple[str, str] | None:
    """(campaign code, AGENCY CODE) from a subject carrying our token, else None."""
    m = _TOKEN_RE.search(one_line(subject))
    return (m.group(1).strip(), m.group(2).upper()) if m else None


# ---------------------------------------------------------------- rendering
@lru_cache(maxsize=1)
def _env() -> Environment:
    env = Environment(
        loader=PackageLoader("mail_templates", ""),
        undefined=StrictUndefined,
        autoescape=lambda name: bool(name) and name.endswith(".html.j2"),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(
        vn_datetime=vn_datetime, vn_date=vn_date, vn_number=vn_number,
        vn_size=vn_size, vn_percent=vn_percent, lower_first=lower_first,
        short_sha=lambda h: str(h)[:12],
    )
    env.globals["L"] = TEMPLATE_LABELS
    return env


def render_mail(name: str, context: dict[str, Any]) -> RenderedMail:
    """Render `<name>.subject.j2`, `.txt.j2` and `.html.j2` (HTML autoescaped)."""
    env = _env()
    subject = env.get_template(f"{name}.subject.j2").render(context)
    text = env.get_template(f"{name}.txt.j2").render(context)
    html = env.get_template(f"{name}.html.j2").render(context)
    text = re.sub(r"\n{3,}", "\n\n", _nfc(text).strip()) + "\n"
    return RenderedMail(one_line(subject), text, _nfc(html))


# ---------------------------------------------------------------- assembling
def _address(value: str | Address, name: str = "") -> Address:
    """An Address from 'Name <a@b>' or 'a@b'; the display name made one safe line."""
    if isinstance(value, Address):
        return Address(one_line(value.display_name), addr_spec=value.addr_spec)
    display, addr = parseaddr(one_line(value))
    if not addr or "@" not in addr:
        raise ValueError(f"not an e-mail address: {value!r}")
    return Address(one_line(name or display), addr_spec=addr)


def _addresses(values: Sequence[str], name: str = "") -> list[Address]:
    seen, out = set(), []
    for v in values:
        a = _address(v, name)
        if a.addr_spec.lower() not in seen:
            seen.add(a.addr_spec.lower())
            out.append(a)
    return out


def _msgid_domain(sender: Sender) -> str:
    return sender.msgid_domain or _address(sender.from_addr).domain


def _local(campaign: MailCampaign, moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ValueError(f"datetime must be timezone-aware: {moment.isoformat()}")
    return moment.astimezone(ZoneInfo(campaign.tz))


def _campaign_ctx(campaign: MailCampaign) -> dict[str, Any]:
    return {
        "code": campaign.code, "title": campaign.title, "issued": campaign.issued,
        "deadline": _local(campaign, campaign.deadline), "reply_to": campaign.reply_to,
        "request": list(campaign.request), "office": campaign.office,
        "ministry": campaign.ministry, "contact": campaign.contact,
    }


def _agency_ctx(campaign: MailCampaign, agency: MailAgency) -> dict[str, Any]:
    return {"code": agency.code, "name": one_line(agency.name),
            "contact_name": one_line(agency.contact_name),
            "token": token(campaign.code, agency.code)}


def _attachments_ctx(attachments: Sequence[Attachment]) -> list[dict[str, Any]]:
    return [{"filename": one_line(a.filename), "size": len(a.data),
             "description": a.description} for a in attachments]


@dataclass
class _Envelope:
    sender: Sender
    to: list[Address]
    date: datetime
    kind: str
    reply_to: str | None = None
    cc: list[Address] = field(default_factory=list)
    message_id: str | None = None
    in_reply_to: str | None = None
    references: Sequence[str] = ()
    attachments: Sequence[Attachment] = ()


# ---------------------------------------------------------------- msg-id headers (RFC 5322 §3.6.4)
# Ids are stored without their angle brackets (bot/intake/headers.message_ids); every header that
# carries them gets them back here. A stored id holds no space, bracket or control character
# (that is how it was read), so the one check left is the "@" the grammar requires.
_BARE_ID = re.compile(r"[^<>\s@]+(?:@[^<>\s@]+)+")
MAX_REFERENCES = 20  # RFC 5322 lets a long chain be trimmed; keep the first id and the latest ones


def msg_ids(values: Sequence[str | None]) -> list[str]:
    """Bare msg-ids (no brackets) from stored values with or without brackets, in order, once each;
    a value that cannot be a msg-id is dropped rather than written into a header."""
    out: dict[str, None] = {}
    for value in values:
        for token in re.split(r"[\s<>]+", value or ""):
            if _BARE_ID.fullmatch(token) and not _CONTROL.search(token):
                out.setdefault(token, None)
    return list(out)


def _references(chain: list[str], parent: list[str]) -> list[str]:
    """The parent's References followed by the parent's Message-ID (RFC 5322 §3.6.4)."""
    refs = [r for r in chain if r not in parent] + parent
    return refs if len(refs) <= MAX_REFERENCES else refs[:1] + refs[-(MAX_REFERENCES - 1):]


def _set_msg_ids(msg: EmailMessage, name: str, ids: list[str]) -> None:
    """`<id>` tokens, one per line: folding only at the spaces between them, never inside an id
    (the policy's own folding would turn a long id into RFC 2047 encoded words no client threads)."""
    if ids:
        msg.set_raw(name, "\r\n ".join(f"<{i}>" for i in ids))


def _assemble(rendered: RenderedMail, env: _Envelope) -> EmailMessage:
    if not env.to:
        raise ValueError(f"{env.kind} mail has no recipient")
    if env.date.tzinfo is None:
        raise ValueError("the Date must be timezone-aware")
    msg = EmailMessage(policy=POLICY)
    msg["From"] = _address(env.sender.from_addr)
    msg["To"] = env.to
    if env.cc:
        msg["Cc"] = env.cc
    if env.reply_to:
        msg["Reply-To"] = _address(env.reply_to)
    msg["Subject"] = rendered.subject
    msg["Date"] = format_datetime(env.date)
    _set_msg_ids(msg, "Message-ID", msg_ids([env.message_id or make_msgid(env.kind, _msgid_domain(env.sender))])[:1])
    parent = msg_ids([env.in_reply_to])[:1]
    _set_msg_ids(msg, "In-Reply-To", parent)
    _set_msg_ids(msg, "References", _references(msg_ids(env.references), parent))
    msg["Auto-Submitted"] = "auto-generated"  # RFC 3834: never answer automatically
    msg["X-Auto-Response-Suppress"] = "OOF, AutoReply"  # fewer Exchange out-of-office loops
    msg["X-Reportbot-Kind"] = env.kind
    msg.set_content(rendered.text, subtype="plain", charset="utf-8")
    msg.add_alternative(rendered.html, subtype="html", charset="utf-8")
    if env.attachments:  # what add_attachment does, with each file's part encoded once
        msg.make_mixed()
        for a in env.attachments:
            msg.attach(a.part)
    return msg


def envelope_recipients(msg: EmailMessage) -> list[str]:
    """SMTP RCPT TO list of a built message (To + Cc + Bcc), deduplicated, in order."""
    values = [str(v) for h in ("To", "Cc", "Bcc") for v in msg.get_all(h, [])]
    out: list[str] = []
    for _, addr in getaddresses(values):
        if addr and addr.lower() not in {a.lower() for a in out}:
            out.append(addr)
    return out


# ---------------------------------------------------------------- one function per mail
def _agency_mail_ctx(
    campaign: MailCampaign, agency: MailAgency, date: datetime,
    attachments: Sequence[Attachment],
) -> dict[str, Any]:
    deadline_day = _local(campaign, campaign.deadline).date()
    return {
        "campaign": _campaign_ctx(campaign),
        "agency": _agency_ctx(campaign, agency),
        "date": _local(campaign, date),
        "days_left": (deadline_day - _local(campaign, date).date()).days,
        "attachments": _attachments_ctx(attachments),
    }


def _agency_envelope(
    campaign: MailCampaign, agency: MailAgency, sender: Sender, date: datetime, kind: str,
    **kw: Any,
) -> _Envelope:
    return _Envelope(sender, _addresses(agency.emails, agency.name), date, kind,
                     reply_to=campaign.reply_to, **kw)


def build_dispatch(
    campaign: MailCampaign, agency: MailAgency, *, sender: Sender, date: datetime,
    attachments: Sequence[Attachment] = (), message_id: str | None = None,
) -> EmailMessage:
    """The letter itself, with the letter file and the blank report form attached."""
    ctx = _agency_mail_ctx(campaign, agency, date, attachments)
    return _assemble(render_mail("dispatch", ctx), _agency_envelope(
        campaign, agency, sender, date, "dispatch",
        message_id=message_id, attachments=attachments))


def build_reminder(
    campaign: MailCampaign, agency: MailAgency, *, sender: Sender, date: datetime,
    seq: int, attachments: Sequence[Attachment] = (), message_id: str | None = None,
) -> EmailMessage:
    """A reminder before the deadline (days left = calendar days to the deadline's date)."""
    ctx = _agency_mail_ctx(campaign, agency, date, attachments) | {"seq": seq}
    return _assemble(render_mail("reminder", ctx), _agency_envelope(
        campaign, agency, sender, date, "reminder",
        message_id=message_id, attachments=attachments))


def build_overdue(
    campaign: MailCampaign, agency: MailAgency, *, sender: Sender, date: datetime,
    seq: int, escalate: bool = False, attachments: Sequence[Attachment] = (),
    message_id: str | None = None,
) -> EmailMessage:
    """An overdue reminder; with `escalate`, the agency's escalation addresses are copied."""
    cc = _addresses(agency.escalation_emails) if escalate else []
    to_specs = {a.lower() for a in agency.emails}
    cc = [a for a in cc if a.addr_spec.lower() not in to_specs]
    ctx = _agency_mail_ctx(campaign, agency, date, attachments) | {
        "seq": seq, "copied_leadership": bool(cc),
    }
    ctx["days_late"] = -ctx["days_left"]
    return _assemble(render_mail("overdue", ctx), _agency_envelope(
        campaign, agency, sender, date, "overdue",
        cc=cc, message_id=message_id, attachments=attachments))


def build_ack(
    campaign: MailCampaign, agency: MailAgency, receipt: Receipt, *, sender: Sender,
    date: datetime, to: Sequence[str] | None = None, in_reply_to: str | None = None,
    references: Sequence[str] = (), message_id: str | None = None,
) -> EmailMessage:
    """The receipt for a report, threaded under the agency's message (`in_reply_to`).

    `to` defaults to the agency's contacts; pass the report's sender address.
    """
    ctx = _agency_mail_ctx(campaign, agency, date, ()) | {
        "received_at": _local(campaign, receipt.received_at),
        "on_time": receipt.received_at <= campaign.deadline,
        "files": [{"filename": one_line(f.filename), "size": f.size,
                   "sha256": f.sha256.lower(), "problem": f.problem}
                  for f in receipt.files],
        "found": [SectionRef(s.id, s.title) for s in receipt.found],
        "missing": [SectionRef(s.id, s.title) for s in receipt.missing],
    }
    recipients = _addresses(to) if to else _addresses(agency.emails, agency.name)
    return _assemble(render_mail("ack", ctx), _Envelope(
        sender, recipients, date, "ack", reply_to=campaign.reply_to,
        message_id=message_id, in_reply_to=in_reply_to, references=references))


DIGEST_DEFAULTS: dict[str, Any] = {
    "since": None, "by_state": {}, "by_category": [], "new_arrivals": [],
    "overdue": [], "incomplete": [], "problems": [], "chart": None, "mode": "daily",
}


def build_digest(
    campaign: MailCampaign, digest: dict[str, Any], *, sender: Sender, date: datetime,
    to: Sequence[str], attachments: Sequence[Attachment] = (),
    message_id: str | None = None,
) -> EmailMessage:
    """The staff digest; `digest` holds the keys documented in digest.txt.j2."""
    unknown = set(digest) - set(DIGEST_DEFAULTS)
    if unknown:
        raise ValueError(f"unknown digest keys: {sorted(unknown)}")
    ctx = DIGEST_DEFAULTS | digest | {
        "campaign": _campaign_ctx(campaign), "date": _local(campaign, date),
    }
    return _assemble(render_mail("digest", ctx), _Envelope(
        sender, _addresses(to), date, "digest",
        message_id=message_id, attachments=attachments))
