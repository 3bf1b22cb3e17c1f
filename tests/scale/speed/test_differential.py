"""The speed-ups change no event: the same conversations with and without them, compared.

Two agents on the trained model, in this process, each with its own action
server and stores: Rasa as installed (`LANTERN_RASA_PATCHES=0`), then Rasa as
lantern/rasa_main.py runs it. Every test story, every text of the safety suite
and a set of intake conversations are played on both; each conversation's stored
events must be the same, timestamps aside.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import random
import re
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Dict, Iterator, List

import numpy as np
import pytest
import requests
import yaml
from rasa.core.channels.channel import CollectingOutputChannel, UserMessage

from lantern.speed import debug_logged, guard, patches
from tests.servers import ROOT, free_port

pytestmark = pytest.mark.server

MODEL = ROOT / "models" / "lantern.tar.gz"
NO_MEDS = ["No"] * 6
HISTORY = ["No", "No", "No", "Prefer not to say", "No"]
PHQ9 = ["Several days", "More than half the days", "Not at all", "Nearly every day"]
PHQ9 += ["Not at all"] * 5
GAD7 = ["Several days"] * 7
ANSWERS = ["Depression", "antidepressants and therapy", "Sertraline, vitamin D"]
ANSWERS += NO_MEDS + HISTORY
INTAKES = {
    "happy": ["start my intake", "yes", "T1234567", *ANSWERS, *PHQ9, *GAD7, "yes"]
    + ["is ketamine addictive?"],
    "reprompt": ["start my intake", "yes", "T2345678", "purple elephant", "PTSD", "7"],
    "back": ["start my intake", "yes", "T3456789", "Chronic pain", "go back", "Depression"],
    "stop": ["start my intake", "yes", "T4567890", "Depression", "stop", "continue"],
    "refused": ["start my intake", "no", "what is ketamine?"],
    "item9": ["start my intake", "yes", "T5678901", *ANSWERS, *PHQ9[:8], "Several days"]
    + ["yes", "yes", "what are the side effects of ketamine?"],
    "crisis_inside": ["start my intake", "yes", "T6789012", "I want to kill myself", "yes"],
}


def conversations() -> Dict[str, List[str]]:
    """Sender id -> the messages it sends: test stories, safety texts, intakes."""
    found: Dict[str, List[str]] = {}
    for path in sorted((ROOT / "tests" / "stories").glob("*.yml")):
        for n, story in enumerate(yaml.safe_load(path.read_text())["stories"]):
            found[f"story-{path.stem}-{n}"] = [
                step["user"].strip() if step.get("user") else f"/{step['intent']}"
                for step in story["steps"]
                if "intent" in step
            ]
    cases = yaml.safe_load((ROOT / "tests" / "safety" / "cases.yml").read_text())
    for category, texts in cases.items():
        for n, text in enumerate(texts if isinstance(texts, list) else []):
            found[f"safety-{category}-{n}"] = [text]
    found.update({f"intake-{name}": messages for name, messages in INTAKES.items()})
    return found


class RestOutput(CollectingOutputChannel):
    """Collects replies under the REST channel's name (response variations go by it)."""

    @classmethod
    def name(cls) -> str:
        """The REST channel's name."""
        return "rest"


#: a clock time an action wrote into a slot (the intake notes when an answer came)
CLOCK = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?([+-]\d\d:\d\d|Z)?")


def comparable(event: Any) -> Dict[str, Any]:
    """An event as stored, without its timestamp and clock times in its values."""
    stored = {k: v for k, v in event.as_dict().items() if k != "timestamp"}
    return dict(json.loads(CLOCK.sub("<time>", json.dumps(stored))))


async def converse(agent: Any, talks: Dict[str, List[str]]) -> Dict[str, List[Dict[str, Any]]]:
    """Play each conversation through the agent; each one's stored events."""
    played = {}
    for sender, messages in talks.items():
        random.seed(sender)  # the same response variations on both sides
        np.random.seed(len(sender))
        for n, text in enumerate(messages):
            message = UserMessage(
                text, RestOutput(), sender, input_channel="rest", message_id=f"{sender}-{n}"
            )
            await agent.handle_message(message)
        tracker = await agent.tracker_store.retrieve_full_tracker(sender)
        played[sender] = [comparable(event) for event in tracker.events]
    return played


