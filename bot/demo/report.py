"""The demo's outputs, written with the same functions `reportbot digest --out` and
`reportbot export` use: the digest (HTML, text, XLSX, chart) and the export (DOCX, XLSX)."""
from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.outbound.mails import config_sender
from bot.staff.digest import make_digest, write_digest_files
from bot.staff.export import write_export
from bot.staff.status import campaign_status
from db.models import Campaign


def write_outputs(app, campaign_id: int, folder: Path, now: datetime) -> tuple[Path, list[Path], list[dict]]:
    """(digest HTML path, export paths, status rows) at `now`."""
    cfg = app.config
    with app.session() as s:
        c = s.get(Campaign, campaign_id)
        rows = campaign_status(s, c, now)
        digest = make_digest(s, c, now=now)
        day = now.astimezone(ZoneInfo(c.timezone)).date()
        html = folder / "digest" / f"tong-hop-{day:%Y%m%d}.html"
        written = write_digest_files(c, digest, html, sender=config_sender(cfg), to=cfg.staff.digest_to, now=now)
        exports = write_export(s, c, now, folder / "export")
    return written[0], exports, rows
