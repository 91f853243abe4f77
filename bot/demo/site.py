"""The demo's folder: wiped and laid out afresh, a config file written for the loopback
servers, the database initialised, the 5422 campaign and its agencies loaded — what
`reportbot init`, `campaign load` and `agencies import` do."""
from __future__ import annotations

import shutil
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path

from sqlmodel import select

from bot.campaigns.agencies_file import read_agencies
from bot.campaigns.agency_load import import_agencies
from bot.campaigns.campaign_load import load_campaign
from bot.core.app import App
from bot.core.config import load_config
from bot.core.errors import UserError
from bot.demo.scenario import Agency
from bot.outbound.outbox import campaign_plan
from bot.outbound.planner import nominal_schedule
from db.engine import migrate
from db.models import Agency as AgencyRow
from db.models import Campaign, Contact, Enrollment

MARKER = ".reportbot-demo"
CAMPAIGN_FILE = "5422-BTTTT-CBC.toml"
AGENCIES_FILE = "agencies-5422.csv"
INBOX = "baocao@example.gov.vn"
STAFF = "lanhdao.cucbaochi@example.gov.vn"


def prepare_folder(folder: Path) -> Path:
    """An empty folder for this run; an earlier demo's folder is wiped, anything else refused."""
    folder = folder.resolve()
    if folder.exists() and any(folder.iterdir()):
        if not (folder / MARKER).exists():
            raise UserError(f"--dir: {folder} is not empty and was not made by `reportbot demo`; "
                            "choose another folder")
        shutil.rmtree(folder)
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    (folder / MARKER).write_text(f"made by reportbot demo at {datetime.now(UTC).isoformat()}\n")
    return folder


def write_config(folder: Path, *, smtp_port: int, imap_port: int, imap_user: str, imap_password: str) -> Path:
    (folder / "imap-password").write_text(imap_password + "\n", encoding="utf-8")
    (folder / "imap-password").chmod(0o600)
    path = folder / "config.toml"
    path.write_text(f"""# Written by `reportbot demo`: reportbot wired to the demo's loopback mail servers.
[database]
url = "sqlite:///reportbot.db"

[storage]
dir = "store"

[smtp]
host = "127.0.0.1"
port = {smtp_port}
security = "none"
from = "Cục Báo chí <{INBOX}>"
rate_per_minute = 6000
concurrency = 2
timeout_seconds = 30

[imap]
host = "127.0.0.1"
port = {imap_port}
security = "none"
username = "{imap_user}"
password_file = "imap-password"
idle = true
poll_seconds = 1      # IDLE may miss mail that lands while a pass runs: look again every second
timeout_seconds = 30

[staff]
digest_to = ["{STAFF}"]

[security]
sender_policy = "record"
""", encoding="utf-8")
    return path


def open_site(config_path: Path) -> tuple[App, int]:
    """Initialise the database and load the shipped campaign and agencies; (app, campaign id)."""
    app = App(load_config(config_path))
    app.prepare_storage()
    migrate(app.engine)
    shipped = resources.files("campaigns")
    with resources.as_file(shipped.joinpath(CAMPAIGN_FILE)) as campaign_path, app.session() as s:
        load_campaign(s, Path(campaign_path), app.store, actor="demo")
    data = shipped.joinpath(AGENCIES_FILE).read_bytes()
    with app.session() as s:
        campaign = s.exec(select(Campaign)).one()
        import_agencies(s, read_agencies(data, AGENCIES_FILE), campaign, actor="demo")
        return app, campaign.id


def scenario_inputs(app: App, campaign_id: int) -> tuple[list[Agency], dict, str]:
    """The enrolled agencies with their addresses, the nominal calendar, the campaign's timezone."""
    with app.session() as s:
        c = s.get(Campaign, campaign_id)
        rows = s.exec(select(AgencyRow).join(Enrollment, Enrollment.agency_id == AgencyRow.id)
                      .where(Enrollment.campaign_id == campaign_id).order_by(AgencyRow.code)).all()
        contacts: dict[int, dict[str, list[str]]] = {}
        for ct in s.exec(select(Contact).order_by(Contact.id)):
            contacts.setdefault(ct.agency_id, {}).setdefault(ct.role, []).append(ct.email)
        agencies = [Agency(a.code, a.name, a.category, tuple(contacts.get(a.id, {}).get("primary", ())),
                           tuple(a.domains or ()), tuple(contacts.get(a.id, {}).get("escalation", ())))
                    for a in rows]
        slots = {(sl.kind, sl.seq): sl.due_at for sl in nominal_schedule(campaign_plan(c))}
        return [a for a in agencies if a.emails], slots, c.timezone
