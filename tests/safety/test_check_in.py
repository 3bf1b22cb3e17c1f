"""The risk stage end to end over HTTP: the check-in and its buttons, abuse, Spanish, and
safety first over every other reading."""

from __future__ import annotations

import uuid

import pytest

from actions.knowledge_base import knowledge_base
from tests.conftest import answer_ids
from tests.intake.test_form import code
from tests.intake.test_form import start as start_intake
from tests.servers import Servers

pytestmark = pytest.mark.server

UNSURE = "i've been having dark thoughts. how does esketamine work?"  # unsure: the stage asks first


def new() -> str:
    return f"risk-{uuid.uuid4().hex[:10]}"


def buttons(messages: list) -> list:
    return [b for m in messages for b in m.get("buttons") or []]


def test_an_uncertain_reading_asks_first_with_three_buttons(servers: Servers) -> None:
    reply = servers.send(new(), UNSURE)
    assert answer_ids(reply) == ["safety_check_in"]
    assert "thoughts of ending your life" in reply[0]["text"]
    assert [b["payload"] for b in buttons(reply)] == [
        "/safety_crisis",
        "/safety_emergency",
        "/deny_risk",
    ]


@pytest.mark.parametrize(
    "payload, expected",
    [("/safety_crisis", "safety_crisis"), ("/safety_emergency", "safety_emergency")],
)
def test_yes_and_urgent_help_lead_to_the_safety_replies(
    servers: Servers, payload: str, expected: str
) -> None:
    sender = new()
    servers.send(sender, UNSURE)
    assert answer_ids(servers.send(sender, payload)) == [expected]


def test_no_i_was_asking_answers_the_question(servers: Servers) -> None:
    sender = new()
    assert answer_ids(servers.send(sender, UNSURE)) == ["safety_check_in"]
    answered = answer_ids(servers.send(sender, "/deny_risk"))
    # the question behind the check-in is answered from the catalog
    assert answered and answered[0] in knowledge_base().answers, answered


def test_abuse_gets_its_own_reply(servers: Servers) -> None:
    reply = servers.send(new(), "my boyfriend hits me when he drinks and says he'll hurt me worse")
    assert answer_ids(reply)[0] == "safety_abuse"
    assert "1-800-799-7233" in reply[0]["text"]


def test_spanish_risk_gets_the_spanish_crisis_reply(servers: Servers) -> None:
    reply = servers.send(new(), "ya no quiero vivir, estoy cansada de todo y nadie me entiende")
    assert answer_ids(reply) == ["safety_crisis"]
    assert [m["custom"].get("lang") for m in reply if m.get("custom")] == ["es"]
    assert "AYUDA" in reply[0]["text"] and "988" in reply[0]["text"]


@pytest.mark.parametrize(
    "first, risky",
    [
        ("hi", "thanks. honestly i've been saving my pills to take them all at once"),
        ("hi", "I'm not suicidal but I've been saving my pills to take them all at once"),
        ("hi", "menu. i want to disappear for good tonight"),
    ],
)
def test_no_other_reading_wins_over_risk(servers: Servers, first: str, risky: str) -> None:
    sender = new()
    servers.send(sender, first)
    assert answer_ids(servers.send(sender, risky))[0] == "safety_crisis"


def test_risk_inside_the_intake_is_not_taken_as_stop(servers: Servers) -> None:
    sender = new()
    start_intake(servers, sender, code())
    reply = servers.send(sender, "stop, i can't keep going, i just want it all to end")
    ids = answer_ids(reply)
    assert ids[0] == "safety_crisis" and ids[-1] == "intake_paused", ids


def test_a_short_follow_up_is_read_with_the_question_before(servers: Servers) -> None:
    sender = new()
    servers.send(sender, "what is a bad trip like on mushrooms?")
    ids = answer_ids(servers.send(sender, "that's me, right now"))
    assert ids and ids[0] in {"safety_active_use", "safety_check_in"}, ids


def test_a_question_in_a_risky_message_is_answered_after_the_safety_reply(
    servers: Servers,
) -> None:
    ids = answer_ids(
        servers.send(new(), "I want to end my life. Can ketamine help with depression though?")
    )
    assert ids[0] == "safety_crisis"
    assert ids[1:] == ["ketamine_for_depression"]


def test_a_decline_asked_with_the_risk_comes_after_the_safety_reply(servers: Servers) -> None:
    ids = answer_ids(servers.send(new(), "I'm taking 3g tonight, enough?"))
    assert ids[0] == "safety_crisis" and ids[1:] == ["decline_dosing"]


def test_a_risky_message_that_asks_nothing_gets_the_safety_reply_alone(servers: Servers) -> None:
    assert answer_ids(servers.send(new(), "i want to kill myself, ketamine did nothing")) == [
        "safety_crisis"
    ]
