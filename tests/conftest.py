"""Shared fixtures: one running Lantern for the whole test session."""

from __future__ import annotations

import uuid
from typing import Iterator

import pytest

from tests.servers import Servers, start


@pytest.fixture(scope="session")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Servers]:
    """Rasa + action server, started like `make run`, stopped at the end."""
    running = start(tmp_path_factory.mktemp("lantern-var"))
    yield running
    running.stop()


@pytest.fixture
def sender() -> str:
    """A fresh conversation id."""
    return f"test-{uuid.uuid4().hex[:12]}"


def answer_ids(messages: list) -> list:
    """The answer ids in a list of REST bot messages, in order."""
    return [
        m["custom"]["answer_id"]
        for m in messages
        if isinstance(m.get("custom"), dict) and "answer_id" in m["custom"]
    ]
