"""Shared fixtures: the 5422 campaign's schedule, read from the campaign file itself."""
from __future__ import annotations

import tomllib

import pytest

from bot.outbound.mails import MailAgency, MailCampaign, Sender
from bot.outbound.planner import CampaignPlan

from .helpers import CAMPAIGN_FILE


@pytest.fixture(scope="session")
def campaign_toml() -> dict:
    return tomllib.loads(CAMPAIGN_FILE.read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def plan(campaign_toml) -> CampaignPlan:
    c, s = campaign_toml["campaign"], campaign_toml["schedule"]
    return CampaignPlan(
        code=c["code"], deadline=c["deadline"], tz=c["timezone"], dispatch_at=s["dispatch_at"],
        remind_before=tuple(s["remind_before"]), overdue_every=s["overdue_every"],
        overdue_max=s["overdue_max"], escalate_on_overdue=s["escalate_on_overdue"],
    )


@pytest.fixture(scope="session")
def mail_campaign(campaign_toml) -> MailCampaign:
    c, letter = campaign_toml["campaign"], campaign_toml["letter"]
    return MailCampaign(
        code=c["code"], title=c["title"], issued=c["issued"], deadline=c["deadline"],
        tz=c["timezone"], reply_to=c["reply_to"],
        request=tuple(p for p in letter["body"] if not p.startswith("Trân trọng")),
    )


@pytest.fixture
def agency() -> MailAgency:
    return MailAgency(code="BYT", name="Bộ Y tế", emails=("vanthu@moh.gov.vn", "cntt@moh.gov.vn"),
                      escalation_emails=("lanhdao@moh.gov.vn",))


@pytest.fixture
def sender() -> Sender:
    return Sender("Cục Báo chí <baocao@example.gov.vn>")


