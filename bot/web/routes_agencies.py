"""The agencies: the filterable list and one agency's page; downloads of the files they sent."""
from __future__ import annotations

import re
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from sqlmodel import col, select

from bot.campaigns.agencies_file import CATEGORIES
from bot.staff.status import STATES, campaign_status
from bot.web.accounts import Principal
from bot.web.agency_view import agency_page, filter_rows, find_agency
from bot.web.auth import WebError, ctx_of, viewer
from bot.web.downloads import attachment_response
from bot.web.overview import pick_campaign
from bot.web.render import page
from db.engine import session_scope
from db.models import Attachment, InboundMessage, Submission

router = APIRouter()
SHA256 = re.compile(r"^[0-9a-f]{64}$")


@router.get("/agencies")
def agencies(request: Request, who: Annotated[Principal, Depends(viewer)], state: str = "", category: str = "",
             q: str = "", campaign: str | None = None):
    ctx = ctx_of(request)
    state = state if state in STATES else ""
    category = category if category in CATEGORIES else ""
    with session_scope(ctx.app.engine) as s:
        c = pick_campaign(s, campaign)
        if c is None:
            return page(request, "empty.html")
        rows = campaign_status(s, c, ctx.now())
    shown = filter_rows(rows, state=state, category=category, q=q[:100])
    return page(request, "agencies.html", campaign=c, tz=c.timezone, rows=shown, total=len(rows), state=state,
                category=category, q=q[:100], states=STATES, categories=CATEGORIES)


@router.get("/agencies/{code}")
def agency(request: Request, code: str, who: Annotated[Principal, Depends(viewer)], campaign: str | None = None):
    ctx = ctx_of(request)
    with session_scope(ctx.app.engine) as s:
        c = pick_campaign(s, campaign)
        if c is None:
            return page(request, "empty.html")
        a = find_agency(s, code)
        row = next((r for r in campaign_status(s, c, ctx.now()) if r["agency"] == a.code), None)
        data = agency_page(s, c, a, row)
    return page(request, "agency.html", **data)


@router.get("/files/{sha256}")
def download(request: Request, sha256: str, who: Annotated[Principal, Depends(viewer)]):
    """A file an agency sent, by its hash; its given name only in the download's name."""
    if not SHA256.match(sha256):
        raise WebError(404, "Không tìm thấy tệp.")
    ctx = ctx_of(request)
    with session_scope(ctx.app.engine) as s:
        att = s.exec(select(Attachment).where(Attachment.sha256 == sha256, col(Attachment.blob_path) != "")).first()
        name = att.filename if att else _source_name(s, sha256)
        rel = att.blob_path if att else (ctx.app.store.relpath(sha256) if name else None)
    path = ctx.app.config.storage_dir / rel if rel else None
    if path is None or not path.is_file():
        raise WebError(404, "Không tìm thấy tệp (tệp chưa được lưu hoặc đã bị xóa khỏi kho lưu trữ).")
    return attachment_response(path.read_bytes(), name or f"{sha256[:12]}.bin")


def _source_name(session, sha256: str) -> str | None:
    """A file recorded only among a submission's sources (a report handed in by staff)."""
    for sources in session.exec(select(Submission.sources)):
        for src in sources or []:
            if src.get("sha256") == sha256:
                return src.get("filename") or ""
    return None


@router.get("/mail/{inbound_id}.eml")
def raw_mail(request: Request, inbound_id: int, who: Annotated[Principal, Depends(viewer)]):
    """The stored message as received, for a person to open in a mail program."""
    ctx = ctx_of(request)
    with session_scope(ctx.app.engine) as s:
        row = s.get(InboundMessage, inbound_id)
        rel = row.raw_path if row else None
    path = ctx.app.config.storage_dir / rel if rel else None
    if path is None or not path.is_file():
        raise WebError(404, "Không tìm thấy thư.")
    return attachment_response(path.read_bytes(), f"thu-{inbound_id}.eml")
