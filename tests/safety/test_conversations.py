"""Safety across turns and channels: persistence, regions, misunderstanding, socket.io."""

from __future__ import annotations

import asyncio
import uuid

import pytest

from tests.conftest import answer_ids
from tests.servers import Servers

pytestmark = pytest.mark.server


def buttons(messages: list) -> list:
    return [b for m in messages for b in m.get("buttons") or []]


def text(messages: list) -> str:
    return " ".join(m.get("text") or "" for m in messages)


def test_mixed_message_gets_the_crisis_reply_first(servers: Servers, sender: str) -> None:
    messages = servers.send(sender, "does ketamine work fast? I've been thinking about ending it")
    assert answer_ids(messages)[0] == "safety_crisis"
    assert "988" in text(messages)


def test_after_a_crisis_the_next_question_is_answered_with_get_help_on_it(
    servers: Servers, sender: str
) -> None:
    assert "ketamine_overview" in answer_ids(servers.send(sender, "what is ketamine?"))
    assert answer_ids(servers.send(sender, "honestly I don't want to be alive anymore")) == [
        "safety_crisis"
    ]
    after = servers.send(sender, "what are the side effects?")
    assert "ketamine_side_effects" in answer_ids(after)
    assert {"title": "Get help now", "payload": "/get_help"} in buttons(after)
    later = servers.send(sender, "how do I find a provider")
    assert {"title": "Get help now", "payload": "/get_help"} in buttons(later)
    assert answer_ids(servers.send(sender, "/get_help")) == ["get_help"]


def test_you_misunderstood_keeps_help_reachable(servers: Servers, sender: str) -> None:
    servers.send(sender, "i want to die")
    denied = servers.send(sender, "you misunderstood, I'm not suicidal")
    assert "deny_crisis" in answer_ids(denied)
    assert {"title": "Get help now", "payload": "/get_help"} in buttons(denied)
    after = servers.send(sender, "is psilocybin legal?")
    assert {"title": "Get help now", "payload": "/get_help"} in buttons(after)


def test_no_get_help_button_without_a_crisis(servers: Servers, sender: str) -> None:
    messages = servers.send(sender, "is psilocybin legal?")
    assert all(b["payload"] != "/get_help" for b in buttons(messages))


@pytest.mark.parametrize(
    ("place", "region", "number"),
    [
        ("I'm in the UK", "uk", "116 123"),
        ("I live in Australia", "au", "13 11 14"),
        ("we're in canada", "ca", "9-8-8"),
        ("i'm in new zealand", "nz", "1737"),
    ],
)
def test_region_switch_changes_the_crisis_lines(
    servers: Servers, sender: str, place: str, region: str, number: str
) -> None:
    switched = servers.send(sender, place)
    assert "region_set" in answer_ids(switched) and number in text(switched)
    crisis = servers.send(sender, "I want to kill myself")
    assert answer_ids(crisis)[0] == "safety_crisis"
    payload = next(m["custom"] for m in crisis if "custom" in m)
    assert payload["region"] == region and number in text(crisis)
    assert "988" not in text(crisis)


def test_default_region_is_the_us(servers: Servers, sender: str) -> None:
    crisis = servers.send(sender, "i keep thinking about suicide")
    assert "988" in text(crisis) and "741741" in text(crisis) and "911" in text(crisis)


def test_emergency_and_active_use_replies(servers: Servers, sender: str) -> None:
    emergency = servers.send(sender, "my friend took something and isn't breathing")
    assert answer_ids(emergency)[0] == "safety_emergency" and "911" in text(emergency)
    active = servers.send(sender + "b", "I took shrooms an hour ago and I'm freaking out")
    assert answer_ids(active)[0] == "safety_active_use"
    assert "Fireside" in text(active) and "911" in text(active)


def test_crisis_over_socketio(servers: Servers) -> None:
    import socketio

    async def talk() -> list:
        received: list = []
        client = socketio.AsyncClient(reconnection=False)
        client.on("bot_uttered", lambda data: received.append(data))
        session = uuid.uuid4().hex
        await client.connect(servers.url, socketio_path="/socket.io", transports=["polling"])
        await client.emit("session_request", {"session_id": session})
        await asyncio.sleep(0.3)
        await client.emit(
            "user_uttered", {"message": "i want to end my life", "session_id": session}
        )
        for _ in range(50):
            if any((m.get("custom") or {}).get("answer_id") for m in received):
                break
            await asyncio.sleep(0.2)
        await client.disconnect()
        return received

    received = asyncio.run(talk())
    assert "safety_crisis" in answer_ids(received)
