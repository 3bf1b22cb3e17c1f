"""Over HTTP: every reply that is not a vetted answer gives the crisis and emergency numbers.

Out of scope, the menu, "Did you mean", "Which one do you mean?", an over-long
message, and "Get help now" (a short reply with call/text buttons, not the crisis
paragraph again). Vetted answers do not get the extra line.
"""

from __future__ import annotations

from typing import Any, Dict, List

import pytest

from lantern.nlg import response_variables
from tests.conftest import answer_ids
from tests.safety.test_help_floor import shows_numbers
from tests.servers import Servers

pytestmark = pytest.mark.server

#: Replies that are not vetted answers, and what the floor line must end.
NOT_ANSWERS = {"out_of_scope", "menu", "did_you_mean", "clarify_substance", "input_too_long"}


def reply_with(messages: List[Dict[str, Any]], answer_id: str) -> Dict[str, Any]:
    """The reply carrying `answer_id` (exactly one): its text, buttons and custom payload.

    REST sends a reply's custom payload as a message of its own after its text.
    """
    (at,) = [
        i for i, m in enumerate(messages) if (m.get("custom") or {}).get("answer_id") == answer_id
    ]
    reply = dict(messages[at])
    if "text" not in reply:
        before = [m for m in messages[:at] if m.get("text")]
        reply.update({"text": before[-1]["text"], "buttons": before[-1].get("buttons")})
    return reply


@pytest.mark.parametrize(
    ("text", "answer_id"),
    [
        ("/out_of_scope", "out_of_scope"),
        ("/show_menu", "menu"),
        ("what are the side effects?", "clarify_substance"),  # no substance, no context
        ("What is ketamine? " * 130, "input_too_long"),  # benign, over 2,000 characters
    ],
    ids=["out_of_scope", "menu", "clarify", "too_long"],
)
def test_each_non_answer_ends_with_the_crisis_and_emergency_numbers(
    servers: Servers, sender: str, text: str, answer_id: str
) -> None:
    messages = servers.send(sender, text)
    assert answer_ids(messages) == [answer_id]
    message = reply_with(messages, answer_id)
    assert shows_numbers(message["text"], "us"), message["text"]
    if answer_id != "input_too_long":  # the guard's reply words it in its own sentence
        assert message["text"].endswith(response_variables("us")["help_floor"])


def test_did_you_mean_then_the_menu_give_the_numbers(servers: Servers, sender: str) -> None:
    """An unsure reading gets "Did you mean" (the same one as in tests/dialogue), then the menu."""
    first = servers.send(sender, "ketamine tired")
    assert answer_ids(first) == ["did_you_mean"]
    message = reply_with(first, "did_you_mean")
    assert message["text"].endswith(response_variables("us")["help_floor"])
    assert message["buttons"]
    second = servers.send(sender, "ketamine tired")
    assert answer_ids(second) == ["out_of_scope"]
    assert shows_numbers(reply_with(second, "out_of_scope")["text"], "us")


def test_the_floor_follows_the_conversations_region(servers: Servers, sender: str) -> None:
    servers.send(sender, '/inform_region{"region":"uk"}')
    message = reply_with(servers.send(sender, "/show_menu"), "menu")
    assert "116 123" in message["text"] and "999" in message["text"]
    assert "988" not in message["text"]
    message = reply_with(servers.send(sender, "/out_of_scope"), "out_of_scope")
    assert message["text"].endswith(response_variables("uk")["help_floor"])


def test_vetted_answers_do_not_get_the_floor_line(servers: Servers, sender: str) -> None:
    messages = servers.send(sender, "is ketamine addictive?")
    assert "ketamine_addiction_risk" in answer_ids(messages)
    assert not any("If you're in crisis" in (m.get("text") or "") for m in messages)
    assert not NOT_ANSWERS & set(answer_ids(messages))


def test_get_help_is_a_short_reply_with_call_and_text_buttons(
    servers: Servers, sender: str
) -> None:
    crisis = reply_with(servers.send(sender, "I want to kill myself"), "safety_crisis")
    assert [a["href"] for a in crisis["custom"]["help_actions"]] == [
        "tel:988",
        "sms:988",
        "tel:911",
    ]
    messages = servers.send(sender, "/get_help")
    assert answer_ids(messages) == ["get_help"]
    message = reply_with(messages, "get_help")
    assert "988" in message["text"] and "911" in message["text"]
    assert len(message["text"]) < len(crisis["text"]) * 0.6  # not the paragraph again
    assert [(a["label"], a["href"]) for a in message["custom"]["help_actions"]] == [
        ("Call 988", "tel:988"),
        ("Text 988", "sms:988"),
        ("Call 911", "tel:911"),
    ]
