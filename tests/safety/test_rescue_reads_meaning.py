"""A turn Rasa could not finish is rescued by what the risk model reads, not by phrases alone."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from lantern.channels import guard
from lantern.safety.screen import screen
from tests.conftest import answer_ids, replies_when_the_turn_fails
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
    sent = await replies_when_the_turn_fails(UNPHRASED, "web-1", "rest")
    assert answer_ids(sent)[0] in {"safety_crisis", "safety_check_in"}
    calm = await replies_when_the_turn_fails("is ketamine addictive?", "web-2", "rest")
    assert answer_ids(calm) == ["service_unavailable"]


def test_an_over_long_message_keeps_the_sentence_the_model_reads_as_risk(loaded: Any) -> None:
    story = "My appointment went fine and the nurses were kind. " * 45
    checked = guard.check(story + UNPHRASED + ". " + story)
    assert checked.text is not None and "counting my pills" in checked.text
    assert guard.check(story * 2).text is None  # no risk: the kind "too long" reply
