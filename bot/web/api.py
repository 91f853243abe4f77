"""The JSON API (/api/v1/…, DESIGN §2): the CLI's own JSON builders, so the shapes are the same
by construction; errors are {"error": "..."} with 400/401/403/404/409."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from bot.staff.quarantine import quarantine_items
from bot.staff.status import campaign_status
from bot.web.accounts import Principal
from bot.web.agency_view import events_json, find_agency
from bot.web.auth import WebError, ctx_of, officer_post, viewer
from bot.web.overview import api_campaign, pick_campaign
from bot.web.routes_quarantine import do_action
from db.engine import session_scope

router = APIRouter(prefix="/api/v1")


@router.get("/status")
def status(request: Request, who: Annotated[Principal, Depends(viewer)], campaign: str | None = None):
    ctx = ctx_of(request)
    with session_scope(ctx.app.engine) as s:
        rows = campaign_status(s, api_campaign(s, campaign), ctx.now())
    return JSONResponse(rows)


@router.get("/quarantine")
def quarantine(request: Request, who: Annotated[Principal, Depends(viewer)]):
    ctx = ctx_of(request)
    with session_scope(ctx.app.engine) as s:
        return JSONResponse(quarantine_items(s, ctx.mail))


@router.get("/agencies/{code}/events")
def events(request: Request, code: str, who: Annotated[Principal, Depends(viewer)], campaign: str | None = None):
    ctx = ctx_of(request)
    with session_scope(ctx.app.engine) as s:
        agency = find_agency(s, code)
        c = pick_campaign(s, campaign)
        return JSONResponse(events_json(s, agency, c.timezone if c else "UTC"))


async def _body(request: Request) -> dict:
    if not (await request.body()).strip():
        return {}
    try:
        data = await request.json()
    except ValueError:
        raise WebError(400, "Nội dung yêu cầu không phải JSON hợp lệ.") from None
    if not isinstance(data, dict):
        raise WebError(400, "Nội dung yêu cầu phải là một đối tượng JSON.")
    return data


async def _act(request: Request, inbound_id: int, who: Principal, action: str, agency: str = "") -> JSONResponse:
    text = await run_in_threadpool(do_action, request, inbound_id, who, action, agency)
    return JSONResponse({"id": inbound_id, "action": action, "message": text})


@router.post("/quarantine/{inbound_id}/assign")
async def assign(request: Request, inbound_id: int, who: Annotated[Principal, Depends(officer_post)]):
    agency = (await _body(request)).get("agency")
    if not isinstance(agency, str) or not agency.strip():
        raise WebError(400, 'Thiếu mã cơ quan: {"agency": "BYT"}.')
    return await _act(request, inbound_id, who, "assign", agency)


@router.post("/quarantine/{inbound_id}/reject")
async def reject(request: Request, inbound_id: int, who: Annotated[Principal, Depends(officer_post)]):
    return await _act(request, inbound_id, who, "reject")


@router.post("/quarantine/{inbound_id}/retry")
async def retry(request: Request, inbound_id: int, who: Annotated[Principal, Depends(officer_post)]):
    return await _act(request, inbound_id, who, "retry")
