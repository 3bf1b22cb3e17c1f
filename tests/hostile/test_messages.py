"""Messages built to slip past the safety screen: too long, or in other Unicode forms."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from lantern.channels import guard
from lantern.safety import audit
from tests.conftest import answer_ids, replies_when_the_turn_fails
from tests.servers import Servers

STORY = (
    "I wanted to ask about ketamine for depression. My doctor mentioned it last month and I "
    "have been reading a lot about it, and about the clinics near me and what they charge. "
)
ENDINGS = {
    "safety_crisis": "Honestly I have been saving my pills and I will take them all tonight.",
    "safety_emergency": "My brother just took a whole bottle of his pills and he won't wake up.",
}


@pytest.mark.parametrize("length", [2_400, 9_000, 25_000])
@pytest.mark.parametrize("expected", sorted(ENDINGS))
def test_risk_at_the_end_of_a_long_story_is_passed_on(length: int, expected: str) -> None:
    text = (STORY * (length // len(STORY) + 1))[:length] + " " + ENDINGS[expected]
    checked = guard.check(text)
    assert checked.reply is None
    assert checked.text is not None and len(checked.text) <= guard.MAX_CHARS
    assert ENDINGS[expected] in checked.text


def test_a_long_story_with_no_risk_gets_the_kind_refusal() -> None:
    checked = guard.check(STORY * 30)
    assert checked.text is None and checked.reply is not None
    assert checked.reply["custom"]["answer_id"] == "input_too_long"
    assert "988" in checked.reply["text"] and "911" in checked.reply["text"]


@pytest.mark.parametrize(
    "text",
    [
        "ｉ ｗａｎｔ ｔｏ ｋｉｌｌ ｍｙｓｅｌｆ",  # full-width
        "I want to ｋｉｌｌ myself",
        "I want to kil\u00adl myself",  # soft hyphen
        "I want to k\u200bill myself",  # zero-width space
        "I ﬁnally decided to kill myself",  # ligature
    ],
)
def test_other_unicode_forms_read_as_plain_text(text: str) -> None:
    checked = guard.check(text)
    assert checked.text is not None
    assert "kill myself" in checked.text


async def test_a_risky_message_gets_its_safety_reply_when_the_dialogue_fails(
    tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Rasa dropped the turn (its action call failed): the Rasa server answers it itself."""
    monkeypatch.setenv("LANTERN_VAR_DIR", str(tmp_path))
    monkeypatch.setenv("LANTERN_STAFF_TOKEN", "a-staff-token-long-enough")
    from lantern import staff

    sent = await replies_when_the_turn_fails("I want to end my life", "kiosk-1", "kiosk")
    assert answer_ids(sent) == ["safety_crisis"]
    assert "988" in sent[0]["text"]
    assert [e[0] for e in audit.events("kiosk-1")] == ["safety_crisis"]
    alerts = [h for h in staff.open_handoffs() if h["conversation_id"] == "kiosk-1"]
    assert alerts and alerts[0]["urgent"]

    calm = await replies_when_the_turn_fails("is ketamine addictive?", "kiosk-2", "kiosk")
    assert answer_ids(calm) == ["service_unavailable"]


@pytest.mark.server
def test_over_http_a_long_story_ending_in_crisis_gets_help(servers: Servers) -> None:
    sender = f"long-{uuid.uuid4().hex[:8]}"
    text = (STORY * 20)[:2_400] + " " + ENDINGS["safety_crisis"]
    assert answer_ids(servers.send(sender, text))[0] == "safety_crisis"
    fullwidth = f"fw-{uuid.uuid4().hex[:8]}"
    assert answer_ids(servers.send(fullwidth, "ｉ ｗａｎｔ ｔｏ ｋｉｌｌ ｍｙｓｅｌｆ")) == [
        "safety_crisis"
    ]
