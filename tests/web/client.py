"""Signing in without a browser (httpx): the login form's CSRF token, the session cookie."""
from __future__ import annotations

import re

import httpx

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_of(html: str) -> str:
    m = CSRF.search(html)
    assert m, "no csrf_token field in the page"
    return m.group(1)


def signed_in(base_url: str, username: str, password: str) -> tuple[httpx.Client, str]:
    """A client holding a session cookie, and the session's CSRF token."""
    client = httpx.Client(base_url=base_url, follow_redirects=False, timeout=30)
    form = client.get("/login")
    r = client.post("/login", data={"username": username, "password": password, "csrf_token": csrf_of(form.text),
                                    "next": "/quarantine"})
    assert r.status_code == 303, r.text
    page = client.get("/quarantine")
    return client, csrf_of(page.text)
