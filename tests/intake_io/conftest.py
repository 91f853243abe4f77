"""A reportbot site wired to the Dovecot fixture: config, database, the 5422 campaign and agencies."""
from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path

import docx
import pytest
from sqlmodel import select

from bot.campaigns.agencies_file import read_agencies
from bot.campaigns.agency_load import import_agencies
from bot.campaigns.campaign_load import load_campaign
from bot.core.app import App
from bot.core.config import load_config
from bot.intake.pipeline import Intake
from db.engine import migrate
from db.models import Campaign

REPO = Path(__file__).resolve().parents[2]
NOW = datetime(2024, 12, 26, 3, 0, tzinfo=UTC)
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@dataclass
class Site:
    app: App
    account: object
    dovecot: object
    config_path: Path

    @property
    def intake(self) -> Intake:
        return Intake(self.app.config, self.app.engine)

    def append(self, raw: bytes, folder: str = "INBOX", when: datetime = NOW) -> int:
        """APPEND with an INTERNALDATE: the moment the mail reached our server."""
        return self.dovecot.append(self.account, raw, folder=folder, msg_time=when)

    def folder_count(self, folder: str) -> int:
        c = self.dovecot.client(self.account)
        try:
            if not c.folder_exists(folder):
                return 0
            c.select_folder(folder, readonly=True)
            return len(c.search(["ALL"]))
        finally:
            c.logout()


def write_site_config(folder: Path, account, *, db_url: str = "sqlite:///var/reportbot.db",
                      extra: str = "", port: int | None = None) -> Path:
    (folder / "imap-password").write_text(account.password)
    path = folder / "config.toml"
    path.write_text(f"""
[database]
url = "{db_url}"
[storage]
dir = "var"
[smtp]
from = "Cục Báo chí <baocao@example.gov.vn>"
[imap]
host = "{account.host}"
port = {port or account.port}
security = "none"
username = "{account.username}"
password_file = "imap-password"
{"" if "poll_seconds" in extra else "poll_seconds = 2"}
timeout_seconds = 10
{extra}
""", encoding="utf-8")
    return path


def make_site(tmp_path: Path, account, dovecot, **kw) -> Site:
    path = write_site_config(tmp_path, account, **kw)
    app = App(load_config(path))
    migrate(app.engine)
    with app.session() as s:
        load_campaign(s, REPO / "campaigns" / "5422-BTTTT-CBC.toml", app.store)
    with app.session() as s:
        campaign = s.exec(select(Campaign)).one()
        rows = read_agencies((REPO / "campaigns" / "agencies-5422.csv").read_bytes(), "agencies")
        import_agencies(s, rows, campaign)
    return Site(app, account, dovecot, path)


@pytest.fixture
def site(tmp_path, imap_account, dovecot) -> Site:
    return make_site(tmp_path, imap_account, dovecot)


def report_docx(sections: dict[str, str]) -> bytes:
    d = docx.Document()
    d.add_paragraph("ỦY BAN NHÂN DÂN TỈNH NGHỆ AN")
    d.add_paragraph("BÁO CÁO")
    for heading, body in sections.items():
        d.add_heading(heading, 2 if heading[0].isdigit() else 1)
        d.add_paragraph(body)
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


FULL = {
    "I. Tình hình chuyển đổi số của cơ quan báo chí trực thuộc": "Các cơ quan báo chí đã chủ động chuyển đổi số.",
    "1. Việc ban hành Kế hoạch chuyển đổi số của cơ quan báo chí": "Đã ban hành Kế hoạch số 12/KH-UBND.",
    "2. Đầu tư trang thiết bị, cơ sở vật chất": "Đầu tư hệ thống máy chủ mới.",
    "3. Nguồn lực (nhân lực/vật lực) phục vụ chuyển đổi số báo chí": "Có 25 cán bộ kỹ thuật.",
    "4. Ứng dụng công nghệ trong triển khai các sản phẩm báo chí số, xây dựng hoặc đưa lên nền tảng số các sản phẩm báo chí": "Ứng dụng AI trong biên tập.",
    "5. Kết quả phản hồi từ độc giả (lượng view, tương tác...), tăng trưởng độc giả": "Đạt 12.500.000 lượt xem.",
    "6. Kết quả tăng trưởng doanh thu từ sản phẩm báo chí số; doanh thu các sản phẩm báo chí số chiếm tỷ lệ %/tổng doanh thu": "Doanh thu số đạt 4,5 tỷ đồng.",
    "7. Đánh giá mức độ trưởng thành chuyển đổi số báo chí": "Mức độ Khá.",
    "II. Kết quả thực hiện nhiệm vụ được giao tại Chiến lược chuyển đổi số báo chí đến năm 2025, định hướng đến năm 2030": "Hoàn thành các nhiệm vụ.",
    "III. Kết quả triển khai Kế hoạch của cơ quan, đơn vị thực hiện Chiến lược chuyển đổi số báo chí": "Triển khai đồng bộ.",
    "1. Kết quả triển khai": "Đạt kế hoạch.",
    "2. Ưu điểm, thuận lợi trong quá trình triển khai": "Được lãnh đạo quan tâm.",
    "3. Hạn chế và nguyên nhân": "Kinh phí còn hạn chế.",
    "4. Bài học kinh nghiệm": "Cần sự vào cuộc của người đứng đầu.",
    "IV. Khó khăn, vướng mắc": "Thiếu nhân lực chất lượng cao.",
    "V. Đề xuất, kiến nghị": "Đề nghị Bộ hỗ trợ đào tạo.",
}


def reply(*, sender: str = "Văn thư Bộ Y tế <vanthu@byt.example>", subject: str = "Re: [5422/BTTTT-CBC #BYT] Báo cáo",
          sections: dict[str, str] | None = None, body: str = "Kính gửi Cục Báo chí, xin gửi báo cáo.",
          headers: dict[str, str] | None = None, date: datetime = NOW) -> bytes:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = "baocao@example.gov.vn"
    msg["Subject"] = subject
    msg["Date"] = format_datetime(date)
    msg["Message-ID"] = make_msgid(domain="byt.example")
    for k, v in (headers or {}).items():
        msg[k] = v
    msg.set_content(body)
    if sections is not None:
        msg.add_attachment(report_docx(sections), maintype="application", subtype=DOCX.split("/")[1],
                           filename="Báo cáo chuyển đổi số.docx")
    return msg.as_bytes()
