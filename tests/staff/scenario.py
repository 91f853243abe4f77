"""A campaign mid-way, written straight into a database: the facts the digest and export read.

Moment of the figures: NOW = 06/01/2025 09:00 (+07), a week after the deadline. The
previous digest went out at SINCE = 02/01/2025 07:30.

- BYT  received on time, complete (a table in I.5; two statements of `views`)
- BTC  received on time, lacks IV and V
- VOV  version 1 (28/12, lacks III.4) superseded by version 2 (03/01, late, complete,
       sent as two files with each section naming its file)
- EVIL (category other) a hostile name: HTML and a spreadsheet formula; received on time,
       lacks III.4; a section that starts with "=" and holds a control character
- HNI  its only primary address bounced
- TTXVN overdue: two reminders and two overdue reminders, the second copied to leadership
- BQP  overdue, one reminder; its mail came with a file that could not be parsed
- BNV  overdue; its overdue reminder failed to send
- BCA  exempt; BNG never dispatched
- one quarantined mail from an unknown sender
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

from sqlmodel import Session, select

from bot.campaigns.agencies_file import read_agencies
from bot.campaigns.agency_load import import_agencies
from bot.campaigns.campaign_load import load_campaign
from bot.core.store import BlobStore
from bot.staff.digest import record_digest
from bot.staff.digest_rule import DigestMark
from db.engine import migrate, session_scope
from db.models import (
    Agency,
    Attachment,
    Campaign,
    Contact,
    Enrollment,
    InboundMessage,
    OutboundMail,
    Submission,
)

REPO = Path(__file__).resolve().parents[2]
CAMPAIGN_FILE = REPO / "campaigns" / "5422-BTTTT-CBC.toml"
AGENCIES_FILE = REPO / "campaigns" / "agencies-5422.csv"
ICT = timezone(timedelta(hours=7))
NOW = datetime(2025, 1, 6, 9, 0, tzinfo=ICT)
SINCE = datetime(2025, 1, 2, 7, 30, tzinfo=ICT)
DISPATCHED = datetime(2024, 12, 19, 9, 0, tzinfo=ICT)
HOSTILE = '=HYPERLINK("http://x.example","Sở")<script>alert(1)</script>'
INJECTED = "=1+2 mở đầu bằng dấu bằng\x07 và ký tự điều khiển"
TABLE = "Chỉ tiêu | Năm 2023 | Năm 2024\nLượt truy cập | 900.000 | 1.200.000"


def at(day: int, month: int, hour: int = 10, year: int | None = None) -> datetime:
    return datetime(year or (2025 if month == 1 else 2024), month, day, hour, 0, tzinfo=ICT)


@dataclass(frozen=True)
class Report:
    code: str
    received_at: datetime
    on_time: bool
    missing: tuple[str, ...] = ()
    version: int = 1
    is_current: bool = True
    files: tuple[str, ...] = ()
    per_section_source: bool = False
    metrics: tuple[dict, ...] = ()
    texts: dict = field(default_factory=dict)  # node id -> text (else a generated sentence)


REPORTS = (
    Report("BYT", at(26, 12), True, files=("BC-BYT-5422.docx",), texts={"I": "", "I.5": TABLE}, metrics=(
        {"name": "views", "value": 1_200_000, "unit": "lượt", "section": "I.5",
         "evidence": "tổng lượt truy cập đạt 1.200.000 lượt"},
        {"name": "views", "value": 300_000, "unit": "lượt", "section": "I.5",
         "evidence": "Tạp chí Sức khỏe đạt 300.000 lượt xem"},
        {"name": "digital_revenue_vnd", "value": 45_600_000_000, "unit": "VND", "section": "I.6",
         "evidence": "doanh thu từ sản phẩm báo chí số đạt 45,6 tỷ đồng"},
        {"name": "maturity_level", "value": None, "unit": None, "section": "I.7",
         "evidence": "đạt mức Khá"},
    )),
    Report("BTC", at(27, 12), True, missing=("IV", "V"), files=("Bao cao BTC.pdf",), metrics=(
        {"name": "reader_growth_pct", "value": 12.5, "unit": "%", "section": "I.5",
         "evidence": "lượng độc giả tăng 12,5%"},)),
    Report("VOV", at(28, 12), True, missing=("III.4",), is_current=False, files=("vov-v1.docx",)),
    Report("VOV", at(3, 1), False, version=2, files=("vov-phan-1.docx", "vov-phan-2.pdf"),
           per_section_source=True),
    Report("EVIL", at(29, 12), True, missing=("III.4",), files=("=evil.docx",), texts={"III.1": INJECTED}),
)
OVERDUE_REMINDERS = {"TTXVN": [("reminder", 1, ()), ("reminder", 2, ()), ("overdue", 1, ()),
                               ("overdue", 2, ("lanhdao@ttxvn.example",))],
                     "BQP": [("reminder", 1, ())]}


def section_text(code: str, node_id: str) -> str:
    return f"{code} báo cáo mục {node_id}: đã triển khai các nhiệm vụ trong năm 2024.\nĐoạn thứ hai của mục {node_id}."


def sections(report: Report, nodes: list[dict]) -> list[dict]:
    out = []
    for i, n in enumerate(nodes):
        found = n["id"] not in report.missing
        text = report.texts.get(n["id"], section_text(report.code, n["id"])) if found else ""
        s = {"id": n["id"], "found": found, "heading": f"{n['id']}. {n['title']}" if found else None,
             "text": text, "confidence": 0.95 if found else 0.0}
        if report.per_section_source and found:
            s["source"] = report.files[i % len(report.files)]
        out.append(s)
    return out


def build(session: Session, store_dir: Path) -> Campaign:
    load_campaign(session, CAMPAIGN_FILE, BlobStore(store_dir))
    campaign = session.exec(select(Campaign)).one()
    import_agencies(session, read_agencies(AGENCIES_FILE.read_bytes(), AGENCIES_FILE.name), campaign)
    evil = Agency(code="EVIL", name=HOSTILE, category="other", domains=[])
    session.add(evil)
    session.flush()
    session.add(Enrollment(campaign_id=campaign.id, agency_id=evil.id))
    session.add(Contact(agency_id=evil.id, email="vanthu@evil.example"))
    session.flush()
    ids = {a.code: a.id for a in session.exec(select(Agency))}
    _mails(session, campaign, ids)
    _reports(session, campaign, ids)
    _problems(session, campaign, ids)
    bca = session.exec(select(Enrollment).where(Enrollment.agency_id == ids["BCA"])).one()
    bca.exempt, bca.exempt_reason = True, "không có cơ quan báo chí"
    record_digest(session, campaign, DigestMark(SINCE), "<digest-previous@example.gov.vn>")
    return campaign


def _mail(campaign: Campaign, agency: str, aid: int, kind: str, seq: int, sent_at: datetime,
          status: str = "sent", cc: tuple[str, ...] = (), error: str = "") -> OutboundMail:
    key = f"{campaign.code}|{agency}|{kind}|{seq}"
    return OutboundMail(dedupe_key=key, campaign_id=campaign.id, agency_id=aid, kind=kind, seq=seq,
                        message_id=f"<{kind}.{seq}.{agency}@example.gov.vn>",
                        to_addrs=[f"vanthu@{agency.lower()}.example"], cc_addrs=list(cc),
                        status=status, sent_at=sent_at if status == "sent" else None, last_error=error)


def _mails(session: Session, campaign: Campaign, ids: dict[str, int]) -> None:
    for code, aid in ids.items():
        if code != "BNG":
            session.add(_mail(campaign, code, aid, "dispatch", 0, DISPATCHED))
    for code, mails in OVERDUE_REMINDERS.items():
        for n, (kind, seq, cc) in enumerate(mails):
            session.add(_mail(campaign, code, ids[code], kind, seq, at(25 + 3 * n, 12, 8) if n < 2
                              else at(2 + 3 * (n - 2), 1, 8), cc=cc))
    session.add(_mail(campaign, "BNV", ids["BNV"], "overdue", 1, at(2, 1, 8), status="failed",
                      error="421 4.7.0 try again later"))


def _reports(session: Session, campaign: Campaign, ids: dict[str, int]) -> None:
    for r in REPORTS:
        secs = sections(r, campaign.outline)
        found = sum(1 for s in secs if s["found"])
        session.add(Submission(
            campaign_id=campaign.id, agency_id=ids[r.code], version=r.version, received_at=r.received_at,
            on_time=r.on_time, completeness=found / len(secs), missing=list(r.missing), sections=secs,
            metrics=[dict(m) for m in r.metrics], is_current=r.is_current,
            sources=[{"filename": f, "sha256": f"{i:064x}", "size": 1000} for i, f in enumerate(r.files)]))


def _problems(session: Session, campaign: Campaign, ids: dict[str, int]) -> None:
    hni = session.exec(select(Contact).where(Contact.agency_id == ids["HNI"], Contact.role == "primary")).all()
    for c in hni:
        c.state, c.state_reason = "bounced", "550 5.1.1 mailbox unavailable"
    session.add(InboundMessage(sha256="a" * 64, message_id="<spam@unknown.example>", raw_path="mail/a.eml",
                               from_addr="nguoila@unknown.example", subject="Gửi báo cáo",
                               received_at=at(4, 1, 14), state="quarantined", campaign_id=None,
                               reason="no agency matched: no reply, token, address or domain of an agency",
                               reason_code="no_agency",
                               reason_args={"detail": "no reply, token, address or domain of an agency"}))
    inbound = InboundMessage(sha256="b" * 64, message_id="<bqp@bqp.example>", raw_path="mail/b.eml",
                             from_addr="vanthu@bqp.example", subject="Re: báo cáo", received_at=at(5, 1, 9),
                             state="processed", campaign_id=campaign.id, agency_id=ids["BQP"])
    session.add(inbound)
    session.flush()
    session.add(Attachment(inbound_id=inbound.id, filename="BC BQP (mật khẩu).docx", sha256="c" * 64,
                           parse_status="failed", reason="BC BQP (mật khẩu).docx: the document is encrypted "
                           "(password-protected); ask the sender for an unprotected copy"))
    session.add(Attachment(inbound_id=inbound.id, filename="Phụ lục BQP.rar", sha256="d" * 64, kind="rar",
                           parse_status="skipped", reason="RAR archive: not unpacked"))
    session.add(Attachment(inbound_id=inbound.id, filename="logo.png", sha256="e" * 64, kind="png",
                           parse_status="skipped", reason="inline image"))  # not a problem for anyone


def make_database(url: str, store_dir: Path):
    """Migrate a database at `url` and write the scenario into it; returns the engine."""
    from db.engine import make_engine

    engine = make_engine(url)
    migrate(engine)
    with session_scope(engine) as session:
        build(session, store_dir)
    return engine
