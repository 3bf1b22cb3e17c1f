"""Health information stays out of the logs: a marker sent in a conversation never appears."""

from __future__ import annotations

import pytest

from tests.conftest import answer_ids
from tests.servers import Servers

pytestmark = pytest.mark.server

MARKER = "QUOKKAMARKER"


def test_conversation_text_never_reaches_the_logs(servers: Servers, sender: str) -> None:
    for text in [
        f"hello {MARKER}",
        f"is ketamine addictive {MARKER}?",
        f"I have bipolar disorder {MARKER}, can I take psilocybin?",
        f"I want to kill myself {MARKER}",
        f"/greet {MARKER}",
        f"{MARKER} " * 600,
    ]:
        servers.send(sender, text)
    logs = servers.logs()
    assert "Starting Rasa server" in logs  # the logs are really being read
    assert MARKER not in logs


def test_a_normal_conversation_logs_no_errors(servers: Servers, sender: str) -> None:
    before = servers.logs().count(" ERROR ")
    for text in ["hi", "what is ketamine?", "can it help ptsd?", "menu", "start over"]:
        servers.send(sender, text)
    # an error record would carry the conversation's slot values (substance, condition)
    assert servers.logs().count(" ERROR ") == before


def test_conversations_are_encrypted_at_rest(servers: Servers, sender: str) -> None:
    marker = "WOMBATMARKER"
    servers.send(sender, f"I take lithium {marker}, is ketamine safe for me?")
    servers.send(sender, "what about psilocybin?")
    # with the write-ahead log the newest rows are in tracker.db-wal until a checkpoint
    raw = b"".join(p.read_bytes() for p in servers.var_dir.glob("tracker.db*"))
    assert sender.encode() in raw  # the right files: conversation ids stay readable
    for secret in (marker, "lithium", "psilocybin", "ask_side_effects"):
        assert secret.encode() not in raw
    # and the conversation still reads back: context carries over
    assert "psychedelic_side_effects" in answer_ids(servers.send(sender, "is it dangerous?"))
