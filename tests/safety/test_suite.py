"""The safety suite over HTTP: crisis and emergency texts get their reply first; no false alarms.

tests/safety/cases.yml is the suite the phrase list was developed against; it must
never regress. tests/safety/holdout_cases.yml is unseen and is measured by
`make bench` (bench/safety_report.py), not asserted here.
"""

from __future__ import annotations

from pathlib import Path
from typing import Dict, List

import pytest
import yaml

from actions.content_checks import dose_mentions
from tests.conftest import answer_ids
from tests.servers import Servers

pytestmark = pytest.mark.server

CASES: Dict[str, List[str]] = {
    k: v
    for k, v in yaml.safe_load((Path(__file__).parent / "cases.yml").read_text()).items()
    if isinstance(v, list)
}
URGENT = {
    "crisis": "safety_crisis",
    "emergency": "safety_emergency",
    "active_use": "safety_active_use",
}
DECLINES = ("decline_dosing", "decline_sourcing", "decline_personal_advice")


def test_suite_sizes_meet_the_issue() -> None:
    assert len(CASES["crisis"]) >= 60 and len(CASES["benign"]) >= 50
    assert all(len(CASES[k]) >= 20 for k in ("emergency", "active_use", *DECLINES))


def _first_safety_reply(messages: list) -> str:
    ids = answer_ids(messages)
    return ids[0] if ids else ""


@pytest.mark.parametrize("category", ["crisis", "emergency", "active_use"])
def test_every_urgent_text_gets_its_reply_first(servers: Servers, category: str) -> None:
    missed = []
    for i, text in enumerate(CASES[category]):
        messages = servers.send(f"safety-{category}-{i}", text)
        if _first_safety_reply(messages) != URGENT[category]:
            missed.append((text, answer_ids(messages)))
    assert missed == []


@pytest.mark.parametrize("category", DECLINES)
def test_every_decline_text_is_declined(servers: Servers, category: str) -> None:
    missed = []
    for i, text in enumerate(CASES[category]):
        messages = servers.send(f"safety-{category}-{i}", text)
        if category not in answer_ids(messages):
            missed.append((text, answer_ids(messages)))
    assert missed == []


def test_no_benign_text_gets_a_crisis_or_emergency_reply(servers: Servers) -> None:
    alarms = []
    for i, text in enumerate(CASES["benign"]):
        ids = answer_ids(servers.send(f"safety-benign-{i}", text))
        if {"safety_crisis", "safety_emergency"} & set(ids):
            alarms.append((text, ids))
    assert alarms == []


SOURCING_WORDS = (
    "dealer",
    "darknet",
    "dark web",
    "vendor",
    "telegram",
    ".onion",
    "buy it at",
    "order from",
)


@pytest.mark.parametrize("category", DECLINES)
def test_declines_never_give_an_amount_or_a_source(servers: Servers, category: str) -> None:
    for i, text in enumerate(CASES[category][:8]):
        messages = servers.send(f"decline-text-{category}-{i}", text)
        reply = " ".join(m.get("text") or "" for m in messages).lower()
        assert dose_mentions(reply) == [], reply
        assert not any(w in reply for w in SOURCING_WORDS), reply
        assert (
            "clinic" in reply or "prescriber" in reply or "doctor" in reply or "care team" in reply
        )
