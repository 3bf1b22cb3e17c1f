"""lantern/speed/runner.py: the graph run in order gives what dask gives."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from rasa.engine.exceptions import GraphRunError
from rasa.engine.runner.dask import DaskGraphRunner
from rasa.shared.core.events import ActionExecuted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from lantern.speed.runner import InOrderGraphRunner
from tests.scale.speed.texts import TEXTS


def test_graphs_run_in_order_give_what_dask_gives(agent: Any) -> None:
    processor = agent.processor
    dask = processor.graph_runner
    assert type(dask) is DaskGraphRunner

    def both() -> list:
        """Parse each text, then predict the next action after it."""
        out = []
        for text in (*TEXTS, "I want to kill myself", "start my intake"):
            parsed = asyncio.run(agent.parse_message(text))
            tracker = DialogueStateTracker.from_events(
                "graph",
                [ActionExecuted("action_listen"), UserUttered(text, parsed)],
                slots=agent.domain.slots,
            )
            prediction = processor._predict_next_with_tracker(tracker)
            out.append((parsed, prediction.policy_name, list(prediction.probabilities)))
        return out

    theirs = both()
    ours = InOrderGraphRunner.from_runner(dask)
    assert ours._instantiated_nodes is dask._instantiated_nodes  # the loaded nodes, not again
    processor.graph_runner = ours
    try:
        assert both() == theirs
    finally:
        processor.graph_runner = dask
    assert "safety_crisis" in {p[0]["intent"]["name"] for p in theirs}
    assert len(ours.__dict__["_orders"]) == 2  # NLU, policies: each ordered once
    # an input named like a node the run needs: Rasa's error
    targets, given = next(iter(ours.__dict__["_orders"]))
    node = ours.order(targets, given)[0][0]
    for runner in (dask, ours):
        with pytest.raises(GraphRunError, match="clashes with a node name"):
            runner.run(inputs={"x": node}, targets=list(targets))
