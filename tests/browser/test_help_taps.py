"""Help one tap away, in headless Chromium: call/text buttons, kiosk wording, live staff alerts.

- A crisis reply in the widget and the kiosk shows the region's numbers as `tel:`/`sms:`
  links styled as buttons; "Get help now" answers with those buttons, not the
  crisis paragraph again.
- With the staff side off, the kiosk's "Talk to staff" says to tell the front desk
  (and stores nothing nobody could see).
- With it on, a new urgent alert reaches the open staff page within 5 s without a
  reload, with a sound (Web Audio) and a browser notification; the test replaces
  window.Notification and AudioContext with recorders.
"""

from __future__ import annotations

import time
import uuid
from pathlib import Path
from typing import Any, Iterator, List, Tuple

import pytest

from lantern import staff
from tests.browser.conftest import REPLY_MS
from tests.browser.helpers import ask, conversation_id, open_kiosk, open_widget
from tests.servers import Servers, start

pytestmark = pytest.mark.browser

US_CRISIS_TAPS = [("Call 988", "tel:988"), ("Text 988", "sms:988"), ("Call 911", "tel:911")]
CRISIS = "I want to kill myself"


def taps(reply: Any) -> List[Tuple[str, str]]:
    """(label, href) of each call/text link in a reply."""
    return [(a.inner_text(), str(a.get_attribute("href"))) for a in reply.locator("a.lw-tap").all()]


def assert_look_like_buttons(reply: Any) -> None:
    for link in reply.locator("a.lw-tap").all():
        box = link.bounding_box()
        assert box and box["width"] >= 44 and box["height"] >= 44
        style = link.evaluate("a => getComputedStyle(a).textDecorationLine")
        assert style == "none"


def test_widget_crisis_reply_has_call_and_text_buttons(page: Any, web: Servers) -> None:
    open_widget(page, web)
    ask(page, CRISIS)
    crisis = page.locator('.lantern-w .lw-bot[data-answer-id="safety_crisis"]')
    crisis.wait_for()
    assert taps(crisis) == US_CRISIS_TAPS
    assert crisis.get_by_role("link", name="Call 988").get_attribute("href") == "tel:988"
    assert_look_like_buttons(crisis)

    banner = page.get_by_role("region", name="Urgent help")
    banner.get_by_role("button", name="Get help now").click()
    get_help = page.locator('.lantern-w .lw-bot[data-answer-id="get_help"]')
    get_help.wait_for()
    assert taps(get_help) == US_CRISIS_TAPS
    crisis_text = crisis.locator(".lw-text").inner_text()
    help_text = get_help.locator(".lw-text").inner_text()
    assert len(help_text) < len(crisis_text) * 0.6  # the buttons, not the paragraph again
    assert "988" in help_text and "911" in help_text
    # unlike reply buttons, the call/text buttons stay on earlier messages
    assert taps(crisis) == US_CRISIS_TAPS
    assert page.errors == []


def test_widget_draws_only_phone_links(page: Any, web: Servers) -> None:
    open_widget(page, web)
    hrefs = page.evaluate(
        """() => {
            const li = window.LanternChat.renderMessage({from: 'bot', text: 'help', buttons: [],
                custom: {answer_id: 'safety_crisis', help_actions: [
                    {label: 'Call 988', href: 'tel:988', line: 'crisis'},
                    {label: 'x', href: 'javascript:alert(1)'},
                    {label: 'y', href: 'https://example.org/'},
                    {label: 'z', href: 'sms:988?&body=<b>'},
                    {label: '<img src=x onerror=alert(2)>', href: 'tel:911', line: 'emergency'},
                ]}}, true, () => {});
            document.body.appendChild(li);
            return Array.from(li.querySelectorAll('a')).map(a => [a.textContent, a.href]);
        }"""
    )
    assert hrefs == [["Call 988", "tel:988"], ["<img src=x onerror=alert(2)>", "tel:911"]]
    page.wait_for_timeout(300)
    assert page.dialogs == []


def test_kiosk_crisis_reply_has_call_and_text_buttons(page: Any, web: Servers) -> None:
    open_kiosk(page, web)
    page.locator("#k-input").fill(CRISIS)
    page.locator("#k-input").press("Enter")
    crisis = page.locator('#k-log .lw-bot[data-answer-id="safety_crisis"]')
    crisis.wait_for()
    assert taps(crisis) == US_CRISIS_TAPS
    assert_look_like_buttons(crisis)
    page.locator("#k-get-help").click()
    get_help = page.locator('#k-log .lw-bot[data-answer-id="get_help"]')
    get_help.wait_for()
    assert taps(get_help) == US_CRISIS_TAPS


@pytest.fixture(scope="module")
def web_staff_off(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Servers]:
    """Lantern with no staff token: nobody can see a kiosk request."""
    running = start(tmp_path_factory.mktemp("lantern-staff-off"), {"LANTERN_STAFF_TOKEN": ""})
    yield running
    running.stop()


