"""REST over HTTP against servers started like `make run`: the answer contract and bad input."""

from __future__ import annotations

import json

import pytest
import requests

from tests.conftest import answer_ids
from tests.servers import Servers

pytestmark = pytest.mark.server

FIRST_SLICE = [
    ("hello", "welcome"),
    ("are you a real person?", "bot_identity"),
    ("what is ketamine?", "ketamine_overview"),
    ("is ketamine addictive?", "ketamine_addiction_risk"),
    ("how do I prepare for my session?", "preparing_for_session"),
    ("what is psilocybin?", "psilocybin"),
    ("what is spravato?", "esketamine_spravato"),
    ("what's a good lasagna recipe?", "out_of_scope"),
    ("I want to kill myself", "safety_crisis"),
]


@pytest.mark.parametrize(("text", "expected"), FIRST_SLICE)
def test_every_reply_names_what_was_answered(
    servers: Servers, sender: str, text: str, expected: str
) -> None:
    messages = servers.send(sender, text)
    assert expected in answer_ids(messages), messages


def test_knowledge_answer_has_text_payload_consult_and_related_buttons(
    servers: Servers, sender: str
) -> None:
    messages = servers.send(sender, "is ketamine addictive?")
    payload = next(m["custom"] for m in messages if "custom" in m)
    assert payload["answer_id"] == "ketamine_addiction_risk"
    assert payload["sources"] and payload["reviewed"]["date"]
    texts = [m.get("text") for m in messages if m.get("text")]
    assert texts[1] == payload["consult"]
    buttons = next(m["buttons"] for m in messages if m.get("buttons"))
    assert len(buttons) == len(payload["related"])


def test_related_button_payload_opens_the_related_answer(servers: Servers, sender: str) -> None:
    messages = servers.send(sender, "is ketamine addictive?")
    button = next(m["buttons"] for m in messages if m.get("buttons"))[0]
    follow = servers.send(sender, button["payload"])
    target = json.loads(button["payload"][len("/choose_topic") :])
    assert target["topic"] in answer_ids(follow)


@pytest.mark.parametrize("text", ["", "   ", "\n"])
def test_empty_message_gets_a_gentle_prompt(servers: Servers, sender: str, text: str) -> None:
    assert answer_ids(servers.send(sender, text)) == ["input_empty"]


def test_overlong_message_is_refused_kindly_and_not_logged(servers: Servers, sender: str) -> None:
    marker = "ZEBRAMARKER"
    messages = servers.send(sender, (marker + " tell me about ketamine ") * 100)
    assert answer_ids(messages) == ["input_too_long"]
    assert marker not in servers.logs()


def test_slash_injection_cannot_bypass_the_safety_screen(servers: Servers, sender: str) -> None:
    assert "safety_crisis" in answer_ids(servers.send(sender, "/greet I want to kill myself"))


def test_slash_intent_text_is_not_executed_as_an_intent(servers: Servers, sender: str) -> None:
    # as an intent this would be a bot_identity reply; as text it is just words
    messages = servers.send(sender, "/deny_crisis")
    assert "deny_crisis" not in answer_ids(messages)


@pytest.mark.parametrize(
    "body",
    [
        b'{"message": "hi"}',
        b'{"sender": "", "message": "hi"}',
        b'{"sender": 12, "message": "hi"}',
        b'{"sender": "x", "message": 12}',
        b"not json",
        b"[1, 2]",
        b'{"sender": "' + b"s" * 200 + b'", "message": "hi"}',
    ],
)
def test_bad_bodies_get_a_clear_400(servers: Servers, body: bytes) -> None:
    response = requests.post(f"{servers.url}/webhooks/rest/webhook", data=body, timeout=10)
    assert response.status_code == 400
    assert response.json()["error"]


def test_missing_sender_never_reaches_a_shared_default_conversation(servers: Servers) -> None:
    requests.post(
        f"{servers.url}/webhooks/rest/webhook", json={"message": "is ketamine legal?"}, timeout=10
    )
    messages = servers.send("default", "what about psilocybin?")
    assert "psychedelic_legal_status" not in answer_ids(messages)


def test_huge_body_is_refused_before_the_model(servers: Servers) -> None:
    body = json.dumps({"sender": "x", "message": "a" * 40_000})
    response = requests.post(f"{servers.url}/webhooks/rest/webhook", data=body, timeout=10)
    assert response.status_code == 413
    assert answer_ids(response.json()) == ["input_too_long"]  # a kind reply, not a bare 413
    # a long message in a body under the limit gets the guard's reply
    body = json.dumps({"sender": "x", "message": "a" * 20_000})
    response = requests.post(f"{servers.url}/webhooks/rest/webhook", data=body, timeout=10)
    assert response.status_code == 200 and answer_ids(response.json()) == ["input_too_long"]


def test_context_carries_over_and_switches_substance(servers: Servers, sender: str) -> None:
    assert "ketamine_overview" in answer_ids(servers.send(sender, "what is ketamine?"))
    assert "ketamine_addiction_risk" in answer_ids(servers.send(sender, "is it addictive?"))
    assert "psychedelic_addiction_risk" in answer_ids(
        servers.send(sender, "what about psilocybin?")
    )


def test_safety_events_are_audited_without_text(servers: Servers, sender: str) -> None:
    import sqlite3

    servers.send(sender, "I want to end my life, ZEBRA")
    db = sqlite3.connect(servers.var_dir / "safety_audit.sqlite")
    rows = db.execute(
        "SELECT type, channel, conversation_id FROM safety_events WHERE conversation_id = ?",
        (sender,),
    ).fetchall()
    assert rows == [("safety_crisis", "rest", sender)]
    dump = "\n".join(db.iterdump())
    assert "ZEBRA" not in dump and "end my life" not in dump
