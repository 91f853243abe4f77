"""Login, logout, the overview and its chart, exports, health."""
from __future__ import annotations

import secrets
from typing import Annotated
from urllib.parse import unquote

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import PlainTextResponse, RedirectResponse, Response
from sqlmodel import select

from bot.staff.export import export_names, write_export
from bot.web.accounts import Principal, end_session, start_session, verify_password
from bot.web.auth import (
    LOGIN_COOKIE,
    SESSION_COOKIE,
    WebError,
    check_csrf,
    cookie_secure,
    ctx_of,
    officer_post,
    principal,
    viewer,
)
from bot.web.downloads import attachment_response
from bot.web.overview import chart_png, overview, pick_campaign
from bot.web.render import page, redirect_with
from db.engine import session_scope
from db.events import log_event
from db.models import Campaign

router = APIRouter()
LOGIN_SECONDS = 3600
WRONG = "Tên đăng nhập hoặc mật khẩu không đúng."


@router.get("/healthz", include_in_schema=False)
def healthz() -> PlainTextResponse:
    return PlainTextResponse("ok")


@router.get("/favicon.ico", include_in_schema=False)
def favicon() -> Response:
    return Response(status_code=204)


def _safe_next(value: str | None) -> str:
    target = unquote(value or "/")
    return target if target.startswith("/") and not target.startswith(("//", "/\\")) else "/"


def _login_page(request: Request, *, next_url: str, error: str = "", status: int = 200, username: str = ""):
    ctx = ctx_of(request)
    nonce = ctx.unsign(request.cookies.get(LOGIN_COOKIE), LOGIN_SECONDS)
    token = nonce if isinstance(nonce, str) else secrets.token_urlsafe(24)
    response = page(request, "login.html", status=status, login_csrf=token, next_url=next_url, error=error,
                    username=username)
    response.set_cookie(LOGIN_COOKIE, ctx.sign(token), max_age=LOGIN_SECONDS, httponly=True, samesite="lax",
                        secure=cookie_secure(request), path="/")
    return response


@router.get("/login")
def login_form(request: Request, next: str | None = None):
    if principal(request) is not None:
        return RedirectResponse(_safe_next(next), status_code=303)
    return _login_page(request, next_url=_safe_next(next))


@router.post("/login")
def login(request: Request, username: Annotated[str, Form()] = "", password: Annotated[str, Form()] = "",
          csrf_token: Annotated[str, Form()] = "", next: Annotated[str, Form()] = "/"):
    ctx = ctx_of(request)
    nonce = ctx.unsign(request.cookies.get(LOGIN_COOKIE), LOGIN_SECONDS)
    if not isinstance(nonce, str) or not csrf_token or csrf_token != nonce:
        raise WebError(403, "Biểu mẫu đăng nhập đã hết hiệu lực. Vui lòng tải lại trang đăng nhập rồi thử lại.")
    address = request.client.host if request.client else "?"
    wait = ctx.throttle.wait_seconds(username, address, ctx.monotonic())
    if wait > 0:
        return _login_page(request, next_url=_safe_next(next), status=429, username=username,
                           error=f"Đăng nhập sai quá nhiều lần. Vui lòng thử lại sau {int(wait) + 1} giây.")
    with session_scope(ctx.app.engine) as s:
        user = verify_password(s, username, password)
        key = start_session(s, user, hours=ctx.app.config.web.session_hours, now=ctx.now()) if user else None
    if key is None:
        ctx.throttle.failed(username, address, ctx.monotonic())
        return _login_page(request, next_url=_safe_next(next), status=401, error=WRONG, username=username)
    ctx.throttle.succeeded(username, address)
    response = RedirectResponse(_safe_next(next), status_code=303)
    response.set_cookie(SESSION_COOKIE, ctx.sign(key), max_age=ctx.session_seconds, httponly=True, samesite="lax",
                        secure=cookie_secure(request), path="/")
    response.delete_cookie(LOGIN_COOKIE, path="/")
    return response


