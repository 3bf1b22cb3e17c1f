"""The input guard, without servers."""

from __future__ import annotations

import pytest

from lantern.channels.guard import MAX_CHARS, check, is_button_payload


@pytest.mark.parametrize("text", ["", "   ", "\n\t", None, "\x00\x01", "/", "//  "])
def test_empty_messages_get_a_gentle_prompt(text: object) -> None:
    result = check(text)
    assert result.text is None and result.reply["custom"]["answer_id"] == "input_empty"


def test_overlong_messages_are_refused_kindly() -> None:
    result = check("what is ketamine " * 200)
    assert result.text is None and result.reply["custom"]["answer_id"] == "input_too_long"


def test_overlong_message_about_suicide_still_reaches_the_crisis_reply() -> None:
    text = "I want to kill myself. " + "x" * (MAX_CHARS + 10)
    result = check(text)
    assert result.reply is None and len(result.text) <= MAX_CHARS


@pytest.mark.parametrize(
    ("text", "passed"),
    [
        ("/greet I want to kill myself", "greet I want to kill myself"),
        ('/ask_what_is{"substance":"ketamine"}', 'ask_what_is{"substance":"ketamine"}'),
        ('/choose_topic{"topic":"x y"}', 'choose_topic{"topic":"x y"}'),
        ('/choose_topic{"text":"psilocybin"}', 'choose_topic{"text":"psilocybin"}'),
        ("/safety_active_use", "safety_active_use"),
        ('/safety_crisis{"x":"y"}', 'safety_crisis{"x":"y"}'),
    ],
)
def test_slash_text_is_plain_text_unless_a_fixed_button_payload(text: str, passed: str) -> None:
    assert check(text).text == passed


@pytest.mark.parametrize(
    "payload",
    [
        '/choose_topic{"topic":"ketamine_overview"}',
        '/inform_substance{"substance":"psilocybin"}',
        "/get_help",
        "/handoff",
        "/start_over",
        # the check-in's three buttons
        "/safety_crisis",
        "/safety_emergency",
        "/deny_risk",
    ],
)
def test_button_payloads_pass_unchanged(payload: str) -> None:
    assert is_button_payload(payload) and check(payload).text == payload


def test_control_characters_are_removed() -> None:
    assert check("is ketamine\x00 addictive?\x07").text == "is ketamine addictive?"


def test_non_text_is_refused() -> None:
    assert check(42).reply["custom"]["answer_id"] == "input_invalid"
