"""The kiosk forgets at once, and the text boxes say when a message nears its limit (issue 17).

After "Yes, send it" every answer (PHQ-9 item 9 included) stayed on the shared
screen until the idle reset, up to two minutes; "Start over" deleted an intake in
progress with one tap, next to "Talk to staff"; the widget and the kiosk cut a
message at 2,000 characters without a word.
"""

from __future__ import annotations

import time
from typing import Any

import pytest

from tests.browser.conftest import REPLY_MS, axe_violations, screenshot
from tests.browser.helpers import TILE, conversation_id, open_kiosk, open_widget, tap_tile
from tests.browser.test_kiosk_intake import (
    GAD7,
    HISTORY,
    HISTORY_IDS,
    MEDICINE_IDS,
    MEDICINES,
    PHQ9,
    appointment_code,
    question,
    tap,
    type_answer,
)
from tests.conftest import answer_ids
from tests.servers import Servers

pytestmark = pytest.mark.browser

#: The intake's answers as the summary shows them: none may stay on the screen.
SHOWN_ANSWERS = ("Depression", "Talking therapy", "More than half the days", "Nearly every day")


def markup(page: Any) -> str:
    return str(page.evaluate("() => document.documentElement.outerHTML"))


def fill_intake(page: Any, code: str) -> Any:
    """Tap through the whole intake; return the summary (not sent yet)."""
    tap_tile(page, "Start my intake")
    tap(page, "consent", "Yes, I agree")
    question(page, "appointment_code")
    type_answer(page, code)
    tap(page, "reason", "Depression")
    tap(page, "treatments_tried", "Talking therapy")
    tap(page, "medicines", "None")
    for qid, title in zip(MEDICINE_IDS + HISTORY_IDS, MEDICINES + HISTORY, strict=True):
        tap(page, qid, title)
    for number, title in enumerate(PHQ9, start=1):
        tap(page, f"phq9_{number}", title)
    for number, title in enumerate(GAD7, start=1):
        tap(page, f"gad7_{number}", title)
    return question(page, "confirm")


def test_after_yes_send_it_the_answers_leave_the_screen_at_once(page: Any, web: Servers) -> None:
    code = appointment_code()
    open_kiosk(page, web)
    summary = fill_intake(page, code)
    for answer in (code, *SHOWN_ANSWERS):
        assert answer in summary.inner_text()
    before = conversation_id(page)

    summary.get_by_role("button", name="Yes, send it").click()
    sent_at = time.monotonic()
    thanks = page.get_by_role("dialog", name="Thank you")
    thanks.wait_for(timeout=10_000)
    assert "sent securely" in thanks.inner_text()
    for answer in (code, *SHOWN_ANSWERS):
        assert answer not in thanks.inner_text()
    screenshot(page, "kiosk-intake-thank-you")
    assert axe_violations(page) == []

    # behind it, within two seconds, the answers are gone from the page itself and the
    # kiosk is on a new conversation
    page.wait_for_function("() => !document.querySelector('#k-log > li')", timeout=2_000)
    page.wait_for_function(
        "old => (window.LanternKiosk.sessionId() || old).split('.')[0] !== old",
        arg=before,
        timeout=5_000,
    )
    page_now = markup(page)
    for answer in (code, *SHOWN_ANSWERS, before):
        assert answer not in page_now, answer

    # then the start screen, within 10 seconds of "Yes, send it", with nobody touching it
    page.locator(".k-topics").wait_for(timeout=10_000)
    thanks.wait_for(state="hidden", timeout=10_000)
    assert time.monotonic() - sent_at < 10
    assert page.get_by_role("button", name="Start my intake").is_visible()
    assert page.locator("#k-empty").is_visible()
    assert page.get_by_role("textbox", name="Or type a question").is_visible()

    # the stored intake belongs to the old conversation; the new one knows nothing of it
    assert answer_ids(web.send(before, "continue")) == ["intake_consent"]
    assert page.errors == []


