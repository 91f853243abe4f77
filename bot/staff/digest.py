"""The staff digest of a campaign.

Three layers, so each can be tested and reused alone:
- `gather_digest(session, campaign, now)` reads the facts from the database (queries only);
- `digest_context(facts, now=, since=)` is pure: facts in, the template context out
  (the keys of `bot.outbound.mails.build_digest`'s `digest`, except `chart`);
- `make_digest` adds the chart PNG and the status XLSX; `build_digest_message` makes the
  mail (chart inline by Content-ID, XLSX attached), `write_digest_files` the files on disk,
  `send_digest` queues the mail into the outbox and records what it showed (ServiceState
  "digest:<campaign code>", written through bot/core/service_state.py): its time is the next digest's "since", and bot/staff/digest_rule.py
  decides from it whether the daily job sends one.
"""
from __future__ import annotations

import base64
import logging
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from email.message import EmailMessage
from email.utils import make_msgid, parseaddr
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlmodel import Session, and_, col, or_, select

from bot.campaigns.agencies_file import CATEGORIES
from bot.campaigns.campaign_load import slug
from bot.core.files import write_private
from bot.core.labels import CATEGORY_LABELS, MAIL_KIND_LABELS
from bot.core.service_state import digest_key, get_state, put_state
from bot.core.vn_format import vn_datetime
from bot.intake.attachments import UNOPENED_KINDS
from bot.intake.recording import BOUNCED_WITHOUT_REPLY
from bot.outbound.mails import Attachment, Sender, build_digest
from bot.outbound.outbox import campaign_plan, mail_campaign, queue_digest, today_digest_queued
from bot.staff.charts import daily_series, receipts_chart_png
from bot.staff.digest_rule import (
    DigestMark,
    chase_until,
    digest_due,
    digest_wording,
    has_news,
    is_settled,
    problem_counts,
)
from bot.staff.reasons import file_reason, mail_reason
from bot.staff.status import REMINDER_KINDS, STATES, campaign_status, failing_addresses
from bot.staff.xlsx import status_workbook
from db.models import (
    Agency,
    Campaign,
    Contact,
    Enrollment,
    InboundMessage,
    OutboundMail,
    Submission,
)
from db.models import (
    Attachment as FileRow,
)

log = logging.getLogger(__name__)
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CHART_NAME = "bieu-do-tien-do.png"
MAX_PER_KIND = 30  # problems listed one by one per kind; the rest summed up in one line


# ---------------------------------------------------------------- facts (from the database)
@dataclass(frozen=True)
class Arrival:
    agency_code: str
    agency_name: str
    received_at: datetime
    on_time: bool
    completeness: float | None
    missing: tuple[str, ...]
    version: int


@dataclass
class Reminders:
    last_at: datetime | None = None
    escalated: bool = False


@dataclass(frozen=True)
class Problem:
    kind: str  # bounce | temporary_bounce | send_failed | quarantine | parse_error | other (core/labels.py PROBLEM_LABELS)
    agency_code: str | None
    agency_name: str | None
    detail: str
    ref: str | None = None


@dataclass
class DigestFacts:
    code: str
    tz: str
    deadline: datetime
    start: date  # first day of the chart: the dispatch, else the letter's date
    titles: dict[str, str]  # outline node id -> title, in outline order
    status: list[dict]  # campaign_status rows
    arrivals: list[Arrival] = field(default_factory=list)  # every submission, oldest first
    reminders: dict[str, Reminders] = field(default_factory=dict)  # by agency code
    problems: list[Problem] = field(default_factory=list)


def gather_digest(session: Session, campaign: Campaign, now: datetime) -> DigestFacts:
    names = {a.id: (a.code, a.name) for a in session.exec(select(Agency))}
    facts = DigestFacts(
        code=campaign.code, tz=campaign.timezone, deadline=campaign.deadline,
        start=_first_dispatch(session, campaign) or campaign.issued,
        titles={n["id"]: n["title"] for n in campaign.outline or []},
        status=campaign_status(session, campaign, now),
    )
    for sub in session.exec(select(Submission).where(Submission.campaign_id == campaign.id)
                            .order_by(Submission.received_at, Submission.id)):
        code, name = names[sub.agency_id]
        facts.arrivals.append(Arrival(code, name, sub.received_at, sub.on_time, sub.completeness,
                                      tuple(sub.missing or ()), sub.version))
    for aid, sent_at, cc in session.exec(
            select(OutboundMail.agency_id, OutboundMail.sent_at, OutboundMail.cc_addrs)
            .where(OutboundMail.campaign_id == campaign.id, col(OutboundMail.sent_at).is_not(None),
                   col(OutboundMail.kind).in_(REMINDER_KINDS))):
        r = facts.reminders.setdefault(names[aid][0], Reminders())
        r.last_at = max(filter(None, (r.last_at, sent_at)), default=None)
        r.escalated = r.escalated or bool(cc)
    facts.problems = _problems(session, campaign, names)
    return facts


