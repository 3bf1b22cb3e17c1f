"""The pre-visit intake on the kiosk, by touch, in headless Chromium.

The whole form tapped through (only the appointment code is typed) and stored; a
crisis message typed in the middle; and the idle reset, which must cancel the
intake on the server and leave nothing on the screen.
"""

from __future__ import annotations

import json
import re
import time
import uuid
from typing import Any, Dict, Iterator, List

import pytest

from tests.browser.conftest import DESKTOP, REPLY_MS, axe_violations, screenshot
from tests.browser.helpers import conversation_id, open_kiosk, session_id, tap_tile
from tests.conftest import answer_ids
from tests.servers import Servers

pytestmark = pytest.mark.browser

PORTRAIT = {"width": 1080, "height": 1920}  # a portrait waiting-room screen
MEDICINES = ["No"] * 6  # lithium, MAOI, SSRI/SNRI, other antidepressant, stimulant, benzo
HISTORY = ["No", "No", "No", "Prefer not to say", "No"]
PHQ9 = ["Several days", "More than half the days", "Not at all", "Nearly every day"]
PHQ9 += ["Not at all"] * 5  # item 9 (thoughts of self-harm): "Not at all", the happy path
GAD7 = ["Several days"] * 7
MEDICINE_IDS = ["med_lithium", "med_maoi", "med_ssri_snri", "med_other_antidepressant"]
MEDICINE_IDS += ["med_stimulant", "med_benzodiazepine"]
HISTORY_IDS = ["hx_psychosis_bipolar", "hx_cardiovascular", "hx_seizures", "hx_pregnancy"]
HISTORY_IDS += ["hx_substance_use"]
QUESTIONS = 31  # the appointment code and 30 questions (content/intake/questions.yml)
TWO_FRAMES = "() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))"
PACKET = re.compile(r"^42\d*(\[.*\])$", re.S)  # a socket.io event


class Frames:
    """Every socket.io event the page sends and receives, per WebSocket."""

    def __init__(self, page: Any) -> None:
        self.sockets: List[Dict[str, List[Any]]] = []
        page.on("websocket", self._opened)

    def _opened(self, ws: Any) -> None:
        record: Dict[str, List[Any]] = {"sent": [], "received": []}
        self.sockets.append(record)
        ws.on("framesent", lambda payload: record["sent"].append(_event(payload)))
        ws.on("framereceived", lambda payload: record["received"].append(_event(payload)))

    def sent_messages(self) -> List[str]:
        """The text of every user message sent, in order."""
        return [
            data["message"]
            for record in self.sockets
            for name, data in filter(None, record["sent"])
            if name == "user_uttered"
        ]


def _event(payload: Any) -> Any:
    match = PACKET.match(payload) if isinstance(payload, str) else None
    if not match:
        return None
    event = json.loads(match.group(1))
    return (event[0], event[1] if len(event) > 1 else None)


@pytest.fixture
def portrait(browser: Any) -> Iterator[Any]:
    """A page on a portrait kiosk screen (1080x1920; fresh profile)."""
    ctx = browser.new_context(viewport=PORTRAIT, bypass_csp=True)
    ctx.set_default_timeout(REPLY_MS)
    pg = ctx.new_page()
    pg.errors = []  # type: ignore[attr-defined]
    pg.on("pageerror", lambda error: pg.errors.append(str(error)))  # type: ignore[attr-defined]
    yield pg
    ctx.close()


