"""A turn Rasa could not finish is rescued by what the risk model reads, not by phrases alone."""

from __future__ import annotations

import asyncio
from typing import Any, Dict, List

import pytest

from lantern.channels import guard
from lantern.safety.screen import screen
from tests.conftest import answer_ids
from tests.servers import ROOT

#: Crisis described without any phrase the screen knows (the screen reads nothing here).
UNPHRASED = "I've been counting my pills every night and I finally have enough saved up"


@pytest.fixture(scope="module")
def loaded() -> Any:
    """The trained model, loaded in process: its risk stage is the server's."""
    from rasa.core.agent import load_agent

    return asyncio.run(load_agent(model_path=str(ROOT / "models" / "lantern.tar.gz")))


def test_the_screen_alone_reads_nothing_in_the_message() -> None:
    assert screen(UNPHRASED).category is None  # the premise: only meaning finds this


async def test_a_failed_turn_gets_the_reply_the_risk_model_reads(
    loaded: Any, tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LANTERN_VAR_DIR", str(tmp_path))
    monkeypatch.setenv("LANTERN_STAFF_TOKEN", "a-staff-token-long-enough")
    sent: List[Dict[str, Any]] = []

    class Output(guard.OutputChannel):
        async def send_response(self, recipient_id: str, message: Dict[str, Any]) -> None:
            sent.append(message)

    async def dropped(_: Any) -> None:
        raise RuntimeError("the action server is down")

    await guard.handle(dropped, UNPHRASED, Output(), "web-1", "rest")
    assert answer_ids(sent)[0] in {"safety_crisis", "safety_check_in"}
    sent.clear()
    await guard.handle(dropped, "is ketamine addictive?", Output(), "web-2", "rest")
    assert answer_ids(sent) == ["service_unavailable"]


def test_an_over_long_message_keeps_the_sentence_the_model_reads_as_risk(loaded: Any) -> None:
    story = "My appointment went fine and the nurses were kind. " * 45
    checked = guard.check(story + UNPHRASED + ". " + story)
    assert checked.text is not None and "counting my pills" in checked.text
    assert guard.check(story * 2).text is None  # no risk: the kind "too long" reply
