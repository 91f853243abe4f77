"""A console site built by the project's own functions: the 5422 campaign and a dozen of its
agencies loaded, the letter dispatched by a scheduler tick through a real (aiosmtpd) SMTP server,
and replies stored in the raw store and run through the real intake pipeline:

- BYT  replies in the thread of its letter, on time, complete (DOCX);
- HNI  replies late, without section IV;
- TTXVN's address is refused by the SMTP server (550): the agency is `bounced`;
- BQP  is exempt (staff action, actor "cli");
- Q_THREAD: a Gmail address replies in BTC's thread with a report → quarantined (unregistered sender);
- Q_HOSTILE: an unknown sender, HTML mail with <script>, an onerror handler and a remote <img>
  (pointing at a loopback tracker that counts fetches), naming Bộ Nội vụ and citing 5422/BTTTT-CBC;
- Q_PLAIN: an unknown sender asking a question (to be rejected).
The console then judges everything at NOW (02/01/2025 09:00, after the deadline)."""
from __future__ import annotations

import csv
import io
import shutil
import sys
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from sqlmodel import select

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "tests"))

from servers import free_port  # noqa: E402
from sites import outline_docx  # noqa: E402

from bot.campaigns.agencies_file import read_agencies  # noqa: E402
from bot.campaigns.agency_load import import_agencies  # noqa: E402
from bot.campaigns.campaign_load import load_campaign  # noqa: E402
from bot.core.app import App  # noqa: E402
from bot.core.config import load_config  # noqa: E402
from bot.intake.pipeline import Intake, process  # noqa: E402
from bot.intake.rawstore import mail_store, store_raw  # noqa: E402
from bot.service.tick import run_tick  # noqa: E402
from bot.staff.actions import set_exempt  # noqa: E402
from db.engine import migrate  # noqa: E402
from db.models import Campaign, OutboundMail  # noqa: E402

ICT = timezone(timedelta(hours=7))
DISPATCH = datetime(2024, 12, 19, 9, 5, tzinfo=ICT)
NOW = datetime(2025, 1, 2, 9, 0, tzinfo=ICT)
CODES = ("BYT", "BTC", "BQP", "BNV", "TTXVN", "VOV", "HNI", "HCM", "HPG", "HNBVN", "TWDOAN")
CAMPAIGN_FILE = REPO / "campaigns" / "5422-BTTTT-CBC.toml"
AGENCIES_FILE = REPO / "campaigns" / "agencies-5422.csv"
HOSTILE_SUBJECT = 'Báo cáo <script>alert("x")</script><img src=x onerror="document.title=\'pwned\'">'


@dataclass
class Built:
    folder: Path
    config: Path
    ids: dict[str, int]  # Q_THREAD, Q_HOSTILE, Q_PLAIN, BYT, HNI -> inbound id


def agencies_csv() -> bytes:
    rows = [r for r in csv.DictReader(io.StringIO(AGENCIES_FILE.read_text("utf-8-sig"))) if r["code"] in CODES]
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=list(rows[0]), lineterminator="\n")
    w.writeheader()
    w.writerows(rows)
    return buf.getvalue().encode("utf-8")


def write_config(folder: Path, db_url: str, smtp_port: int) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "config.toml"
    path.write_text(f"""[database]
url = "{db_url}"
[storage]
dir = "data"
[smtp]
host = "127.0.0.1"
port = {smtp_port}
security = "none"
from = "Cục Báo chí <baocao@example.gov.vn>"
rate_per_minute = 100000
[imap]
host = "127.0.0.1"
port = 1
security = "none"
[staff]
digest_to = ["staff@example.gov.vn"]
[web]
login_failures = 5
login_window_seconds = 60
""", encoding="utf-8")
    return path


def _mail(sender: str, subject: str, when: datetime, *, in_reply_to: str | None = None, text: str = "",
          html: str | None = None, docx: bytes | None = None) -> bytes:
    m = EmailMessage()
    m["From"], m["To"], m["Subject"] = sender, "baocao@example.gov.vn", subject
    m["Date"], m["Message-ID"] = format_datetime(when), make_msgid(domain="agency.example")
    if in_reply_to:
        m["In-Reply-To"], m["References"] = in_reply_to, in_reply_to
    m.set_content(text or "Kính gửi Cục Báo chí,\nGửi kèm báo cáo.")
    if html is not None:
        m.add_alternative(html, subtype="html")
    if docx is not None:
        m.add_attachment(docx, maintype="application",
                         subtype="vnd.openxmlformats-officedocument.wordprocessingml.document",
                         filename="Báo cáo chuyển đổi số.docx")
    return m.as_bytes()


def _report(code: str, missing: tuple[str, ...] = ()) -> bytes:
    return outline_docx(lambda node: f"{code}: nội dung mục {node}, năm 2024 đã triển khai nhiều nhiệm vụ.",
                        missing=missing)