@pytest.fixture
def store_env(web: Servers, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Read the running server's intake store from the test process."""
    web.share_store_env(monkeypatch)
    yield


def appointment_code() -> str:
    return "K" + uuid.uuid4().hex[:7].upper()


def question(page: Any, qid: str) -> Any:
    """Wait until the kiosk asks `qid` (consent, summary or a question id); return it."""
    asked = page.locator(f'#k-log > li.k-current[data-question="{qid}"]')
    asked.wait_for(timeout=REPLY_MS)
    return asked


def tap(page: Any, qid: str, title: str) -> None:
    """Tap the button `title` of question `qid` (waits for the question)."""
    question(page, qid).get_by_role("button", name=title, exact=True).click()


def type_answer(page: Any, text: str) -> None:
    page.locator("#k-input").fill(text)
    page.get_by_role("button", name="Send", exact=True).click()


def small_targets(page: Any) -> List[str]:
    """Visible buttons and inputs smaller than 48x48 px."""
    return list(
        page.evaluate(
            """() => Array.from(document.querySelectorAll('button, input')).filter(el => {
                const r = el.getBoundingClientRect();
                return r.width > 0 && (r.width < 48 || r.height < 48);
            }).map(el => el.textContent || el.id)"""
        )
    )


def in_view(page: Any, locator: Any) -> bool:
    """Whether the element is fully inside the window and inside its scrolling panel."""
    return bool(
        locator.evaluate(
            """el => {
                const r = el.getBoundingClientRect();
                const s = document.getElementById('k-scroller').getBoundingClientRect();
                return r.top >= Math.max(0, s.top) - 1
                    && r.bottom <= Math.min(innerHeight, s.bottom) + 1;
            }"""
        )
    )


def check_screen(page: Any, name: str) -> None:
    """Touch targets, font size and axe at both sizes; screenshots at both sizes."""
    for size, label in ((PORTRAIT, "portrait"), (DESKTOP, "desktop")):
        page.set_viewport_size(size)
        page.evaluate(TWO_FRAMES)  # the page has laid itself out again
        assert small_targets(page) == [], (name, label)
        screenshot(page, f"kiosk-intake-{name}-{label}")
    page.set_viewport_size(PORTRAIT)
    assert axe_violations(page) == [], name


def test_whole_intake_by_touch_is_stored(portrait: Any, web: Servers, store_env: None) -> None:
    page = portrait
    frames = Frames(page)
    code = appointment_code()
    open_kiosk(page, web)
    tap_tile(page, "Start my intake")

    consent = question(page, "consent")
    assert consent.get_attribute("data-answer-id") == "intake_consent"
    assert "stop at any time" in consent.inner_text()
    assert not page.locator(".k-topics").is_visible()  # the intake has the whole screen
    assert page.locator("#k-conversation-title").inner_text() == "Your intake"
    check_screen(page, "consent")
    tap(page, "consent", "Yes, I agree")

    # the code is typed: the text box is labelled for it and has the focus
    asked = question(page, "appointment_code")
    assert asked.locator(".k-progress").inner_text() == f"Question 1 of {QUESTIONS}"
    box = page.get_by_role("textbox", name="Type your appointment code")
    assert box.evaluate("el => el === document.activeElement")
    assert box.get_attribute("autocapitalize") == "characters"
    check_screen(page, "code")
    type_answer(page, code)

    tap(page, "reason", "Chronic pain")
    tap(page, "treatments_tried", "Go back")
    again = question(page, "reason")
    assert again.locator(".k-progress").inner_text() == f"Question 2 of {QUESTIONS}"
    assert "(Question" not in again.locator(".lw-text").inner_text()
    tap(page, "reason", "Depression")
    tap(page, "treatments_tried", "Talking therapy")

    question(page, "medicines")
    assert page.get_by_role("textbox", name="Type your medicines, or tap None").is_visible()
    tap(page, "medicines", "None")
    for qid, title in zip(MEDICINE_IDS + HISTORY_IDS, MEDICINES + HISTORY, strict=True):
        tap(page, qid, title)

    for number, title in enumerate(PHQ9, start=1):
        asked = question(page, f"phq9_{number}")
        options = asked.locator(".lw-choices:not(.k-nav) .lw-choice")
        assert options.all_inner_texts() == [
            "Not at all",
            "Several days",
            "More than half the days",
            "Nearly every day",
        ]
        if number == 2:
            check_screen(page, "phq9")
        tap(page, f"phq9_{number}", title)
    assert page.locator('#k-log [data-answer-id="safety_crisis"]').count() == 0
    for number, title in enumerate(GAD7, start=1):
        tap(page, f"gad7_{number}", title)

    summary = question(page, "confirm")
    rows = summary.locator(".k-summary-row")
    assert rows.count() == QUESTIONS
    labels, values = rows.locator("dt").all_inner_texts(), rows.locator("dd").all_inner_texts()
    shown = dict(zip(labels, values, strict=True))
    assert shown["Appointment code"] == code
    assert shown["Reason for visit"] == "Depression"  # the answer after "Go back"
    assert shown["Current medicines"] == "None"
    assert shown["PHQ-9 9"] == "Not at all"
    assert "Chronic pain" not in summary.inner_text()
    # the only buttons left to tap are the summary's: earlier answers can't be changed
    assert page.locator("#k-log > li:not(.k-current) button").count() == 0
    check_screen(page, "summary")
    page.set_viewport_size(DESKTOP)  # on a short screen "Yes, send it" stays in view
    send_it = summary.get_by_role("button", name="Yes, send it")
    summary.locator(".lw-text").first.scroll_into_view_if_needed()
    assert in_view(page, send_it)
    conversation = conversation_id(page)
    send_it.click()

    # a thank-you screen, then the start screen (tests/browser/test_kiosk_privacy.py)
    done = page.get_by_role("dialog", name="Thank you")
    done.wait_for()
    assert "sent securely" in done.inner_text()
    done.get_by_role("button", name="Done").click()
    page.locator(".k-topics").wait_for()  # the tiles are back
    assert page.get_by_role("textbox", name="Or type a question").is_visible()

    # every tap sent its button's payload, exactly
    assert frames.sent_messages() == [
        "start my intake",
        "yes",
        code,
        "Chronic pain",
        "go back",
        "Depression",
        "Talking therapy",
        "None",
        *MEDICINES,
        *HISTORY,
        *PHQ9,
        *GAD7,
        "yes",
    ]

    from lantern.intake import store

    [record] = [r for r in store.list_today() if r.get("appointment_code") == code]
    assert record["conversation_id"] == conversation
    assert conversation_id(page) != conversation  # the kiosk is on a new conversation
    assert record["channel"] == "kiosk"
    assert record["phq9_total"] == 1 + 2 + 0 + 3
    assert record["gad7_total"] == 7
    assert record["item9_positive"] is False and not record["urgent"]
    assert page.errors == []


def test_crisis_during_the_intake_comes_first_and_continue_resumes(page: Any, web: Servers) -> None:
    open_kiosk(page, web)
    tap_tile(page, "Start my intake")
    tap(page, "consent", "Yes, I agree")
    question(page, "appointment_code")
    type_answer(page, appointment_code())
    tap(page, "reason", "Depression")
    asked = question(page, "treatments_tried")
    progress = asked.locator(".k-progress").inner_text()

    type_answer(page, "honestly I just want to die")
    paused = page.locator('#k-log > li[data-answer-id="intake_paused"]')
    paused.wait_for()
    said = page.locator("#k-log > li.lw-user").last
    assert said.inner_text().endswith("honestly I just want to die")
    first_reply = said.locator("xpath=following-sibling::li[1]")
    assert first_reply.get_attribute("data-answer-id") == "safety_crisis"  # help first
    assert "lw-safety" in (first_reply.get_attribute("class") or "")
    assert page.get_by_role("region", name="Urgent help").is_visible()
    assert page.locator("#k-log > li.k-current").count() == 0  # nothing is being asked
    screenshot(page, "kiosk-intake-crisis-desktop")
    assert small_targets(page) == []
    assert axe_violations(page) == []

    paused.get_by_role("button", name="Continue my intake", exact=True).click()
    resumed = question(page, "treatments_tried")  # the same question again
    assert resumed.locator(".k-progress").inner_text() == progress
    tap(page, "treatments_tried", "Stop and delete my answers")
    stopped = page.get_by_role("dialog", name="Your answers were deleted")
    stopped.wait_for()
    assert "nothing was stored" in stopped.inner_text()
    page.locator(".k-topics").wait_for()
    assert page.errors == []


def test_idle_reset_cancels_the_intake_and_clears_the_screen(page: Any, web: Servers) -> None:
    frames = Frames(page)
    code = appointment_code()
    open_kiosk(page, web, "?idle=10&warn=3")
    tap_tile(page, "Start my intake")
    tap(page, "consent", "Yes, I agree")
    question(page, "appointment_code")
    type_answer(page, code)  # question 1
    tap(page, "reason", "Depression")  # question 2
    question(page, "treatments_tried")
    page.locator("#k-input").fill("antidepressants and")  # typed, not sent
    old_id = session_id(page)
    old_conversation = conversation_id(page)

    page.get_by_role("alertdialog", name="Are you still there?").wait_for(timeout=20_000)
    page.wait_for_function(
        "old => window.LanternKiosk.sessionId() && window.LanternKiosk.sessionId() !== old",
        arg=old_id,
        timeout=20_000,
    )
    # back to the start tiles, with nothing of the intake on the screen or in the page
    assert page.get_by_role("button", name="Start my intake").is_visible()
    assert page.locator("#k-log > li").count() == 0
    assert page.locator("#k-input").input_value() == ""
    assert page.get_by_role("textbox", name="Or type a question").is_visible()
    assert "k-intake" not in (page.locator("body").get_attribute("class") or "")
    markup = page.evaluate("() => document.documentElement.outerHTML")
    for secret in (code, "Depression", "antidepressants and", old_id, "Question 2"):
        assert secret not in markup

    # the old conversation was sent "stop" and answered intake_cancelled
    deadline = time.monotonic() + REPLY_MS / 1000
    while time.monotonic() < deadline:
        cancels = [
            record
            for record in frames.sockets
            if any(
                e
                and e[0] == "user_uttered"
                and (e[1]["message"], e[1]["session_id"]) == ("stop", old_id)
                for e in record["sent"]
            )
        ]
        received = [e[1] for r in cancels for e in r["received"] if e and e[0] == "bot_uttered"]
        if any((m.get("custom") or {}).get("answer_id") == "intake_cancelled" for m in received):
            break
        page.wait_for_timeout(200)
    else:
        pytest.fail('the old conversation was not sent "stop" or got no intake_cancelled')
    assert frames.sent_messages().count("stop") == 1  # by the reset, on the old conversation

    # its answers are gone on the server: "continue" starts a new intake from consent
    # (in a running intake it would ask the current question again)
    assert answer_ids(web.send(old_conversation, "continue")) == ["intake_consent"]
    assert page.errors == []
