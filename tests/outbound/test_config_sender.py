"""Every mail of ours goes out from the [smtp] `from` of the config (bot.outbound.mails.config_sender)."""
from __future__ import annotations

import email
from datetime import datetime
from email import policy
from email.header import decode_header, make_header
from email.utils import parseaddr
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.core.config import parse_config
from bot.outbound.mails import build_dispatch, config_sender

FROM = "Cục Báo chí (thử) <cucbaochi@thu.example.vn>"


def test_mail_goes_out_from_the_configured_address(mail_campaign, agency):
    config = parse_config({"smtp": {"from": FROM}}, source="test.toml", base_dir=Path("."))
    when = datetime(2024, 12, 19, 9, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
    msg = build_dispatch(mail_campaign, agency, sender=config_sender(config), date=when)
    parsed = email.message_from_bytes(msg.as_bytes(), policy=policy.default)
    name, addr = parseaddr(str(make_header(decode_header(parsed.get("From").replace("\r\n", "")))))
    assert (name, addr) == ("Cục Báo chí (thử)", "cucbaochi@thu.example.vn")
    assert parsed["Message-ID"].endswith("@thu.example.vn>")