def action_server(var_dir: Path, port: int) -> subprocess.Popen:
    """Lantern's action server with its state in `var_dir`, answering on `port`."""
    env = {**os.environ, "LANTERN_VAR_DIR": str(var_dir)}
    env.pop("LANTERN_INTAKE_DB", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "actions.server", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and process.poll() is None:
        try:
            if requests.get(f"http://127.0.0.1:{port}/health", timeout=2).ok:
                return process
        except requests.RequestException:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError("the action server did not start")


def lantern_endpoints() -> str:
    """The endpoints file the server is started with (scripts/endpoints.sh writes it)."""
    written = subprocess.run(
        ["bash", "-c", '. scripts/endpoints.sh && echo "$lantern_endpoints"'],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return written.stdout.strip()


def play(fast: bool, var_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Dict[str, Any]:
    """Every conversation on a fresh agent, with the speed-ups or without."""
    from rasa.core.agent import load_agent
    from rasa.core.utils import AvailableEndpoints

    from lantern import rasa_main

    var_dir.mkdir()
    port = free_port()
    monkeypatch.setenv("LANTERN_VAR_DIR", str(var_dir))
    monkeypatch.setenv("TRACKER_DB", str(var_dir / "tracker.db"))
    monkeypatch.setenv("ACTION_ENDPOINT_URL", f"http://127.0.0.1:{port}/webhook")
    monkeypatch.setenv(guard.SWITCH, "1" if fast else "0")
    server = action_server(var_dir, port)
    try:
        assert rasa_main.speed_up() is fast
        assert len(patches.installed()) == (7 if fast else 0)
        assert not debug_logged()  # as served: the shortcuts around debug logs are taken
        endpoints = AvailableEndpoints.read_endpoints(lantern_endpoints())

        async def load_and_play() -> Dict[str, Any]:
            agent = await load_agent(model_path=str(MODEL), endpoints=endpoints)
            runner = type(agent.processor.graph_runner).__name__
            assert runner == ("InOrderGraphRunner" if fast else "DaskGraphRunner")
            played = await converse(agent, conversations())
            held = [h.tracker for h in agent.tracker_store._tracker_store.held.values()]
            played["tracker classes"] = sorted({type(tracker).__name__ for tracker in held})
            nodes = agent.processor.graph_runner._instantiated_nodes.values()
            (policy,) = [n._component for n in nodes if hasattr(n._component, "shortcuts")]
            # which speed-ups did work (all, or none)
            played["used"] = [
                bool(policy._rule_matches),
                any("_lantern_states" in tracker.__dict__ for tracker in held),
                any("_lantern_applied" in tracker.__dict__ for tracker in held),
                "_kept" in vars(agent.action_endpoint),
                "_orders" in vars(agent.processor.graph_runner),
            ]
            return played

        return asyncio.run(load_and_play())
    finally:
        patches.revert()
        server.terminate()
        server.wait(timeout=20)


def first_difference(sender: str, stock: Dict[str, Any], fast: Dict[str, Any]) -> str:
    """Where two runs of a conversation part: the event number, and each run's events from there."""
    pairs = list(zip(stock[sender], fast[sender], strict=False))
    n = next((i for i, (a, b) in enumerate(pairs) if a != b), len(pairs))
    return (
        f"{sender}, event {n}:\nstock {stock[sender][n : n + 3]}\nfast  {fast[sender][n : n + 3]}"
    )


@pytest.fixture
def as_served() -> Iterator[None]:
    """Logs at Rasa's default level (INFO: debug log calls dropped), the guard checked anew."""
    from rasa.utils.log_utils import configure_structlog

    configure_structlog(logging.INFO)
    guard._checked.cache_clear()
    yield
    patches.revert()
    configure_structlog(logging.WARNING)


def test_the_speed_ups_change_no_event(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, as_served: None
) -> None:
    stock = play(False, tmp_path / "stock", monkeypatch)
    fast = play(True, tmp_path / "fast", monkeypatch)
    assert stock.pop("tracker classes") == ["DialogueStateTracker"]
    assert fast.pop("tracker classes") == ["LanternTracker"]
    assert stock.pop("used") == [False] * 5 and fast.pop("used") == [True] * 5
    assert stock.keys() == fast.keys()
    different = [sender for sender in stock if stock[sender] != fast[sender]]
    assert different == [], first_difference(different[0], stock, fast)
    # the conversations went where they should: stories, safety replies, the form
    events = [e for played in stock.values() for e in played]
    assert len(stock) > 450 and len(events) > 5000
    assert {"name": "intake_form"} in [
        {"name": e.get("name")} for e in events if e["event"] == "active_loop"
    ]
    assert any(e.get("name") == "utter_safety_crisis" for e in events)
