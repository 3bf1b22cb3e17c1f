"""Helpers for driving the widget and the kiosk pages."""

from __future__ import annotations

import uuid
from typing import Any, Dict

from tests.browser.conftest import REPLY_MS
from tests.servers import Servers

QUESTION = "is ketamine addictive?"
TILE = "Is ketamine addictive?"


# ---------------------------------------------------------------- widget
def open_widget(page: Any, web: Servers) -> None:
    page.goto(f"{web.url}/lantern/widget")
    page.locator('.lantern-w .lw-bot[data-answer-id="welcome"]').wait_for()


def wait_for_answer(page: Any, answers_before: int) -> Any:
    """Wait until a new knowledge answer and its related topics are shown; return it."""
    page.wait_for_function(
        """n => {
            const log = document.querySelector('.lantern-w .lw-log');
            const last = log && log.lastElementChild;
            return document.querySelectorAll('.lantern-w .lw-answer').length > n && last
                && last.textContent.includes('You might also want to know');
        }""",
        arg=answers_before,
        timeout=REPLY_MS,
    )
    return page.locator(".lantern-w .lw-answer").nth(answers_before)


def ask(page: Any, text: str) -> None:
    box = page.get_by_role("textbox", name="Type your question")
    box.fill(text)
    box.press("Enter")


def rest_answer(web: Servers, text: str) -> Dict[str, Any]:
    """The knowledge payload the bot sends for `text` (over REST, a new conversation)."""
    messages = web.send(f"rest-{uuid.uuid4().hex[:8]}", text)
    payloads = [m["custom"] for m in messages if "sources" in (m.get("custom") or {})]
    assert payloads, messages
    return payloads[0]


# ----------------------------------------------------------------- kiosk
def open_kiosk(page: Any, web: Servers, query: str = "") -> None:
    page.goto(f"{web.url}/lantern/kiosk{query}")
    page.wait_for_function("() => window.LanternKiosk && window.LanternKiosk.sessionId()")


def tap_tile(page: Any, title: str) -> None:
    page.locator(".k-tile", has_text=title).click()


def wait_for_kiosk_answer(page: Any) -> Any:
    page.wait_for_function(
        """() => {
            const last = document.querySelector('#k-log').lastElementChild;
            return document.querySelector('#k-log .lw-answer') && last
                && last.textContent.includes('You might also want to know');
        }""",
        timeout=REPLY_MS,
    )
    return page.locator("#k-log .lw-answer").first


def session_id(page: Any) -> str:
    """The kiosk's session id, as the server signed it (`<conversation id>.<signature>`)."""
    return str(page.evaluate("() => window.LanternKiosk.sessionId()"))


#: The kiosk's conversation id: its session id without the signature.
CONVERSATION_JS = "() => (window.LanternKiosk.sessionId() || '').split('.')[0]"


def conversation_id(page: Any) -> str:
    """The conversation id the server keeps for the kiosk's session (stores, staff page)."""
    return str(page.evaluate(CONVERSATION_JS))
