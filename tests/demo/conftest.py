"""A demo site (config, SQLite database, the shipped campaign and agencies) without servers."""
from __future__ import annotations

import pytest

from bot.demo.site import open_site, scenario_inputs, write_config


@pytest.fixture(scope="module")
def shipped(tmp_path_factory):
    """(agencies, nominal calendar, timezone, outline) of the shipped 5422 campaign."""
    from bot.campaigns.campaign_load import campaign_outline
    from db.models import Campaign

    folder = tmp_path_factory.mktemp("demo-site")
    config = write_config(folder, smtp_port=2525, imap_port=1143, imap_user="baocao", imap_password="x")
    app, cid = open_site(config)
    agencies, slots, tz = scenario_inputs(app, cid)
    with app.session() as s:
        outline = campaign_outline(s.get(Campaign, cid))
    return agencies, slots, tz, outline