def build(folder: Path, db_url: str, smtp, tracker_port: int) -> Built:
    """The whole site in `folder` (the SMTP server only takes the dispatch)."""
    config = write_config(folder, db_url, smtp.port)
    app = App(load_config(config))
    migrate(app.engine)
    app.prepare_storage()
    with app.session() as s:
        load_campaign(s, CAMPAIGN_FILE, app.store)
    with app.session() as s:
        import_agencies(s, read_agencies(agencies_csv(), "agencies.csv"), s.exec(select(Campaign)).one())
    smtp.reject_address("vanthu@ttxvn.example", 550, "5.1.1 mailbox unavailable")
    run_tick(app, DISPATCH)
    with app.session() as s:
        c = s.exec(select(Campaign)).one()
        set_exempt(s, c, "BQP", "không có cơ quan báo chí trực thuộc", now=DISPATCH)
        letters = {code: mid for code, mid in s.exec(select(OutboundMail.dedupe_key, OutboundMail.message_id)
                                                     .where(OutboundMail.kind == "dispatch"))
                   for code in [code.split("|")[1]]}
    remote = f"http://127.0.0.1:{tracker_port}/pixel.png"
    mails = {
        "BYT": (_mail("vanthu@byt.example", "Re: Công văn 5422/BTTTT-CBC", datetime(2024, 12, 26, 10, 0, tzinfo=ICT),
                      in_reply_to=letters["BYT"], docx=_report("BYT")), datetime(2024, 12, 26, 10, 0, tzinfo=ICT)),
        "HNI": (_mail("vanthu@hanoi.example", "Báo cáo của UBND thành phố Hà Nội", datetime(2025, 1, 2, 8, 0, tzinfo=ICT),
                      docx=_report("HNI", missing=("IV",))), datetime(2025, 1, 2, 8, 0, tzinfo=ICT)),
        "Q_THREAD": (_mail("nguyen.van.a@gmail.com", "Re: Báo cáo chuyển đổi số - Bộ Tài chính",
                           datetime(2024, 12, 28, 15, 30, tzinfo=ICT), in_reply_to=letters["BTC"], docx=_report("BTC")),
                     datetime(2024, 12, 28, 15, 30, tzinfo=ICT)),
        "Q_HOSTILE": (_mail("la@unknown.example", HOSTILE_SUBJECT, datetime(2024, 12, 29, 9, 0, tzinfo=ICT),
                            text="Bộ Nội vụ gửi báo cáo theo Công văn số 5422/BTTTT-CBC.",
                            html=f"<p>Bộ Nội vụ gửi báo cáo theo Công văn số 5422/BTTTT-CBC.</p>"
                                 f"<script>document.title='pwned'</script>"
                                 f"<img src=\"{remote}\" onerror=\"document.title='pwned'\"><b>Trân trọng</b>"),
                      datetime(2024, 12, 29, 9, 0, tzinfo=ICT)),
        "Q_PLAIN": (_mail("hoi@unknown2.example", "Hỏi về thời hạn báo cáo", datetime(2024, 12, 30, 8, 0, tzinfo=ICT),
                          text="Xin hỏi hạn gửi báo cáo là ngày nào?"), datetime(2024, 12, 30, 8, 0, tzinfo=ICT)),
    }
    intake, ids = Intake(app.config, app.engine), {}
    for key, (raw, when) in mails.items():
        if key == "Q_HOSTILE":  # HTML only: the safe view must cope with HTML alone
            raw = _html_only(raw)
        with app.session() as s:
            row, _ = store_raw(s, mail_store(app.config.storage_dir), raw, received_at=when)
            ids[key] = row.id
        process(intake, ids[key], when)
    app.engine.dispose()
    return Built(folder, config, ids)


def _html_only(raw: bytes) -> bytes:
    import email
    from email import policy

    msg = email.message_from_bytes(raw, policy=policy.default)
    html = msg.get_body(("html",)).get_content()
    del msg["Content-Type"]
    msg.set_content(html, subtype="html")
    return msg.as_bytes()


def copy_site(built: Built, dest: Path) -> Built:
    """A private copy of a built SQLite site (tests that write get their own)."""
    shutil.copytree(built.folder, dest)
    return Built(dest, dest / "config.toml", built.ids)


# ---------------------------------------------------------------- a loopback tracker for remote content
class Tracker:
    """An HTTP server on loopback that counts requests: remote content in a mail must never reach it."""

    def __init__(self) -> None:
        self.hits: list[str] = []
        tracker = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 - http.server's naming
                tracker.hits.append(self.path)
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self.server.shutdown()


# ---------------------------------------------------------------- the console, served for real
class Console:
    """`reportbot web`'s server (uvicorn, the real app) in a thread, on a loopback port, at NOW."""

    def __init__(self, config: Path, now: datetime = NOW) -> None:
        from bot.core.clock import FixedClock
        from bot.web.server import make_server

        self.app = App(load_config(config))
        self.port = free_port()
        self.server = make_server(self.app, host="127.0.0.1", port=self.port, clock=FixedClock(now))
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.url = f"http://127.0.0.1:{self.port}"

    def start(self) -> Console:
        import httpx

        self.thread.start()
        end = time.monotonic() + 20
        while time.monotonic() < end:
            try:
                if httpx.get(self.url + "/healthz", timeout=1).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.05)
        raise RuntimeError("the console did not answer /healthz within 20 s")

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(10)
        self.app.engine.dispose()