def _first_dispatch(session: Session, campaign: Campaign) -> date | None:
    first = session.exec(select(OutboundMail.sent_at).where(
        OutboundMail.campaign_id == campaign.id, OutboundMail.kind == "dispatch",
        col(OutboundMail.sent_at).is_not(None)).order_by(OutboundMail.sent_at)).first()
    return first.astimezone(ZoneInfo(campaign.timezone)).date() if first else None


def _problems(session: Session, campaign: Campaign, names: dict) -> list[Problem]:
    tz = ZoneInfo(campaign.timezone)
    who = lambda aid: names.get(aid, (None, None))  # noqa: E731
    ours = or_(col(InboundMessage.campaign_id) == campaign.id, col(InboundMessage.campaign_id).is_(None))
    out = []
    enrolled = select(Enrollment.agency_id).where(Enrollment.campaign_id == campaign.id)
    alive = _alive_primaries(session, enrolled)
    for ct in session.exec(select(Contact).where(col(Contact.state).in_(("bounced", "failed")),
                                                 col(Contact.agency_id).in_(enrolled),
                                                 col(Contact.temp_failure_since).is_(None)).order_by(Contact.id)):
        role = "địa chỉ chính" if ct.role == "primary" else "địa chỉ lãnh đạo"
        what = "bị trả lại" if ct.state == "bounced" else "không gửi được"
        said = (ct.state_reason or "") not in ("", *BOUNCED_WITHOUT_REPLY)
        reason = f" (máy chủ thư trả lời: {ct.state_reason})" if said else ""
        then = ("hệ thống ngừng gửi tới địa chỉ này, vẫn gửi tới các địa chỉ khác của cơ quan"
                if alive.get(ct.agency_id) else "cần địa chỉ thư khác của cơ quan")
        out.append(Problem("bounce", *who(ct.agency_id), f"thư gửi {ct.email} ({role}) {what}; {then}{reason}"))
    for f in failing_addresses(session, campaign):
        out.append(Problem("bounce" if f.dead else "temporary_bounce", f.agency_code, f.agency_name, f.text()))
    for m in session.exec(select(InboundMessage).where(ours, col(InboundMessage.state).in_(
            ("quarantined", "failed"))).order_by(InboundMessage.received_at, InboundMessage.id)):
        seen = f"thư từ {m.from_addr or '(không rõ)'}, tiêu đề “{m.subject}”, nhận lúc " \
               f"{vn_datetime(m.received_at.astimezone(tz))}"
        if m.state == "quarantined":
            out.append(Problem("quarantine", *who(m.agency_id), f"{seen}: {mail_reason(m.reason_code, m.reason_args, m.reason)}",
                               f"reportbot quarantine assign {m.id} <MÃ CƠ QUAN>"))
        else:
            out.append(Problem("other", *who(m.agency_id), f"xử lý không thành công {seen}: {mail_reason(m.reason_code, m.reason_args, m.reason)}",
                               f"thư số {m.id}"))
    unopened = and_(FileRow.parse_status == "skipped", col(FileRow.kind).in_(UNOPENED_KINDS))
    for f, m in session.exec(select(FileRow, InboundMessage).join(
            InboundMessage, FileRow.inbound_id == InboundMessage.id)
            .where(ours, or_(FileRow.parse_status == "failed", unopened)).order_by(FileRow.id)):
        out.append(Problem("parse_error", *who(m.agency_id),
                           f"tệp “{f.filename}” trong thư từ {m.from_addr}: {file_reason(f.reason, f.reason_code)}",
                           f"SHA-256 {f.sha256[:12]}"))
    for o in session.exec(select(OutboundMail).where(OutboundMail.campaign_id == campaign.id,
                                                     OutboundMail.status == "failed").order_by(OutboundMail.id)):
        to = ", ".join(o.to_addrs or [])
        out.append(Problem("send_failed", *who(o.agency_id),
                           f"{MAIL_KIND_LABELS.get(o.kind, o.kind)} gửi {to} không thành công"
                           + (f" (chi tiết kỹ thuật: {o.last_error})" if o.last_error else ""),
                           o.message_id))
    return out


def _alive_primaries(session: Session, enrolled) -> dict[int, int]:
    """Agency id -> how many of its primary addresses are still written to."""
    rows = session.exec(select(Contact.agency_id).where(
        Contact.role == "primary", col(Contact.state).not_in(("bounced", "failed")),
        col(Contact.agency_id).in_(enrolled)))
    return dict(Counter(rows))