def test_kiosk_with_the_staff_side_off_says_tell_the_front_desk(
    page: Any, web_staff_off: Servers
) -> None:
    open_kiosk(page, web_staff_off)
    page.get_by_role("button", name="Talk to staff").click()
    reply = page.locator('#k-log .lw-bot[data-answer-id="handoff"]')
    reply.wait_for()
    text = reply.inner_text()
    assert "tell the front desk" in text
    assert "let the clinic staff know" not in text and "will come to you" not in text
    kiosk_id = conversation_id(page)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("LANTERN_VAR_DIR", str(web_staff_off.var_dir))
        # no request is stored that no one could see
        assert not Path(web_staff_off.var_dir / "handoffs.sqlite").exists() or all(
            h["conversation_id"] != kiosk_id for h in staff.open_handoffs()
        )


#: Recorders in place of the browser's notification and audio APIs.
STUBS = """
window.__alerts = {notifications: [], tones: 0, permission: 0, contexts: 0};
class FakeNotification {
  constructor(title, options) {
    window.__alerts.notifications.push({title: title, body: options && options.body,
      urgent: !!(options && options.requireInteraction)});
  }
  close() {}
}
FakeNotification.permission = 'default';
FakeNotification.requestPermission = () => {
  window.__alerts.permission += 1;
  FakeNotification.permission = 'granted';
  return Promise.resolve('granted');
};
window.Notification = FakeNotification;
class FakeAudioContext {
  constructor() { window.__alerts.contexts += 1; this.currentTime = 0; this.state = 'running';
    this.destination = {}; }
  createOscillator() { return {type: '', frequency: {value: 0}, connect() {},
    start() { window.__alerts.tones += 1; }, stop() {}}; }
  createGain() { return {gain: {setValueAtTime() {}, exponentialRampToValueAtTime() {}},
    connect() {}}; }
  resume() { return Promise.resolve(); }
}
window.AudioContext = FakeAudioContext;
"""


def test_staff_page_hears_a_new_urgent_alert_at_once(
    context: Any, web: Servers, staff_token: str
) -> None:
    page = context.new_page()
    errors: List[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.add_init_script(STUBS)
    page.goto(f"{web.url}/lantern/staff")
    page.get_by_label("Staff token").fill(staff_token)
    page.get_by_role("button", name="Show requests").click()
    page.locator("#s-status").filter(has_text="request").wait_for(timeout=REPLY_MS)
    before = page.evaluate("() => window.__alerts")
    assert before["permission"] == 1 and before["contexts"] == 1  # set up by the click
    assert before["notifications"] == [] and before["tones"] == 0  # the first list: quiet
    loads = page.evaluate("() => performance.getEntriesByType('navigation').length")

    urgent_id = f"kiosk-live-{uuid.uuid4().hex[:8]}"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("LANTERN_VAR_DIR", str(web.var_dir))
        assert staff.record_alert(urgent_id, "crisis_in_intake")
    raised = time.monotonic()
    row = page.locator("#s-rows tr", has_text=urgent_id[:12])
    row.wait_for(timeout=5_000)
    assert time.monotonic() - raised < 5
    assert "Urgent: crisis words during the intake" in row.inner_text()
    page.wait_for_function("() => window.__alerts.tones >= 3", timeout=2_000)
    alerts = page.evaluate("() => window.__alerts")
    assert alerts["tones"] == 3  # three beeps for an urgent alert
    assert alerts["notifications"] == [
        {
            "title": "Urgent: crisis words during the intake",
            "body": "Please go to the kiosk now.",
            "urgent": True,
        }
    ]
    assert urgent_id not in str(alerts)  # a fixed text, nothing from the conversation
    assert "urgent" in page.title()
    assert page.evaluate("() => performance.getEntriesByType('navigation').length") == loads

    # a routine "Talk to staff" request: one beep and a notification of its own
    routine_id = f"kiosk-live-{uuid.uuid4().hex[:8]}"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("LANTERN_VAR_DIR", str(web.var_dir))
        assert staff.record_handoff(routine_id)
    page.locator("#s-rows tr", has_text=routine_id[:12]).wait_for(timeout=5_000)
    page.wait_for_function("() => window.__alerts.notifications.length === 2", timeout=2_000)
    alerts = page.evaluate("() => window.__alerts")
    assert alerts["tones"] == 4
    assert alerts["notifications"][1]["title"] == "A patient at the kiosk asked to talk to staff"
    assert alerts["notifications"][1]["urgent"] is False

    # closing them is no new alert
    for conversation in (urgent_id, routine_id):
        row = page.locator("#s-rows tr", has_text=conversation[:12])
        row.get_by_role("button").click()
        row.wait_for(state="detached")
    assert page.evaluate("() => window.__alerts.tones") == 4
    assert errors == []