@router.post("/logout")
def logout(request: Request, csrf_token: Annotated[str, Form()] = ""):
    who = principal(request)
    if who is not None:
        check_csrf(request, who, csrf_token)
        ctx = ctx_of(request)
        key = ctx.unsign(request.cookies.get(SESSION_COOKIE), ctx.session_seconds)
        with session_scope(ctx.app.engine) as s:
            end_session(s, key, now=ctx.now())
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get("/")
def home(request: Request, who: Annotated[Principal, Depends(viewer)], campaign: str | None = None):
    ctx = ctx_of(request)
    with session_scope(ctx.app.engine) as s:
        c = pick_campaign(s, campaign)
        if c is None:
            return page(request, "empty.html")
        data = overview(s, c, ctx.now())
        campaigns = s.exec(select(Campaign.code)).all()
    return page(request, "overview.html", campaigns=campaigns, **data)


@router.get("/chart.png")
def chart(request: Request, who: Annotated[Principal, Depends(viewer)], campaign: str | None = None):
    ctx = ctx_of(request)
    with session_scope(ctx.app.engine) as s:
        c = pick_campaign(s, campaign)
        if c is None:
            raise WebError(404, "Chưa có đợt báo cáo nào.")
        png = chart_png(s, c, ctx.now())
    return Response(png, media_type="image/png", headers={"Cache-Control": "private, max-age=60"})


# ---------------------------------------------------------------- exports
def _export_dir(request: Request, campaign: Campaign):
    """The console's own export folder (`reportbot export --out DIR` writes wherever asked)."""
    return ctx_of(request).app.config.storage_dir / "exports"


@router.get("/exports")
def exports(request: Request, who: Annotated[Principal, Depends(viewer)], campaign: str | None = None):
    ctx = ctx_of(request)
    with session_scope(ctx.app.engine) as s:
        c = pick_campaign(s, campaign)
    if c is None:
        return page(request, "empty.html")
    folder = _export_dir(request, c)
    files = []
    for i, name in enumerate(export_names(c.code)):
        p = folder / name
        if p.exists():
            files.append({"index": i, "name": name, "size": p.stat().st_size, "mtime": p.stat().st_mtime})
    return page(request, "exports.html", campaign=c, tz=c.timezone, files=files)


@router.post("/exports")
async def make_exports(request: Request, who: Annotated[Principal, Depends(officer_post)],
                       campaign: Annotated[str, Form()] = ""):
    from starlette.concurrency import run_in_threadpool  # noqa: PLC0415 - only this route needs it
    return await run_in_threadpool(_write_exports, request, who, campaign or None)


def _write_exports(request: Request, who: Principal, code: str | None):
    ctx = ctx_of(request)
    with session_scope(ctx.app.engine) as s:
        c = pick_campaign(s, code)
        if c is None:
            raise WebError(404, "Chưa có đợt báo cáo nào.")
        write_export(s, c, ctx.now(), _export_dir(request, c))
        log_event(s, "export.written", campaign_id=c.id, actor=who.username, at=ctx.now())
    return redirect_with(request, "/exports", "ok", "Đã xuất báo cáo tổng hợp (DOCX, XLSX).")


@router.get("/exports/{index}")
def export_file(request: Request, index: int, who: Annotated[Principal, Depends(viewer)],
                campaign: str | None = None):
    ctx = ctx_of(request)
    with session_scope(ctx.app.engine) as s:
        c = pick_campaign(s, campaign)
    names = export_names(c.code) if c else ()
    if not 0 <= index < len(names) or not (_export_dir(request, c) / names[index]).exists():
        raise WebError(404, "Chưa có tệp xuất báo cáo này. Cán bộ xử lý có thể bấm “Xuất báo cáo tổng hợp”.")
    return attachment_response((_export_dir(request, c) / names[index]).read_bytes(), names[index])