# ---------------------------------------------------------------- context (pure)
def digest_context(facts: DigestFacts, *, now: datetime, since: datetime | None) -> dict:
    """The figures for mail_templates/digest.*.j2 (all but `chart`)."""
    tz = ZoneInfo(facts.tz)
    rows = facts.status
    return {
        "since": since.astimezone(tz) if since else None,
        "by_state": {s: sum(1 for r in rows if r["state"] == s) for s in STATES},
        "by_category": _by_category(rows),
        "new_arrivals": [_arrival(a, tz) for a in facts.arrivals
                         if a.received_at <= now and (since is None or a.received_at > since)],
        "overdue": _overdue(facts, now, tz),
        "incomplete": [{"agency_code": r["agency"], "agency_name": r["name"],
                        "missing": [{"id": i, "title": facts.titles.get(i, "")} for i in r["missing"]]}
                       for r in rows if r["state"] == "received_incomplete"],
        "problems": _capped(facts.problems),
    }


def _by_category(rows: Sequence[dict]) -> list[dict]:
    groups: dict[str, Counter] = defaultdict(Counter)
    for r in rows:
        groups[r["category"]][r["state"]] += 1
    order = [c for c in CATEGORIES if c in groups] + sorted(set(groups) - set(CATEGORIES))
    return [{"category": c, "label": CATEGORY_LABELS.get(c, c), "total": sum(groups[c].values()),
             **{s: groups[c][s] for s in STATES}} for c in order]


def _arrival(a: Arrival, tz: ZoneInfo) -> dict:
    return {"agency_code": a.agency_code, "agency_name": a.agency_name,
            "received_at": a.received_at.astimezone(tz), "on_time": a.on_time,
            "completeness": a.completeness, "missing": list(a.missing), "version": a.version}


def _overdue(facts: DigestFacts, now: datetime, tz: ZoneInfo) -> list[dict]:
    late = (now.astimezone(tz).date() - facts.deadline.astimezone(tz).date()).days
    out = []
    for r in facts.status:
        if r["state"] != "overdue":
            continue
        rem = facts.reminders.get(r["agency"], Reminders())
        out.append({"agency_code": r["agency"], "agency_name": r["name"], "days_late": max(late, 0),
                    "reminders_sent": r["reminders_sent"],
                    "last_reminder_at": rem.last_at.astimezone(tz) if rem.last_at else None,
                    "escalated": rem.escalated})
    return out


def _capped(problems: Sequence[Problem]) -> list[dict]:
    """Every problem, but at most MAX_PER_KIND of a kind one by one (a spam wave must not
    bury the rest); the remainder in one line per kind."""
    seen, more, out = Counter(), Counter(), []
    for p in problems:
        seen[p.kind] += 1
        if seen[p.kind] <= MAX_PER_KIND:
            out.append({"kind": p.kind, "agency_code": p.agency_code, "agency_name": p.agency_name,
                        "detail": p.detail, "ref": p.ref})
        else:
            more[p.kind] += 1
    for kind, n in more.items():
        ref = "reportbot quarantine list" if kind == "quarantine" else None
        out.append({"kind": kind, "agency_code": None, "agency_name": None,
                    "detail": f"và {n} trường hợp khác cùng loại", "ref": ref})
    return out


# ---------------------------------------------------------------- chart, attachment, mail
@dataclass(frozen=True)
class Digest:
    context: dict
    chart_png: bytes
    chart_summary: str
    status_xlsx: bytes
    xlsx_name: str
    due: bool = True  # would the daily job send it today (bot/staff/digest_rule.py)
    mark: DigestMark = field(default_factory=DigestMark)  # what it shows, for the next one


def make_digest(session: Session, campaign: Campaign, *, now: datetime) -> Digest:
    """Today's digest; its "new arrivals" are those since the last digest queued."""

    facts = gather_digest(session, campaign, now)
    return digest_from_facts(facts, now=now, last=last_mark(session, campaign),
                             until=chase_until(campaign_plan(campaign)))


def digest_from_facts(facts: DigestFacts, *, now: datetime, last: DigestMark, until: datetime) -> Digest:
    tz = ZoneInfo(facts.tz)
    first: dict[str, datetime] = {}
    for a in facts.arrivals:
        if a.received_at <= now:
            first.setdefault(a.agency_code, a.received_at)
    expected = sum(1 for r in facts.status if r["state"] != "exempt")
    today = now.astimezone(tz).date()
    series = daily_series(list(first.values()), facts.start, today, facts.tz)
    png = receipts_chart_png(series, deadline=facts.deadline.astimezone(tz).date(), expected=expected,
                             title=f"Tiến độ tiếp nhận báo cáo theo Công văn số {facts.code}")
    got_today = series[-1].received if series and series[-1].day == today else 0
    summary = f"đã nhận báo cáo của {len(first)}/{expected} cơ quan, trong đó {got_today} cơ quan gửi hôm nay"
    name = f"tinh-trang-{slug(facts.code)}-{today:%Y%m%d}.xlsx"
    settled = is_settled(r["state"] for r in facts.status)
    problems = problem_counts(p.kind for p in facts.problems)
    context = digest_context(facts, now=now, since=last.at)
    context["mode"] = digest_wording(settled=settled, now=now, until=until)
    news = has_news(len(context["new_arrivals"]), problems, last)
    due = digest_due(news=news, settled=settled, last=last, now=now, until=until)
    return Digest(context, png, summary, status_workbook(facts.status), name, due,
                  DigestMark(now, problems, settled))


