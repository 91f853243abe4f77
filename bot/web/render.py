"""Server-rendered pages: one Jinja2 environment (autoescape everywhere), the flash message."""
from __future__ import annotations

from pathlib import Path

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse
from jinja2 import Environment, FileSystemLoader, StrictUndefined

from bot.web import labels
from bot.web.auth import FLASH_COOKIE, cookie_secure, ctx_of

TEMPLATES = Path(__file__).resolve().parent / "templates"
FLASH_SECONDS = 120

ENV = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=True, trim_blocks=True, lstrip_blocks=True,
                  undefined=StrictUndefined)
ENV.globals.update(L=labels, percent=labels.percent, local_dt=labels.local_dt, event_label=labels.event_label,
                   category_label=labels.category_label)


def page(request: Request, name: str, *, status: int = 200, **context) -> HTMLResponse:
    who = getattr(request.state, "principal", None)
    flash = ctx_of(request).unsign(request.cookies.get(FLASH_COOKIE), FLASH_SECONDS)
    html = ENV.get_template(name).render(request=request, user=who, csrf=who.csrf_token if who else "",
                                         flash=flash if isinstance(flash, dict) else None, **context)
    response = HTMLResponse(html, status_code=status)
    if flash is not None or FLASH_COOKIE in request.cookies:
        response.delete_cookie(FLASH_COOKIE, path="/")
    return response


def redirect_with(request: Request, url: str, kind: str, text: str) -> RedirectResponse:
    """303 to `url` (Post/Redirect/Get: reloading the page repeats nothing), with a message for it."""
    response = RedirectResponse(url, status_code=303)
    response.set_cookie(FLASH_COOKIE, ctx_of(request).sign({"kind": kind, "text": text}), max_age=FLASH_SECONDS,
                        httponly=True, samesite="lax", secure=cookie_secure(request), path="/")
    return response
