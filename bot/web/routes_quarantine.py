"""The quarantine: every message set aside, its reason, a safe view of its text, its files, the
ranked guesses, and the three actions (assign, reject, retry) — each the function the CLI calls."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from sqlalchemy.exc import IntegrityError
from sqlmodel import select
from starlette.concurrency import run_in_threadpool

from bot.intake.directory import load_directory
from bot.staff import quarantine as q
from bot.staff.guesses import clue_vi
from bot.staff.reasons import mail_reason
from bot.web.accounts import Principal
from bot.web.auth import WebError, ctx_of, officer_post, viewer
from bot.web.downloads import attachment_response
from bot.web.mailtext import as_text
from bot.web.overview import pick_campaign
from bot.web.render import page, redirect_with
from db.engine import session_scope
from db.models import Agency, InboundMessage

router = APIRouter()
ACTIONS = ("assign", "reject", "retry")
OUTCOMES = {"processed": "đã được ghi nhận", "quarantined": "vẫn chờ cán bộ kiểm tra", "ignored": "được bỏ qua",
            "rejected": "đã bị từ chối", "failed": "xử lý không thành công"}




@router.get("/quarantine")
def quarantine(request: Request, who: Annotated[Principal, Depends(viewer)]):
    ctx = ctx_of(request)
    with session_scope(ctx.app.engine) as s:
        c = pick_campaign(s, None)
        rows = q.set_aside(s)
        agencies = list(s.exec(select(Agency).order_by(Agency.code)))
        names = {a.code: a.name for a in agencies}
        directory = load_directory(s) if rows else None
    items = []
    for r in rows:
        stored = q.read_stored(ctx.mail, r, with_files=True)
        guesses = q.guesses_for(stored, directory, names)
        items.append({"m": r, "reason_vi": mail_reason(r.reason), "text": as_text(stored.text, stored.is_html),
                      "was_html": stored.is_html, "readable": stored.readable,
                      "extracted": [f for f in stored.files if f.data],
                      "guesses": [{"agency": g.agency, "name": names.get(g.agency, ""), "confidence": g.confidence,
                                   "clues": [clue_vi(x, g.agency) for x in g.clues]} for g in guesses]})
    return page(request, "quarantine.html", items=items, agencies=agencies, tz=c.timezone if c else "Asia/Ho_Chi_Minh",
                can_act=who.can("officer"))


@router.get("/mail/{inbound_id}/files/{sha256}")
def mail_file(request: Request, inbound_id: int, sha256: str, who: Annotated[Principal, Depends(viewer)]):
    """A file inside a stored message (a quarantined one has no attachment rows yet), by its hash."""
    ctx = ctx_of(request)
    with session_scope(ctx.app.engine) as s:
        row = s.get(InboundMessage, inbound_id)
    found = next((f for f in q.read_stored(ctx.mail, row, with_files=True).files
                  if f.data and f.sha256 == sha256), None) if row else None
    if found is None:
        raise WebError(404, "Không tìm thấy tệp trong thư.")
    return attachment_response(found.data, found.filename)


@router.post("/quarantine/{inbound_id}")
async def act(request: Request, inbound_id: int, who: Annotated[Principal, Depends(officer_post)],
              action: Annotated[str, Form()] = "", agency: Annotated[str, Form()] = ""):
    if action not in ACTIONS:
        raise WebError(400, "Thao tác không hợp lệ.")
    return await run_in_threadpool(_act, request, inbound_id, who, action, agency)


def do_action(request: Request, inbound_id: int, who: Principal, action: str, agency: str) -> str:
    """Run one action as `who`; the Vietnamese sentence saying what happened. WebError 400/404/409."""
    ctx = ctx_of(request)
    try:
        if action == "assign":
            if not agency.strip():
                raise WebError(400, "Vui lòng chọn cơ quan để gán thư.")
            out = q.assign_message(ctx.app, inbound_id, agency, actor=who.username, now=ctx.now())
            code = agency.strip().upper()
            return f"Đã gán thư số {inbound_id} cho {code}: thư {OUTCOMES.get(out.state, out.state)}."
        if action == "reject":
            q.reject_message(ctx.app, inbound_id, actor=who.username, now=ctx.now())
            return f"Đã từ chối thư số {inbound_id}. Thư vẫn được lưu nhưng không được ghi nhận cho cơ quan nào."
        out = q.retry_message(ctx.app, inbound_id, actor=who.username, now=ctx.now())
        return f"Đã xử lý lại thư số {inbound_id}: thư {OUTCOMES.get(out.state, out.state)}."
    except q.MessageNotFound:
        raise WebError(404, f"Không tìm thấy thư số {inbound_id}.") from None
    except q.AgencyNotFound:
        raise WebError(404, "Không tìm thấy cơ quan có mã đã chọn.") from None
    except (q.NotSetAside, IntegrityError):
        raise WebError(409, f"Thư số {inbound_id} đã được xử lý trước đó; không thực hiện lại.") from None


def _act(request: Request, inbound_id: int, who: Principal, action: str, agency: str):
    try:
        text = do_action(request, inbound_id, who, action, agency)
    except WebError as e:
        if e.status == 409:  # a double submit: back to the list, which shows how things stand now
            return redirect_with(request, "/quarantine", "error", e.message)
        raise
    return redirect_with(request, "/quarantine", "ok", text)
