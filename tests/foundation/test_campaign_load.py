"""campaign load: the outline word for word, the letter and report form rendered and stored."""
from __future__ import annotations

import hashlib
import io
import re
from pathlib import Path

import docx
from sqlmodel import select

from bot.campaigns.campaign_load import load_campaign
from bot.core.app import App
from bot.core.config import parse_config
from db.engine import migrate
from db.models import Campaign, Event

from .conftest import CAMPAIGN_FILE, REPO

SEED = REPO.parent / "shared" / "seed" / "5422-BTTTT-CBC.txt"


def _app(tmp_path) -> App:
    app = App(parse_config({"database": {"url": "sqlite:///db.sqlite"}}, source="t", base_dir=tmp_path))
    migrate(app.engine)
    return app


def test_outline_matches_the_seed_word_for_word(tmp_path):
    import pytest
    if not SEED.exists():
        pytest.skip("../shared/seed is absent")
    app = _app(tmp_path)
    with app.session() as s:
        load_campaign(s, CAMPAIGN_FILE, app.store)
        c = s.exec(select(Campaign)).one()
    seed = SEED.read_text(encoding="utf-8")
    outline_part = seed[seed.index("ĐỀ CƯƠNG BÁO CÁO"):]
    for node in c.outline:
        assert node["title"] in outline_part, node["id"]
    assert [n["id"] for n in c.outline] == ["I", "I.1", "I.2", "I.3", "I.4", "I.5", "I.6", "I.7", "II", "III",
                                           "III.1", "III.2", "III.3", "III.4", "IV", "V"]
    assert c.deadline.isoformat() == "2024-12-30T10:00:00+00:00"


def test_letter_and_form_are_stored_by_hash_and_readable(tmp_path):
    app = _app(tmp_path)
    with app.session() as s:
        load_campaign(s, CAMPAIGN_FILE, app.store)
        c = s.exec(select(Campaign)).one()
    names = [a["name"] for a in c.attachments]
    assert names == ["letter-5422.docx", "mau-bao-cao-5422-BTTTT-CBC.docx"]
    for a in c.attachments:
        data = app.store.get(a["sha256"])
        assert hashlib.sha256(data).hexdigest() == a["sha256"] and len(data) == a["size"]
        text = "\n".join(p.text for p in docx.Document(io.BytesIO(data)).paragraphs)
        assert "Kết quả triển khai" in text
    assert not any(re.search(r"letter|mau-bao-cao", p.name) for p in Path(app.store.root).rglob("*"))


def test_an_existing_letter_file_is_sent_as_is(tmp_path):
    folder = tmp_path / "camp"
    folder.mkdir()
    (folder / "c.toml").write_text(CAMPAIGN_FILE.read_text(encoding="utf-8"), encoding="utf-8")
    (folder / "letter-5422.docx").write_bytes(b"signed scan stand-in")
    app = _app(tmp_path)
    with app.session() as s:
        load_campaign(s, folder / "c.toml", app.store)
        c = s.exec(select(Campaign)).one()
    assert c.attachments[0]["sha256"] == hashlib.sha256(b"signed scan stand-in").hexdigest()


def test_reloading_an_edited_campaign_updates_and_logs_what_changed(tmp_path):
    app = _app(tmp_path)
    edited = tmp_path / "edited.toml"
    edited.write_text(CAMPAIGN_FILE.read_text(encoding="utf-8").replace("overdue_max = 3", "overdue_max = 4"),
                      encoding="utf-8")
    with app.session() as s:
        load_campaign(s, CAMPAIGN_FILE, app.store)
    with app.session() as s:
        assert load_campaign(s, CAMPAIGN_FILE, app.store).changed is False
        result = load_campaign(s, edited, app.store)
    assert result.changed and not result.created
    with app.session() as s:
        c = s.exec(select(Campaign)).one()
        assert c.schedule["overdue_max"] == 4
        ev = s.exec(select(Event).where(Event.kind == "campaign.updated")).one()
        assert "schedule" in ev.detail["changed"]
