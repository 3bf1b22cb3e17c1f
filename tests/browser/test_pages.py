"""Serving the pages, screenshots at desktop and phone sizes, reconnecting after a restart."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
import requests

from lantern import staff
from tests.browser.conftest import DESKTOP, PHONE, REPLY_MS, screenshot
from tests.browser.helpers import (
    QUESTION,
    ask,
    open_kiosk,
    open_widget,
    tap_tile,
    wait_for_answer,
    wait_for_kiosk_answer,
)
from tests.servers import Servers, free_port, start

pytestmark = pytest.mark.browser


def test_pages_are_served_with_a_strict_policy(web: Servers) -> None:
    for page in ("widget", "kiosk", "staff"):
        response = requests.get(f"{web.url}/lantern/{page}", timeout=10)
        assert response.status_code == 200
        assert response.headers["Content-Type"].startswith("text/html")
        assert "script-src 'self'" in response.headers["Content-Security-Policy"]
        assert response.headers["X-Content-Type-Options"] == "nosniff"
    script = requests.get(f"{web.url}/lantern/widget/lantern-widget.js", timeout=10)
    assert script.status_code == 200 and "javascript" in script.headers["Content-Type"]
    assert script.headers["Access-Control-Allow-Origin"] == "*"  # embeddable anywhere
    vendor = requests.get(f"{web.url}/lantern/vendor/socket.io.min.js", timeout=10)
    assert vendor.status_code == 200 and len(vendor.content) > 10_000
    for bad in (
        "/lantern/widget/..%2f..%2fcredentials.yml",
        "/lantern/widget/.hidden.js",
        "/lantern/kiosk/missing.js",
        "/lantern/secrets",
        "/lantern/vendor/axe.min.js",
    ):
        assert requests.get(web.url + bad, timeout=10).status_code == 404, bad


@pytest.mark.parametrize("size_name, size", [("desktop", DESKTOP), ("phone", PHONE)])
def test_screenshots(strict_context: Any, web: Servers, size_name: str, size: dict) -> None:
    """Both pages with an answer on screen, under their real CSP; no sideways scrolling."""
    page = strict_context.new_page()
    errors: list = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.set_viewport_size(size)

    open_widget(page, web)
    ask(page, QUESTION)
    wait_for_answer(page, 0)
    assert page.evaluate("() => document.documentElement.scrollWidth") <= size["width"]
    assert screenshot(page, f"widget-{size_name}").stat().st_size > 10_000
    page.locator(".lantern-w .lw-consult").scroll_into_view_if_needed()
    screenshot(page, f"widget-sources-{size_name}")
    ask(page, "I want to hurt myself")
    page.locator(".lantern-w .lw-safety").wait_for()
    assert page.get_by_role("region", name="Urgent help").is_visible()
    screenshot(page, f"widget-help-banner-{size_name}")

    open_kiosk(page, web)
    tap_tile(page, QUESTION.capitalize())
    wait_for_kiosk_answer(page)
    assert page.evaluate("() => document.documentElement.scrollWidth") <= size["width"]
    page.locator("#k-log .lw-user").first.scroll_into_view_if_needed()
    assert screenshot(page, f"kiosk-{size_name}").stat().st_size > 10_000

    page.goto(f"{web.url}/lantern/kiosk?idle=1&warn=30")
    tap_tile(page, "Psilocybin")
    page.get_by_role("alertdialog").wait_for(timeout=REPLY_MS)
    screenshot(page, f"kiosk-idle-warning-{size_name}")
    assert errors == []


def test_widget_reconnects_after_a_server_restart(browser: Any, tmp_path: Path) -> None:
    port, action_port = free_port(), free_port()
    env = {
        "LANTERN_PORT": str(port),
        "LANTERN_ACTION_PORT": str(action_port),
        "ACTION_ENDPOINT_URL": f"http://localhost:{action_port}/webhook",
    }
    context = browser.new_context(viewport=DESKTOP)
    context.set_default_timeout(REPLY_MS)
    page = context.new_page()
    # start() picks its own ports; these overrides win, so fix the port it reports
    first = replace(start(tmp_path, env), port=port)
    try:
        open_widget(page, first)
        ask(page, QUESTION)
        wait_for_answer(page, 0)
        before = page.evaluate("() => window.LanternChat.instance.sessionId()")
    finally:
        first.stop()
    status = page.get_by_role("status")
    status.filter(has_text="Reconnecting").or_(status.filter(has_text="Trying again")).wait_for()

    second = replace(start(tmp_path, env), port=port)
    try:
        page.wait_for_function(
            "() => document.querySelector('.lantern-w .lw-status').hidden", timeout=60_000
        )
        ask(page, "what is psilocybin?")
        wait_for_answer(page, 1)  # the same page, no reload
        assert page.evaluate("() => window.LanternChat.instance.sessionId()") == before
        assert page.locator(".lantern-w .lw-answer").count() == 2
    finally:
        second.stop()
        context.close()


def test_staff_store_and_token(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The handoff store keeps conversation id + time; no token means no access."""
    monkeypatch.setenv("LANTERN_VAR_DIR", str(tmp_path))
    monkeypatch.delenv(staff.TOKEN_VARIABLE, raising=False)
    assert not staff.authorized("Bearer ")
    assert not staff.authorized(None)
    monkeypatch.setenv(staff.TOKEN_VARIABLE, "")
    assert not staff.authorized("Bearer ")
    monkeypatch.setenv(staff.TOKEN_VARIABLE, "t0ken")  # too short: refused (16 at least)
    assert not staff.authorized("Bearer t0ken")
    monkeypatch.setenv(staff.TOKEN_VARIABLE, "t0ken-t0ken-t0ken")
    assert staff.authorized("Bearer t0ken-t0ken-t0ken")
    assert not staff.authorized("Bearer t0ken-t0ken-t0ke")
    assert not staff.authorized("Basic t0ken-t0ken-t0ken")

    staff.record_handoff("conv-1")
    staff.record_handoff("conv-1")  # one open request per conversation
    staff.record_handoff("conv-2")
    items = staff.open_handoffs()
    assert [h["conversation_id"] for h in items] == ["conv-1", "conv-2"]
    assert staff.close_handoff(items[0]["id"])
    assert not staff.close_handoff(items[0]["id"])
    assert [h["conversation_id"] for h in staff.open_handoffs()] == ["conv-2"]
