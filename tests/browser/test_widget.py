"""The website widget in headless Chromium: answers, history, safety, keyboard, axe."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import PHONE, axe_violations, clinic_site
from tests.browser.helpers import QUESTION, ask, open_widget, rest_answer, wait_for_answer
from tests.servers import Servers

pytestmark = pytest.mark.browser

HOSTILE = '<img src=x onerror=alert(1)> <script>alert("x")</script> is ketamine legal?'


def test_answer_sources_consult_related_and_reload(page: Any, web: Servers) -> None:
    expected = rest_answer(web, QUESTION)
    open_widget(page, web)
    ask(page, QUESTION)
    answer = wait_for_answer(page, 0)

    assert answer.get_attribute("data-answer-id") == expected["answer_id"]
    assert answer.locator(".lw-answer-title").inner_text() == expected["title"]
    assert len(answer.locator(".lw-text").inner_text()) > 100
    links = answer.locator(".lw-sources a")
    assert links.count() == len(expected["sources"]) > 0
    for i, source in enumerate(expected["sources"]):
        assert links.nth(i).get_attribute("href").rstrip("/") == source["url"].rstrip("/")
        assert links.nth(i).get_attribute("rel") == "noopener noreferrer"
    reviewed = answer.locator(".lw-reviewed time")
    assert reviewed.get_attribute("datetime") == expected["reviewed"]["date"]
    consult = page.locator(".lantern-w .lw-consult")
    assert consult.count() == 1 and consult.is_visible()
    assert expected["consult"] in consult.inner_text()
    # visually distinct from an ordinary answer
    styles = page.evaluate(
        """() => ['.lw-consult', '.lw-answer'].map(s => {
            const st = getComputedStyle(document.querySelector('.lantern-w ' + s));
            return [st.backgroundColor, st.borderLeftWidth];
        })"""
    )
    assert styles[0] != styles[1]

    # related topics: a button per related answer; clicking one opens that answer
    related = page.locator(".lantern-w .lw-log > li:last-child .lw-choice")
    assert related.count() == len(expected["related"]) > 0
    title = related.first.inner_text()
    related.first.click()
    second = wait_for_answer(page, 1)
    assert second.locator(".lw-answer-title").inner_text() == title
    assert page.locator(".lantern-w .lw-user").last.inner_text().endswith(title)
    session_id = page.evaluate("() => window.LanternChat.instance.sessionId()")

    # a reload keeps the conversation (and the same conversation id)
    count = page.locator(".lantern-w .lw-msg").count()
    page.reload()
    page.locator(".lantern-w .lw-answer").nth(1).wait_for()
    assert page.locator(".lantern-w .lw-msg").count() == count
    assert page.locator(".lantern-w .lw-consult").count() == 2
    assert page.locator(".lantern-w .lw-user").first.inner_text().endswith(QUESTION)
    page.wait_for_function("() => window.LanternChat.instance.sessionId()")
    assert page.evaluate("() => window.LanternChat.instance.sessionId()") == session_id
    # ... and the conversation goes on after the reload
    ask(page, "what is psilocybin?")
    wait_for_answer(page, 2)
    assert page.evaluate("() => window.LanternChat.instance.sessionId()") == session_id
    assert page.errors == []


def test_message_text_is_never_html(page: Any, web: Servers) -> None:
    open_widget(page, web)
    ask(page, HOSTILE)
    user = page.locator(".lantern-w .lw-user").last
    user.wait_for()
    page.locator(".lantern-w .lw-bot").nth(1).wait_for()  # the bot answered
    assert HOSTILE in user.inner_text()  # shown as text, tags and all
    assert page.locator(".lantern-w .lw-log img, .lantern-w .lw-log script").count() == 0

    # bot content too: a hostile payload is drawn as text, a javascript: link is not a link
    page.evaluate(
        """() => {
            const li = window.LanternChat.renderMessage({
                from: 'bot', kind: 'answer',
                text: '<img src=x onerror=alert(2)>',
                custom: {answer_id: 'x', title: '<script>alert(3)</script>',
                         sources: [{title: '<b onclick=alert(4)>t</b>',
                                    url: 'javascript:alert(5)'}],
                         reviewed: {by: '<i>r</i>', date: '2025-01-02'}},
                buttons: [{title: '<img src=y onerror=alert(6)>', payload: '/greet'}],
            }, true, () => {});
            li.id = 'hostile';
            document.querySelector('.lantern-w .lw-log').appendChild(li);
        }"""
    )
    hostile = page.locator("#hostile")
    assert "<img src=x onerror=alert(2)>" in hostile.inner_text()
    assert "<script>alert(3)</script>" in hostile.inner_text()
    assert hostile.locator("img, script, b, i, a").count() == 0
    page.wait_for_timeout(500)
    assert page.dialogs == []
    assert page.errors == []


def test_crisis_reply_shows_a_persistent_help_banner(page: Any, web: Servers) -> None:
    open_widget(page, web)
    banner = page.get_by_role("region", name="Urgent help")
    assert not banner.is_visible()
    ask(page, "I want to kill myself")
    page.locator('.lantern-w .lw-safety[data-answer-id="safety_crisis"]').wait_for()
    assert banner.is_visible()
    assert banner.get_by_role("button", name="Get help now").is_visible()

    ask(page, QUESTION)
    wait_for_answer(page, 0)
    assert banner.is_visible()  # still there after an ordinary answer
    last = page.locator(".lantern-w .lw-log > li:last-child")
    assert last.get_by_role("button", name="Get help now").count() == 1

    page.reload()
    page.locator(".lantern-w .lw-answer").first.wait_for()
    assert banner.is_visible()  # and after a reload
    banner.get_by_role("button", name="Get help now").click()
    page.locator(".lantern-w .lw-safety").nth(1).wait_for()


def test_keyboard_only(page: Any, web: Servers) -> None:
    open_widget(page, web)
    page.locator("body").focus()
    for _ in range(20):  # Tab through the header, the conversation, the topic buttons
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement.classList.contains('lw-input')"):
            break
    else:
        pytest.fail("the text box cannot be reached with Tab")
    page.keyboard.type(QUESTION)
    page.keyboard.press("Enter")
    wait_for_answer(page, 0)

    # back from the text box to the last related-topic button, then open it with Enter
    page.keyboard.press("Shift+Tab")
    focused = page.evaluate(
        """() => {
            const el = document.activeElement, st = getComputedStyle(el);
            return {cls: el.className, text: el.textContent, outline: st.outlineStyle,
                    width: parseFloat(st.outlineWidth)};
        }"""
    )
    assert "lw-choice" in focused["cls"], focused
    assert focused["outline"] != "none" and focused["width"] >= 2  # visible focus
    page.keyboard.press("Enter")
    second = wait_for_answer(page, 1)
    assert second.locator(".lw-answer-title").inner_text() == focused["text"]
    # focus went back to the text box, ready for the next question
    assert page.evaluate("() => document.activeElement.classList.contains('lw-input')")

    # "New chat" by keyboard clears the conversation
    page.get_by_role("button", name="Start a new chat").focus()
    page.keyboard.press("Enter")
    page.wait_for_function("() => !document.querySelector('.lantern-w .lw-answer')")
    page.locator('.lantern-w .lw-bot[data-answer-id="welcome"]').wait_for()


def test_accessibility(page: Any, web: Servers) -> None:
    open_widget(page, web)
    ask(page, "I want to kill myself")
    page.locator(".lantern-w .lw-safety").wait_for()
    ask(page, QUESTION)
    wait_for_answer(page, 0)

    log = page.locator(".lantern-w .lw-scroller")
    assert log.get_attribute("role") == "log"
    assert log.get_attribute("aria-live") == "polite"
    violations = axe_violations(page)
    assert violations == [], violations

    # targets of at least 24x24 px (buttons and the text box; ours are 44 px)
    small = page.evaluate(
        """() => Array.from(document.querySelectorAll(
                '.lantern-w button, .lantern-w input')).map(el => {
            const r = el.getBoundingClientRect();
            return [el.textContent || el.className, r.width, r.height];
        }).filter(([, w, h]) => w < 24 || h < 24)"""
    )
    assert small == []


def test_phone_width(page: Any, web: Servers) -> None:
    page.set_viewport_size(PHONE)
    open_widget(page, web)
    ask(page, QUESTION)
    wait_for_answer(page, 0)
    overflow = page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0
    panel = page.locator(".lantern-w").bounding_box()
    assert panel["width"] <= PHONE["width"]
    assert axe_violations(page) == []


def test_embedded_on_another_site_with_its_settings(page: Any, web: Servers) -> None:
    """One script tag on a clinic's page (another origin): title, region and colour."""
    html = f"""<!doctype html><html lang="en"><head><title>Clinic</title></head><body>
        <main><h1>Our clinic</h1><div id="chat" style="height:600px"></div></main>
        <script src="{web.url}/lantern/widget/lantern-widget.js" data-container="#chat"
                data-title="Questions? Ask Lantern" data-region="uk" data-color="#ffd400"
                async></script></body></html>"""
    with clinic_site(html) as site:
        page.goto(site)
        welcome = page.locator('.lantern-w .lw-bot[data-answer-id="welcome"]')
        welcome.wait_for()
        assert page.get_by_role("heading", name="Questions? Ask Lantern").is_visible()
        assert "call 999" in welcome.inner_text()  # the UK's emergency number
        assert page.locator('[data-answer-id="region_set"]').count() == 0  # set quietly
        header = page.evaluate(
            """() => {
                const st = getComputedStyle(document.querySelector('.lantern-w .lw-header'));
                return [st.backgroundColor, st.color];
            }"""
        )
        assert header == ["rgb(255, 212, 0)", "rgb(27, 31, 36)"]  # dark text on yellow
        ask(page, "I want to kill myself")
        crisis = page.locator(".lantern-w .lw-safety").first
        crisis.wait_for()
        assert "116 123" in crisis.inner_text()
        assert axe_violations(page) == []