def test_start_over_during_an_intake_asks_first(page: Any, web: Servers) -> None:
    open_kiosk(page, web)
    tap_tile(page, "Start my intake")
    tap(page, "consent", "Yes, I agree")
    question(page, "appointment_code")
    type_answer(page, appointment_code())
    question(page, "reason")
    first = conversation_id(page)

    page.get_by_role("button", name="Start over").click()
    ask = page.get_by_role("alertdialog", name="Start over?")
    ask.wait_for()
    keep = ask.get_by_role("button", name="No, keep going")
    assert keep.evaluate("el => el === document.activeElement")  # the safe choice is first
    assert "deletes the answers" in ask.inner_text()
    screenshot(page, "kiosk-intake-start-over")
    assert axe_violations(page) == []
    keep.click()
    assert not ask.is_visible()
    assert conversation_id(page) == first
    tap(page, "reason", "Depression")  # the intake goes on
    question(page, "treatments_tried")

    page.get_by_role("button", name="Start over").click()
    page.keyboard.press("Escape")  # Escape keeps going too
    assert not ask.is_visible() and conversation_id(page) == first

    page.get_by_role("button", name="Start over").click()
    ask.get_by_role("button", name="Yes, delete my answers").click()
    page.wait_for_function("() => !document.querySelector('#k-log > li')", timeout=5_000)
    page.wait_for_function(
        "old => (window.LanternKiosk.sessionId() || old).split('.')[0] !== old", arg=first
    )
    assert page.get_by_role("button", name="Start my intake").is_visible()
    # the old intake was stopped on the server (over a socket of its own, so it may
    # take a moment): "continue" starts again from consent instead of resuming it
    deadline = time.monotonic() + REPLY_MS / 1000
    while answer_ids(web.send(first, "continue")) != ["intake_consent"]:
        assert time.monotonic() < deadline, "the old intake was not stopped"
        time.sleep(0.5)

    # outside an intake "Start over" clears at once, without asking
    tap_tile(page, TILE)
    page.locator("#k-log .lw-answer").first.wait_for(timeout=REPLY_MS)
    page.get_by_role("button", name="Start over").click()
    assert not ask.is_visible()
    assert page.locator("#k-log > li").count() == 0
    assert page.errors == []


def check_counter(page: Any, box: Any, count: Any) -> None:
    """The count appears near 2,000 characters and says plainly when the limit is reached."""
    box.fill("a" * 1799)
    assert not count.is_visible()
    box.press("End")
    box.press("b")  # 1,800
    count.wait_for()
    assert count.inner_text() == "200 characters left (the limit is 2,000)."
    assert count.get_attribute("aria-live") == "polite"
    assert box.get_attribute("aria-describedby") == count.get_attribute("id")
    box.fill("a" * 1999)
    box.press("End")
    box.press("b")
    assert "reached the limit of 2,000 characters" in count.inner_text()
    box.press("c")  # the box takes no more
    assert len(box.input_value()) == 2000
    # pasted text is cut at the limit, and the count says so
    box.fill("")
    assert not count.is_visible()
    box.focus()
    page.keyboard.insert_text("x" * 2500)
    assert len(box.input_value()) == 2000
    assert "anything longer was cut off" in count.inner_text()
    assert axe_violations(page) == []
    box.press("Enter")  # sent: the box is empty and the count gone
    count.wait_for(state="hidden")
    assert box.input_value() == ""


def test_the_widget_says_when_a_message_nears_the_limit(page: Any, web: Servers) -> None:
    open_widget(page, web)
    box = page.get_by_role("textbox", name="Type your question")
    check_counter(page, box, page.locator(".lantern-w .lw-count"))
    assert page.errors == []


def test_the_kiosk_says_when_a_message_nears_the_limit(page: Any, web: Servers) -> None:
    open_kiosk(page, web)
    box = page.get_by_role("textbox", name="Or type a question")
    check_counter(page, box, page.locator("#k-count"))
    assert page.errors == []
