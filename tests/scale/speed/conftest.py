"""Fixtures for the speed-up tests: the trained model's agent, and the patches installed."""

from __future__ import annotations

import asyncio
from typing import Any, Iterator

import pytest

from tests.servers import ROOT

MODEL = ROOT / "models" / "lantern.tar.gz"


@pytest.fixture(scope="package", autouse=True)
def switched_on() -> Iterator[None]:
    """These tests test the speed-ups: on, whatever `LANTERN_RASA_PATCHES` says outside."""
    from lantern.speed import guard

    with pytest.MonkeyPatch.context() as monkeypatch:
        monkeypatch.delenv(guard.SWITCH, raising=False)
        yield


@pytest.fixture(scope="package")
def agent() -> Any:
    """Rasa's agent on the trained model, loaded as Rasa loads it (nothing swapped on)."""
    from rasa.core.agent import load_agent

    return asyncio.run(load_agent(model_path=str(MODEL)))


@pytest.fixture
def patched() -> Iterator[None]:
    """The patches installed for one test, Rasa's own code back after it."""
    from lantern.speed import patches

    assert patches.apply(), "the guard refused the patches (see the log)"
    yield
    patches.revert()
