"""The console's ASGI application: pages, the JSON API, security headers, Vietnamese errors."""
from __future__ import annotations

import logging
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from bot.core.app import App
from bot.core.clock import Clock, SystemClock
from bot.web import api, routes_agencies, routes_pages, routes_quarantine
from bot.web.auth import LoginRequired, WebError, is_api
from bot.web.context import WebContext
from bot.web.render import TEMPLATES, page
from bot.web.secret import load_or_create_secret
from bot.web.throttle import LoginThrottle

log = logging.getLogger("reportbot.web")
# No script at all, no remote anything: styles and images from this server only.
CSP = ("default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; "
       "base-uri 'none'")
STATIC = TEMPLATES.parent / "static"
MESSAGES = {
    400: "Yêu cầu không hợp lệ.",
    401: "Cần đăng nhập.",
    403: "Không có quyền truy cập.",
    404: "Không tìm thấy trang hoặc dữ liệu được yêu cầu.",
    405: "Thao tác không được hỗ trợ tại địa chỉ này.",
    409: "Dữ liệu đã thay đổi; thao tác không thực hiện được.",
    500: "Hệ thống gặp lỗi khi xử lý yêu cầu. Vui lòng thử lại; nếu vẫn lỗi, báo cán bộ kỹ thuật.",
}


def create_app(application: App, *, clock: Clock | None = None) -> FastAPI:
    web = application.config.web
    ctx = WebContext(application, load_or_create_secret(application.config.web_secret_path),
                     clock or SystemClock(), LoginThrottle(web.login_failures, web.login_window_seconds))
    fastapi = FastAPI(title="reportbot", docs_url=None, redoc_url=None, openapi_url=None)
    fastapi.state.ctx = ctx
    fastapi.mount("/static", StaticFiles(directory=STATIC), name="static")
    for module in (routes_pages, routes_agencies, routes_quarantine, api):
        fastapi.include_router(module.router)
    fastapi.middleware("http")(_security_headers)
    fastapi.add_exception_handler(WebError, _web_error)
    fastapi.add_exception_handler(LoginRequired, _login_required)
    fastapi.add_exception_handler(StarletteHTTPException, _http_error)
    fastapi.add_exception_handler(RequestValidationError, _invalid)
    fastapi.add_exception_handler(Exception, _crash)
    return fastapi


async def _security_headers(request: Request, call_next) -> Response:
    response = await call_next(request)
    h = response.headers
    h.setdefault("Content-Security-Policy", CSP)
    h.setdefault("X-Content-Type-Options", "nosniff")
    h.setdefault("X-Frame-Options", "DENY")
    h.setdefault("Referrer-Policy", "no-referrer")
    h.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    if not request.url.path.startswith("/static/"):
        h.setdefault("Cache-Control", "no-store")
    return response


def error_response(request: Request, status: int, message: str) -> Response:
    if is_api(request):
        return JSONResponse({"error": message}, status_code=status)
    return page(request, "error.html", status=status, status_code=status, message=message)


async def _web_error(request: Request, exc: WebError) -> Response:
    return error_response(request, exc.status, exc.message)


async def _login_required(request: Request, exc: LoginRequired) -> Response:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse(f"/login?next={quote(target, safe='')}", status_code=303)


async def _http_error(request: Request, exc: StarletteHTTPException) -> Response:
    detail = exc.detail if isinstance(exc.detail, str) and exc.status_code != 404 else None
    message = MESSAGES.get(exc.status_code, "Đã xảy ra lỗi.") if detail is None or detail.isascii() else detail
    return error_response(request, exc.status_code, message)


async def _invalid(request: Request, exc: RequestValidationError) -> Response:
    return error_response(request, 400, MESSAGES[400])


async def _crash(request: Request, exc: Exception) -> Response:
    log.error("%s %s failed", request.method, request.url.path, exc_info=exc)
    return error_response(request, 500, MESSAGES[500])
