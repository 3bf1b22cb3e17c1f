"""The waiting-room kiosk in headless Chromium: tiles, idle reset, Start over, staff."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
import requests

from tests.browser.conftest import axe_violations, storage_dump
from tests.browser.helpers import TILE, conversation_id, open_kiosk, session_id, tap_tile
from tests.browser.helpers import wait_for_kiosk_answer as wait_for_answer
from tests.servers import Servers

pytestmark = pytest.mark.browser


def assert_nothing_left(page: Any, *secrets: str) -> None:
    """None of `secrets` in the page (text or markup) or in browser storage."""
    text = page.evaluate("() => document.documentElement.textContent")
    markup = page.evaluate("() => document.documentElement.outerHTML")
    storage = storage_dump(page)
    for secret in secrets:
        assert secret not in text
        assert secret not in markup
        assert secret not in storage
    assert page.locator("#k-log > li").count() == 0
    assert page.locator("#k-input").input_value() == ""


def test_tile_gives_an_answer_with_large_targets(page: Any, web: Servers) -> None:
    open_kiosk(page, web)
    tap_tile(page, TILE)
    answer = wait_for_answer(page)
    assert answer.locator(".lw-answer-title").inner_text() == TILE
    assert answer.locator(".lw-sources a").count() > 0
    assert page.locator("#k-log .lw-consult").is_visible()
    # touch targets of at least 44x44 px, everywhere on the kiosk
    small = page.evaluate(
        """() => Array.from(document.querySelectorAll('button, input')).filter(el => {
            const r = el.getBoundingClientRect();
            return r.width > 0 && (r.width < 44 || r.height < 44);
        }).map(el => el.textContent || el.id)"""
    )
    assert small == []
    assert page.evaluate("() => parseFloat(getComputedStyle(document.body).fontSize)") >= 18
    assert axe_violations(page) == []
    # a related-topic button opens the next answer without a keyboard
    page.locator("#k-log > li:last-child .lw-choice").first.click()
    page.locator("#k-log .lw-answer").nth(1).wait_for()


def test_idle_warning_then_reset_leaves_nothing(page: Any, web: Servers) -> None:
    open_kiosk(page, web, "?idle=2&warn=3")
    history_length = page.evaluate("() => history.length")
    tap_tile(page, TILE)
    answer_text = wait_for_answer(page).locator(".lw-text").inner_text()[:80]
    old_id = session_id(page)
    assert page.evaluate("() => history.length") == history_length  # no entry per message

    warning = page.get_by_role("alertdialog", name="Are you still there?")
    warning.wait_for(timeout=10_000)
    still_here = warning.get_by_role("button", name="I'm still here")
    assert still_here.is_visible()
    still_here.click()
    assert not warning.is_visible()
    assert page.locator("#k-log .lw-answer").count() == 1  # kept

    warning.wait_for(timeout=10_000)  # nobody answers this time: the screen resets
    page.wait_for_function("() => !document.querySelector('#k-log > li')", timeout=10_000)
    assert not warning.is_visible()
    page.wait_for_function(
        "old => window.LanternKiosk.sessionId() && window.LanternKiosk.sessionId() !== old",
        arg=old_id,
    )
    assert_nothing_left(page, answer_text, old_id)

    # Back does not bring the old conversation back (and neither does Forward)
    page.go_back()
    assert answer_text not in (page.evaluate("() => document.documentElement.textContent") or "")
    page.go_forward()
    page.wait_for_function("() => window.LanternKiosk && window.LanternKiosk.sessionId()")
    assert_nothing_left(page, answer_text, old_id)
    assert page.errors == []


def test_start_over_resets_at_once(page: Any, web: Servers) -> None:
    open_kiosk(page, web)
    tap_tile(page, "Psilocybin")
    answer_text = wait_for_answer(page).locator(".lw-text").inner_text()[:80]
    page.locator("#k-input").fill("a half-typed question")
    old_id = session_id(page)
    page.get_by_role("button", name="Start over").click()
    assert page.locator("#k-log > li").count() == 0
    page.wait_for_function(
        "old => window.LanternKiosk.sessionId() && window.LanternKiosk.sessionId() !== old",
        arg=old_id,
    )
    assert_nothing_left(page, answer_text, old_id, "a half-typed question")
    # the new conversation works
    tap_tile(page, "Clinical trials")
    wait_for_answer(page)


def test_intake_tile_sends_start_my_intake(page: Any, web: Servers) -> None:
    open_kiosk(page, web)
    tap_tile(page, "Start my intake")
    page.locator("#k-log .lw-user", has_text="Start my intake").wait_for()
    page.locator("#k-log .lw-bot").first.wait_for()  # the intake itself is another issue


def test_talk_to_staff_creates_a_handoff(page: Any, web: Servers, staff_token: str) -> None:
    url = f"{web.url}/lantern/staff/handoffs"
    assert requests.get(url, timeout=10).status_code == 401
    bad = {"Authorization": "Bearer not-the-token"}
    assert requests.get(url, headers=bad, timeout=10).status_code == 401
    auth = {"Authorization": f"Bearer {staff_token}"}

    # the website channel's handoff reply is not a kiosk request
    rest_sender = f"rest-{uuid.uuid4().hex[:8]}"
    web.send(rest_sender, "/handoff")

    open_kiosk(page, web)
    page.get_by_role("button", name="Talk to staff").click()
    reply = page.locator('#k-log .lw-bot[data-answer-id="handoff"]')
    reply.wait_for()
    assert "Someone will come to you" in reply.inner_text()
    kiosk_id = conversation_id(page)  # as the stores keep it (the session id is signed)

    listed = requests.get(url, headers=auth, timeout=10)
    assert listed.status_code == 200
    open_requests = listed.json()["handoffs"]
    ids = [h["conversation_id"] for h in open_requests]
    assert kiosk_id in ids and rest_sender not in ids
    request = next(h for h in open_requests if h["conversation_id"] == kiosk_id)
    # no message text: an id, a time, and the urgent flag with its fixed reason code
    assert set(request) == {"id", "conversation_id", "requested_at", "urgent", "reason"}
    assert (request["urgent"], request["reason"]) == (False, None)

    # the staff page shows it and closes it
    staff = page.context.new_page()
    staff.goto(f"{web.url}/lantern/staff")
    staff.get_by_label("Staff token").fill(staff_token)
    staff.get_by_role("button", name="Show requests").click()
    row = staff.locator("#s-rows tr", has_text=kiosk_id[:12])
    row.wait_for()
    row.get_by_role("button").click()
    row.wait_for(state="detached")
    remaining = requests.get(url, headers=auth, timeout=10).json()["handoffs"]
    assert kiosk_id not in [h["conversation_id"] for h in remaining]
    close = f"{url}/{request['id']}/close"
    assert requests.post(close, timeout=10).status_code == 401
    assert requests.post(close, headers=auth, timeout=10).status_code == 404  # already closed
