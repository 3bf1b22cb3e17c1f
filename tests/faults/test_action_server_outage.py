"""The action server stops, or hangs, in the middle of a conversation.

Lantern's Rasa server calls an action server that the test controls (as when
the two run as separate deployments): the patient gets the kind
`service_unavailable` reply, safety replies still work, and once the action
server is back the conversation goes on with its earlier context. (The action
server that scripts/run.sh starts is not used: run.sh stops both servers when
one of them exits, which is right for `make run`.)
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Iterator, Tuple

import pytest

from lantern.safety import audit
from tests.conftest import answer_ids
from tests.faults.conftest import ActionServer, SlowActionServer
from tests.intake.test_form import code
from tests.intake.test_form import start as start_intake
from tests.servers import Servers, free_port, start

pytestmark = pytest.mark.server

ACTION_TIMEOUT = 3  # seconds (LANTERN_ACTION_TIMEOUT for this instance)


@pytest.fixture(scope="module")
def lantern(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Tuple[Servers, ActionServer]]:
    """Lantern whose action endpoint is an action server the test starts and stops."""
    port = free_port()
    running = start(
        Path(tmp_path_factory.mktemp("outage")),
        {
            "ACTION_ENDPOINT_URL": f"http://localhost:{port}/webhook",
            "LANTERN_ACTION_TIMEOUT": str(ACTION_TIMEOUT),
        },
    )
    actions = ActionServer(port, running.env, running.var_dir / "logs" / "actions-outage.log")
    yield running, actions
    actions.stop()
    running.stop()


def sender() -> str:
    return f"outage-{uuid.uuid4().hex[:12]}"


def assert_kind_unavailable(messages: list) -> None:
    assert answer_ids(messages) == ["service_unavailable"]
    assert "can't fetch that answer right now" in messages[0]["text"]


def test_action_server_stops_mid_conversation_and_comes_back(
    lantern: Tuple[Servers, ActionServer],
) -> None:
    servers, actions = lantern
    patient = sender()
    actions.start()
    assert "ketamine_overview" in answer_ids(servers.send(patient, "what is ketamine?"))

    actions.stop()
    assert_kind_unavailable(servers.send(patient, "is it addictive?"))
    assert answer_ids(servers.send(sender(), "I want to kill myself")) == ["safety_crisis"]
    assert answer_ids(servers.send(sender(), "my friend overdosed and won't wake up")) == [
        "safety_emergency"
    ]

    actions.start()
    # the substance from before the outage is still the context
    assert "ketamine_addiction_risk" in answer_ids(servers.send(patient, "is it addictive?"))
    assert "psychedelic_addiction_risk" in answer_ids(
        servers.send(patient, "what about psilocybin?")
    )
    actions.stop()


def test_a_hanging_action_server_gets_the_kind_reply_not_silence(
    lantern: Tuple[Servers, ActionServer],
) -> None:
    servers, actions = lantern
    patient = sender()
    actions.start()
    assert "ketamine_overview" in answer_ids(servers.send(patient, "what is ketamine?"))
    actions.stop()

    with SlowActionServer(actions.port, delay=ACTION_TIMEOUT + 10) as slow:
        # the REST call's own timeout (30 s) is far below Rasa's built-in 300 s: an answer
        # here means LANTERN_ACTION_TIMEOUT cut the action call short
        assert_kind_unavailable(servers.send(patient, "is it addictive?", timeout=30))
        assert slow.calls == 1
        assert answer_ids(servers.send(sender(), "I want to kill myself")) == ["safety_crisis"]

    actions.start()
    assert "ketamine_addiction_risk" in answer_ids(servers.send(patient, "is it addictive?"))
    actions.stop()


def test_a_crisis_inside_the_intake_is_answered_while_the_action_server_is_down(
    lantern: Tuple[Servers, ActionServer], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every intake turn calls the action server (form validation); risk must not wait for it."""
    servers, actions = lantern
    patient = sender()
    actions.start()
    start_intake(servers, patient, code())
    actions.stop()
    reply = servers.send(patient, "honestly I just want to die")
    assert answer_ids(reply) == ["safety_crisis"]
    assert "988" in reply[0]["text"]
    monkeypatch.setenv("LANTERN_VAR_DIR", str(servers.var_dir))
    assert [e[0] for e in audit.events(patient)] == ["safety_crisis"]
