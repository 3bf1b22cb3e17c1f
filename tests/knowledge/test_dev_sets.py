"""Routing accuracy on the dev sets stays above each set's floor (eval/manifest.yml).

In process on the trained model: bench's Router (the NLU model, then the routing
`action_answer` runs) and bench/nlu_report.py's own evaluation, questions and
conversation turns. Every used routing set in the manifest has a floor about a
point below its score when the floor was set, so a drop fails `make test`. Blind
sets are never opened here; no text of a set is printed (`make nlu-report` lists
a dev set's misses).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, Iterator, List

import pytest
import yaml

from bench.model import Router
from bench.nlu_report import evaluate

ROOT = Path(__file__).resolve().parents[2]
MANIFEST = ROOT / "eval" / "manifest.yml"


def _routing_sets(status: str) -> List[Dict[str, Any]]:
    """Routing sets in the held-out format (a persona set, `cases.yml`, is scored over
    HTTP by bench/routing_eval.py and only reported)."""
    sets = yaml.safe_load(MANIFEST.read_text(encoding="utf-8"))["sets"]
    return [
        s
        for s in sets
        if s["kind"] == "routing"
        and s["status"] == status
        and (ROOT / s["path"] / "holdout.yml").exists()
    ]


DEV_SETS = _routing_sets("used")


@pytest.fixture(scope="module")
def router() -> Iterator[Router]:
    """The trained model, loaded once (a few seconds)."""
    yield Router()


def test_every_dev_set_has_a_floor_and_no_blind_set_is_measured() -> None:
    names = {Path(s["path"]).name for s in DEV_SETS}
    assert {f"holdout_v{i}" for i in range(1, 7)} <= names
    for entry in DEV_SETS:
        floor = entry.get("floor") or {}
        assert 0.5 < floor.get("questions", 0) <= 1, f"{entry['path']}: add a floor"
        has_turns = (ROOT / entry["path"] / "conversations.yml").exists()
        assert ("turns" in floor) == has_turns, entry["path"]
    sets = yaml.safe_load(MANIFEST.read_text(encoding="utf-8"))["sets"]
    blind = {s["path"] for s in sets if s["status"] == "blind"}
    assert not blind & {s["path"] for s in DEV_SETS}


@pytest.mark.parametrize("entry", DEV_SETS, ids=[Path(s["path"]).name for s in DEV_SETS])
def test_dev_set_routing_stays_above_its_floor(router: Router, entry: Dict[str, Any]) -> None:
    floor = entry["floor"]
    # blind=True: only numbers come back, never a text of the set
    result = evaluate(router, ROOT / entry["path"], blind=True)
    assert result["misses"] == [] and result["questions"] > 200
    assert result["accuracy"] >= floor["questions"], (
        f"{entry['path']}: routing {result['accuracy']:.1%} of {result['questions']} "
        f"below its floor {floor['questions']:.1%} (make nlu-report lists the misses)"
    )
    if "turns" in floor:
        assert result["turns"] > 100
        assert result["turn_accuracy"] >= floor["turns"], (
            f"{entry['path']}: context {result['turn_accuracy']:.1%} of {result['turns']} "
            f"turns below its floor {floor['turns']:.1%}"
        )
