"""Who is asking, and may they: the session cookie or a bearer token, the role, the CSRF token.

Pages answer an anonymous visitor with a redirect to /login, the API with 401; a role too low
gets 403, and so does a POST whose CSRF token (session auth) is missing or wrong."""
from __future__ import annotations

import secrets

from fastapi import Request
from starlette.concurrency import run_in_threadpool

from bot.web.accounts import Principal, session_principal, token_principal
from bot.web.context import WebContext
from db.engine import session_scope

SESSION_COOKIE = "rb_session"
LOGIN_COOKIE = "rb_login"
FLASH_COOKIE = "rb_flash"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"


class WebError(Exception):
    """An answer other than the page: status and the Vietnamese message staff read."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status, self.message = status, message


class LoginRequired(Exception):
    pass


MSG_ROLE = "Tài khoản của bạn không có quyền thực hiện thao tác này."
MSG_CSRF = "Biểu mẫu đã hết hiệu lực hoặc không hợp lệ. Vui lòng tải lại trang rồi thực hiện lại."
MSG_TOKEN = "Mã truy cập API không hợp lệ hoặc đã bị thu hồi."


def ctx_of(request: Request) -> WebContext:
    return request.app.state.ctx


def is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def principal(request: Request) -> Principal | None:
    if hasattr(request.state, "principal"):
        return request.state.principal
    ctx = ctx_of(request)
    found = None
    auth = request.headers.get("authorization", "")
    with session_scope(ctx.app.engine) as s:
        if auth[:7].lower() == "bearer ":
            found = token_principal(s, auth[7:], ctx.now())
            if found is None:
                raise WebError(401, MSG_TOKEN)
        else:
            key = ctx.unsign(request.cookies.get(SESSION_COOKIE), ctx.session_seconds)
            if isinstance(key, str):
                found = session_principal(s, key, ctx.now())
    request.state.principal = found
    return found


def require(request: Request, role: str = "viewer") -> Principal:
    who = principal(request)
    if who is None:
        if is_api(request):
            raise WebError(401, "Cần đăng nhập hoặc mã truy cập API (Authorization: Bearer …).")
        raise LoginRequired()
    if not who.can(role):
        raise WebError(403, MSG_ROLE)
    return who


def viewer(request: Request) -> Principal:
    return require(request, "viewer")


def admin(request: Request) -> Principal:
    return require(request, "admin")


def check_csrf(request: Request, who: Principal, submitted: str | None) -> None:
    """Session-authenticated POSTs carry the session's token (form field or X-CSRF-Token header)."""
    if who.csrf_token is None:  # a bearer token: no cookie, no cross-site forgery
        return
    given = submitted or request.headers.get(CSRF_HEADER) or ""
    if not secrets.compare_digest(given.encode(), who.csrf_token.encode()):
        raise WebError(403, MSG_CSRF)


async def officer_post(request: Request) -> Principal:
    """A staff action: an officer (or admin) with a valid CSRF token."""
    who = await run_in_threadpool(require, request, "officer")
    submitted = None
    if request.headers.get("content-type", "").startswith(("application/x-www-form-urlencoded", "multipart/")):
        submitted = (await request.form()).get(CSRF_FIELD)
    check_csrf(request, who, submitted if isinstance(submitted, str) else None)
    return who


def cookie_secure(request: Request) -> bool:
    mode = ctx_of(request).app.config.web.secure_cookies
    if mode != "auto":
        return mode == "always"
    return request.url.scheme == "https" or ctx_of(request).app.config.web.base_url.startswith("https:")