def build_digest_message(campaign: Campaign, digest: Digest, *, sender: Sender, to: Sequence[str],
                         now: datetime, chart_src: str | None = None) -> EmailMessage:
    """The digest mail: HTML with the chart inline (Content-ID), text, the status XLSX attached.

    `chart_src` replaces the inline image (e.g. a data: URI when the mail is only written to disk)."""

    domain = sender.msgid_domain or parseaddr(sender.from_addr)[1].rpartition("@")[2]
    cid = make_msgid("chart", domain)
    ctx = digest.context | {"chart": {"src": chart_src or f"cid:{cid[1:-1]}", "filename": CHART_NAME,
                                      "summary": digest.chart_summary}}
    xlsx = Attachment(digest.xlsx_name, digest.status_xlsx, XLSX_TYPE, "Bảng tình trạng tiếp nhận")
    msg = build_digest(mail_campaign(campaign), ctx, sender=sender, date=now, to=to, attachments=[xlsx])
    if chart_src is None:
        # The HTML part becomes multipart/related: html + the PNG it refers to by cid.
        msg.get_body(("html",)).add_related(digest.chart_png, "image", "png", cid=cid,
                                            filename=CHART_NAME, disposition="inline")
    return msg


def write_digest_files(campaign: Campaign, digest: Digest, path: Path, *, sender: Sender,
                       to: Sequence[str], now: datetime) -> list[Path]:
    """FILE (HTML, chart embedded as a data: URI) plus FILE's stem .txt, .xlsx and .png beside it.

    The HTML and text are taken from the very mail that would be sent; all four are owner-only."""
    siblings = [path.with_suffix(s) for s in (".txt", ".xlsx", ".png")]
    if path in siblings:
        raise ValueError(f"{path}: name the HTML file with .html (its .txt, .xlsx and .png go beside it)")
    uri = "data:image/png;base64," + base64.b64encode(digest.chart_png).decode("ascii")
    msg = build_digest_message(campaign, digest, sender=sender, to=to, now=now, chart_src=uri)
    contents = [msg.get_body(("html",)).get_content().encode("utf-8"),
                msg.get_body(("plain",)).get_content().encode("utf-8"), digest.status_xlsx, digest.chart_png]
    return [write_private(p, data) for p, data in zip([path, *siblings], contents)]


# ---------------------------------------------------------------- sending and "since"
def last_mark(session: Session, campaign: Campaign) -> DigestMark:
    """What the last queued digest showed (nothing yet: an empty mark)."""
    return DigestMark.from_json(get_state(session, digest_key(campaign.code)))


def record_digest(session: Session, campaign: Campaign, mark: DigestMark, message_id: str) -> None:
    put_state(session, digest_key(campaign.code), mark.to_json() | {"message_id": message_id})


def _skipped_on(session: Session, campaign: Campaign) -> str | None:
    """The campaign-local day the daily job last decided to send no digest."""
    return (get_state(session, digest_key(campaign.code)) or {}).get("skipped_day")


def send_digest(session: Session, campaign: Campaign, *, now: datetime, sender: Sender,
                to: Sequence[str], actor: str = "system", only_if_due: bool = False):
    """Queue today's digest (once per campaign and campaign-local day) and remember what it
    showed. With `only_if_due` (the daily job), not on a day bot/staff/digest_rule.py leaves out.
    Returns the outbox's PlannedMail, or None when nothing was queued."""

    day = now.astimezone(ZoneInfo(campaign.timezone)).date().isoformat()
    if today_digest_queued(session, campaign, now) or (only_if_due and _skipped_on(session, campaign) == day):
        return None  # a day's digest is decided once: news later that day is the next digest's
    digest = make_digest(session, campaign, now=now)
    if only_if_due and not digest.due:
        put_state(session, digest_key(campaign.code), {"skipped_day": day}, merge=True)  # the last mark stays the "since"
        log.info("digest of %s: nothing new since %s; none today", campaign.code,
                 digest.context["since"].isoformat() if digest.context["since"] else "-")
        return None
    msg = build_digest_message(campaign, digest, sender=sender, to=to, now=now)
    planned = queue_digest(session, campaign, msg, now=now, actor=actor)
    if planned is not None:
        record_digest(session, campaign, digest.mark, planned.message_id)
    return planned
