"""With the action server unreachable, safety replies are still served and nothing is silent."""

from __future__ import annotations

from pathlib import Path
from typing import Iterator

import pytest

from tests.conftest import answer_ids
from tests.servers import Servers, free_port, start

pytestmark = pytest.mark.server


@pytest.fixture(scope="module")
def no_actions(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Servers]:
    dead = free_port()  # nothing listens here: the action server is "down"
    running = start(
        Path(tmp_path_factory.mktemp("no-actions")),
        {"ACTION_ENDPOINT_URL": f"http://localhost:{dead}/webhook"},
    )
    yield running
    running.stop()


def test_crisis_is_answered_without_the_action_server(no_actions: Servers) -> None:
    assert answer_ids(no_actions.send("down-1", "I want to kill myself")) == ["safety_crisis"]
    assert answer_ids(no_actions.send("down-2", "my friend overdosed and won't wake up")) == [
        "safety_emergency"
    ]


def test_knowledge_question_gets_a_kind_fallback_not_silence(no_actions: Servers) -> None:
    messages = no_actions.send("down-3", "is ketamine addictive?")
    assert answer_ids(messages) == ["service_unavailable"]
    assert "can't fetch that answer" in messages[0]["text"]
