"""Safety inside the kiosk intake form: a crisis, emergency or active-use message interrupts it."""

from __future__ import annotations

import pytest

from tests.conftest import answer_ids
from tests.intake.test_form import (
    GAD7,
    HISTORY,
    NO_MEDS,
    PHQ9,
    answer_all,
    asked,
    code,
    start,
    text,
)
from tests.servers import Servers

pytestmark = pytest.mark.server


def test_crisis_inside_the_form_interrupts_it_and_it_can_continue(
    servers: Servers, sender: str
) -> None:
    start(servers, sender, code())
    answer_all(servers, sender, ["Depression", "therapy"])
    reply = servers.send(sender, "honestly I just want to die")
    ids = answer_ids(reply)
    assert ids[0] == "safety_crisis"  # help first
    assert "988" in text(reply)
    assert ids[-1] == "intake_paused"
    # the crisis text was not taken as the medicines answer; answers so far are kept
    resumed = servers.send(sender, "continue")
    assert asked(resumed) == "medicines"
    summary = answer_all(servers, sender, ["none"] + NO_MEDS + HISTORY + PHQ9 + GAD7)
    assert "Reason for visit: Depression" in text(summary)
    assert "die" not in text(summary)


@pytest.mark.parametrize(
    "message, reply",
    [
        ("my husband collapsed and isn't breathing", "safety_emergency"),
        ("I took shrooms an hour ago and I'm freaking out", "safety_active_use"),
    ],
)
def test_emergency_and_active_use_inside_the_form_interrupt_it(
    servers: Servers, sender: str, message: str, reply: str
) -> None:
    start(servers, sender, code())
    ids = answer_ids(servers.send(sender, message))
    assert ids[0] == reply and ids[-1] == "intake_paused"
    assert asked(servers.send(sender, "continue")) == "reason"
