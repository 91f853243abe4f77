"""Loading a campaign file into the database (create or update), with its documents."""
from __future__ import annotations

import hashlib
import io
import json
import mimetypes
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlmodel import Session, select

from bot.campaigns.campaign_file import CampaignFile, outline_from_dicts, read_campaign_file
from bot.campaigns.letter_docx import render_letter_docx, render_report_form_docx
from bot.core.errors import UserError
from bot.core.store import BlobStore
from db.events import log_event
from db.models import Campaign
from db.types import utcnow
from parsers.model import Outline

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@dataclass(frozen=True)
class LoadResult:
    code: str
    created: bool
    changed: bool


def slug(code: str) -> str:
    """A file-name-safe form of a campaign code: "5422/BTTTT-CBC" -> "5422-BTTTT-CBC"."""
    return re.sub(r"[^A-Za-z0-9]+", "-", code).strip("-")


def campaign_outline(campaign: Campaign) -> Outline:
    return outline_from_dicts(campaign.code, campaign.outline, year=campaign.deadline.year)


def _documents(cf: CampaignFile, folder: Path) -> list[tuple[str, bytes]]:
    """The files sent with the dispatch: the letter, extra attachments, the blank report form."""

    outline = cf.to_outline()
    docs: list[tuple[str, bytes]] = []
    c = cf.campaign
    if c.letter:
        letter_path = folder / c.letter
        if letter_path.exists():
            docs.append((letter_path.name, letter_path.read_bytes()))
        elif cf.letter:
            docs.append((Path(c.letter).name, reproducible_zip(render_letter_docx(cf.letter, outline, c.title))))
        else:
            raise UserError(f"campaign.letter: file {letter_path} not found and no [letter] table to render it from")
    for name in c.attachments:
        p = folder / name
        if not p.exists():
            raise UserError(f"campaign.attachments: file {p} not found")
        docs.append((p.name, p.read_bytes()))
    form = render_report_form_docx(outline, c.title, c.code)
    docs.append((f"mau-bao-cao-{slug(c.code)}.docx", reproducible_zip(form)))
    return docs


def reproducible_zip(data: bytes) -> bytes:
    """Rewrite a zip (DOCX) with fixed member timestamps, so the same document gives the same
    bytes and hash on every load (re-loading an unchanged campaign then changes nothing)."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = info.external_attr
            dst.writestr(fixed, src.read(info))
    return out.getvalue()


def _attachment_rows(docs: list[tuple[str, bytes]], store: BlobStore) -> list[dict]:
    rows = []
    for name, data in docs:
        digest, _ = store.put(data)
        ctype = DOCX_TYPE if name.lower().endswith(".docx") else (
            mimetypes.guess_type(name)[0] or "application/octet-stream")
        rows.append({"name": name, "sha256": digest, "size": len(data), "content_type": ctype})
    return rows


def json_safe(value: dict[str, Any]) -> dict[str, Any]:
    """A TOML table as JSON stores it: dates and times become ISO 8601 strings."""
    return json.loads(json.dumps(value, default=lambda v: v.isoformat()))


def load_campaign(session: Session, path: Path, store: BlobStore, *, actor: str = "cli") -> LoadResult:
    raw = path.read_bytes() if path.exists() else b""
    cf = read_campaign_file(path)
    c, s = cf.campaign, cf.schedule
    values = dict(
        title=c.title, issued=c.issued, deadline=c.deadline, timezone=c.timezone, reply_to=c.reply_to,
        schedule={
            "dispatch_at": s.dispatch_at.isoformat(), "remind_before": s.remind_before,
            "overdue_every": s.overdue_every, "overdue_max": s.overdue_max,
            "escalate_on_overdue": s.escalate_on_overdue, "formal_letter_on_overdue": s.formal_letter_on_overdue,
            "digest_at": s.digest_at.strftime("%H:%M"), "reminder_at": s.reminder_at.strftime("%H:%M"),
        },
        outline=[n.model_dump() for n in cf.outline],
        letter=json_safe(cf.letter),
        attachments=_attachment_rows(_documents(cf, path.parent), store),
        source_path=str(path.resolve()),
        source_sha256=hashlib.sha256(raw).hexdigest(),
    )
    existing = session.exec(select(Campaign).where(Campaign.code == c.code)).first()
    if existing is None:
        row = Campaign(code=c.code, **values)
        session.add(row)
        session.flush()
        log_event(session, "campaign.created", campaign_id=row.id, actor=actor, detail={"source": path.name})
        return LoadResult(c.code, created=True, changed=True)
    changed = [k for k, v in values.items() if k != "source_path" and getattr(existing, k) != v]
    if changed:
        for k, v in values.items():
            setattr(existing, k, v)
        existing.updated_at = utcnow()
        log_event(session, "campaign.updated", campaign_id=existing.id, actor=actor,
                  detail={"source": path.name, "changed": changed})
    return LoadResult(c.code, created=False, changed=bool(changed))
