"""Shared fixtures: one running Lantern for the whole test session.

`pytest` works from a fresh shell as under `make test`: the settings Make gives
through scripts/env.sh (ports, var dir, the development keys) are read from it
here when the environment lacks them.
"""

from __future__ import annotations

import os
import subprocess
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Iterator

import pytest

from tests.servers import ROOT, Servers, start


def _settings_from_env_sh() -> None:
    """Whatever scripts/env.sh sets that the environment does not have yet."""
    if os.environ.get("LANTERN_VAR_DIR"):
        return  # sourced already (make test, or the developer's shell)
    out = subprocess.run(
        ["bash", "-c", ". scripts/env.sh >/dev/null && env -0"],
        cwd=ROOT,
        capture_output=True,
        check=True,
        timeout=60,
    )
    for item in out.stdout.decode().split("\0"):
        key, _, value = item.partition("=")
        if key and key not in os.environ:
            os.environ[key] = value


_settings_from_env_sh()

if TYPE_CHECKING:
    from lantern.persistence.stores import LanternTrackerStore


@pytest.fixture(scope="session")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Servers]:
    """Rasa + action server, started like `make run`, stopped at the end."""
    running = start(tmp_path_factory.mktemp("lantern-var"))
    yield running
    running.stop()


@pytest.fixture
def tracker_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> LanternTrackerStore:
    """Lantern's tracker store on a fresh SQLite file, with the default retention."""
    from lantern.persistence.stores import LanternTrackerStore  # imports Rasa: only where used

    monkeypatch.setenv("LANTERN_TRACKER_STORE", "sqlite")
    monkeypatch.setenv("TRACKER_DB", str(tmp_path / "tracker.db"))
    monkeypatch.delenv("LANTERN_KIOSK_RETENTION_HOURS", raising=False)
    monkeypatch.delenv("LANTERN_CONVERSATION_RETENTION_DAYS", raising=False)
    return LanternTrackerStore()


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


async def replies_when_the_turn_fails(text: str, sender: str, channel: str) -> list:
    """What the input guard sends for `text` when Rasa drops the turn (an action call failed)."""
    from rasa.core.channels.channel import OutputChannel

    from lantern.channels import guard

    sent: list = []

    class Output(OutputChannel):
        async def send_response(self, recipient_id: str, message: dict) -> None:
            sent.append(message)

    async def dropped(_: object) -> None:
        raise RuntimeError("the action server is down")

    await guard.handle(dropped, text, Output(), sender, channel)
    return sent
