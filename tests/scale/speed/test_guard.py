"""lantern/speed/guard.py: the speed-ups run only on the Rasa they were written for."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from typing import Iterator, List

import pytest
import rasa
from rasa.core.actions.action import RemoteAction
from rasa.shared.core.domain import Domain

from lantern.speed import guard, patches
from tests.servers import ROOT


@pytest.fixture(autouse=True)
def fresh_check() -> Iterator[None]:
    """Each test checks anew (the check is kept per process)."""
    guard._checked.cache_clear()
    yield
    patches.revert()
    guard._checked.cache_clear()


def test_the_speed_ups_are_written_for_the_installed_rasa() -> None:
    assert guard.problems() == []
    assert sum(map(len, guard.SOURCES.values())) >= 24  # every function they rely on
    assert guard.enabled()


def _refused(caplog: pytest.LogCaptureFixture, expected: str) -> None:
    """The patches refuse, say why, and leave Rasa's code as installed."""
    original = vars(RemoteAction)["_validate_action_result"]
    with caplog.at_level(logging.ERROR, logger="lantern.speed.guard"):
        assert patches.apply() is False
    assert patches.installed() == []
    assert vars(RemoteAction)["_validate_action_result"] is original
    assert not guard.enabled()
    assert any(
        expected in r.getMessage() and "Rasa runs as installed" in r.getMessage()
        for r in caplog.records
    ), caplog.text


def test_another_rasa_version_is_refused(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(rasa, "__version__", "3.6.22")
    _refused(caplog, "Rasa 3.6.22 is installed; they were written for 3.6.21")


def test_a_changed_rasa_function_is_refused(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def is_empty(self: Domain) -> bool:  # another implementation of the same function
        return not self.as_dict()

    monkeypatch.setattr(Domain, "is_empty", is_empty)
    _refused(caplog, "empty_domain: rasa.shared.core.domain:Domain.is_empty is not the code")


def test_a_changed_source_hash_is_refused(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    module, name, _ = guard.SOURCES["runner"][0]
    monkeypatch.setitem(guard.SOURCES, "runner", [(module, name, "0" * 64)])
    _refused(caplog, f"runner: {module}:{name} is not the code it was written for")


def test_the_patches_install_and_revert() -> None:
    original = vars(RemoteAction)["_validate_action_result"]
    assert patches.apply() is True
    assert len(patches.installed()) == 6  # no loading hook asked for
    assert vars(RemoteAction)["_validate_action_result"] is not original
    assert patches.apply() is True  # once only
    assert len(patches.installed()) == 6
    patches.revert()
    assert patches.installed() == []
    assert vars(RemoteAction)["_validate_action_result"] is original


#: runs the entry point (Rasa's command line stubbed), loads the model as the server
#: does, and prints what runs
ENTRY_POINT = """
import asyncio, copy, sys
import rasa.__main__, rasa.core.processor, rasa.core.test
from rasa.core.actions.action import RemoteAction
from rasa.core.agent import Agent, load_agent
from rasa.shared.core.domain import Domain
from rasa.core.utils import AvailableEndpoints
from rasa.shared.core.events import Event
from rasa.shared.core.trackers import DialogueStateTracker
originals = [RemoteAction._validate_action_result, vars(Event)["resolve_by_type"],
             Domain.is_empty, Agent.load_model]
rasa.__main__.main = lambda: None
sys.argv = ["rasa", "run"]
from lantern import rasa_main
rasa_main.main()
now = [RemoteAction._validate_action_result, vars(Event)["resolve_by_type"],
       Domain.is_empty, Agent.load_model]
endpoints = AvailableEndpoints.read_endpoints("endpoints.yml")
agent = asyncio.run(load_agent(model_path="models/lantern.tar.gz", endpoints=endpoints))
store = agent.tracker_store._tracker_store
nodes = agent.processor.graph_runner._instantiated_nodes.values()
(policy,) = [n._component for n in nodes if type(n._component).__name__ == "LanternRulePolicy"]
print([a is b for a, b in zip(originals, now)], rasa.core.processor.copy is copy,
      rasa.core.test.DialogueStateTracker is DialogueStateTracker,
      type(agent.processor.graph_runner).__name__, type(agent.action_endpoint).__name__,
      type(store.init_tracker("x")).__name__, policy.shortcuts)
"""


def _entry_point(switch: str | None) -> List[str]:
    env = {k: v for k, v in os.environ.items() if k != guard.SWITCH}
    if switch is not None:
        env[guard.SWITCH] = switch
    out = subprocess.run(
        [sys.executable, "-c", ENTRY_POINT],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**env, "TRACKER_DB": ":memory:"},
        timeout=300,
    )
    assert out.returncode == 0, out.stderr[-3000:]
    return out.stdout.strip().splitlines()[-1:]


def test_the_switch_runs_stock_rasa() -> None:
    stock = "[True, True, True, True] True True DaskGraphRunner EndpointConfig"
    assert _entry_point("0") == [f"{stock} DialogueStateTracker False"]
    fast = "[False, False, False, False] False False InOrderGraphRunner PooledEndpointConfig"
    assert _entry_point(None) == [f"{fast} LanternTracker True"]
