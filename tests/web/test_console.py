"""The staff console against a real uvicorn server and a real headless Chromium (Debian's), on a
site built by the project's own functions (tests/web/site.py): sign-in, the overview's figures,
the quarantine's safe view and its one-click assign, roles, CSRF, and the JSON API."""
from __future__ import annotations

import httpx
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select
from sqlmodel import select

from db.models import Event, InboundMessage

from .client import csrf_of, signed_in
from .conftest import PASSWORD, campaign_rows


def _login(browser, console, user: str = "canbo") -> None:
    browser.get(console.url + "/login")
    browser.find_element(By.NAME, "username").send_keys(user)
    browser.find_element(By.NAME, "password").send_keys(PASSWORD)
    browser.find_element(By.CSS_SELECTOR, "form button[type=submit], form input[type=submit]").click()


def test_sign_in_overview_and_quarantine_in_a_browser(browser, console, db, tracker, tmp_path):
    browser.get(console.url + "/")
    assert "/login" in browser.current_url                            # nothing without signing in
    browser.find_element(By.NAME, "username").send_keys("canbo")
    browser.find_element(By.NAME, "password").send_keys("sai-mat-khau")
    browser.find_element(By.CSS_SELECTOR, "form button[type=submit], form input[type=submit]").click()
    assert "không đúng" in browser.page_source.lower() or "sai" in browser.page_source.lower()
    _login(browser, console)
    page = browser.page_source
    rows = campaign_rows(db)
    received = sum(1 for r in rows if r["state"] in ("received", "received_incomplete"))
    assert "5422/BTTTT-CBC" in page and str(received) in page
    browser.save_screenshot(str(tmp_path / "tong-quan.png"))

    browser.get(console.url + "/quarantine")
    assert browser.title != "pwned"                                   # the hostile subject stays text
    assert 'alert("x")' in browser.find_element(By.TAG_NAME, "body").text
    assert tracker.hits == []                                         # no remote content loaded
    with db() as s:
        waiting = s.exec(select(InboundMessage).where(InboundMessage.state == "quarantined")).all()
    item = next(r for r in waiting if "gmail.com" in r.from_addr)      # the thread reply from a stranger
    box = browser.find_element(By.CSS_SELECTOR, f'[data-message-id="{item.id}"]')
    Select(box.find_element(By.NAME, "agency")).select_by_value("BTC")
    box.find_element(By.CSS_SELECTOR, 'button[name="action"][value="assign"]').click()
    browser.save_screenshot(str(tmp_path / "cho-xu-ly.png"))
    with db() as s:
        row = s.get(InboundMessage, item.id)
        assigned = s.exec(select(Event).where(Event.kind == "mail.assigned")).all()
    assert row.state == "processed" and row.classification == "report"
    assert [e.actor for e in assigned] == ["canbo"]
    logs = [e for e in browser.get_log("browser") if e["level"] == "SEVERE" and e["source"] != "network"]
    assert logs == [], logs


def test_roles_csrf_and_the_api(console, tokens, db):
    anon = httpx.get(console.url + "/api/v1/status", timeout=30)
    assert anon.status_code == 401 and "error" in anon.json()
    bearer = {"Authorization": f"Bearer {tokens['xem']}"}
    status = httpx.get(console.url + "/api/v1/status", headers=bearer, timeout=30)
    assert status.status_code == 200
    assert [r["agency"] for r in status.json()] == [r["agency"] for r in campaign_rows(db)]
    quarantine = httpx.get(console.url + "/api/v1/quarantine", headers=bearer, timeout=30).json()
    assert all({"id", "reason_code", "guesses"} <= set(q) for q in quarantine) and quarantine
    some = quarantine[0]["id"]
    refused = httpx.post(console.url + f"/api/v1/quarantine/{some}/reject", headers=bearer, timeout=30)
    assert refused.status_code == 403                                 # a viewer acts on nothing
    officer = {"Authorization": f"Bearer {tokens['canbo']}"}
    missing = httpx.post(console.url + "/api/v1/quarantine/999999/reject", headers=officer, timeout=30)
    assert missing.status_code == 404 and "error" in missing.json()
    client, csrf = signed_in(console.url, "canbo", PASSWORD)
    no_csrf = client.post(f"/quarantine/{some}", data={"action": "reject"})
    assert no_csrf.status_code == 403
    with db() as s:
        assert s.get(InboundMessage, some).state in ("quarantined", "failed")   # nothing changed
    assert csrf_of(client.get("/quarantine").text)
