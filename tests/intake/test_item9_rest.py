"""PHQ-9 item 9 over REST on the running servers (issue 17, defect 8).

An unreadable answer gets the crisis reply and an urgent alert, never "Sorry, I
didn't understand"; a refusal alerts staff as a refusal; "go back" to "not at all"
leaves the stored record flagged. The test servers run without a staff token, so
the patient is asked to tell the front desk rather than told that staff know.
"""

from __future__ import annotations

from typing import Iterator

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
    stored,
    text,
)
from tests.servers import Servers

pytestmark = pytest.mark.server


@pytest.fixture
def store_env(servers: Servers, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Read the running server's intake and staff stores from the test process."""
    servers.share_store_env(monkeypatch)
    yield


def to_item9(servers: Servers, sender: str, appointment: str) -> None:
    start(servers, sender, appointment)
    reply = answer_all(
        servers, sender, ["Depression", "therapy", "none"] + NO_MEDS + HISTORY + PHQ9[:8]
    )
    assert asked(reply) == "phq9_9"


def alert_reasons(sender: str) -> list:
    from lantern import staff

    return [a["reason"] for a in staff.open_handoffs() if a["conversation_id"] == sender]


def test_unreadable_item9_then_go_back_to_not_at_all_stays_flagged(
    servers: Servers, sender: str, store_env: None
) -> None:
    assert not servers.env.get("LANTERN_STAFF_TOKEN")  # the staff side is off here
    appointment = code()
    to_item9(servers, sender, appointment)
    reply = servers.send(sender, "a little")
    assert answer_ids(reply)[0] == "safety_crisis"
    assert "intake_reprompt" not in answer_ids(reply)
    assert asked(reply) == "go_on"
    assert "please tell the front desk now" in text(reply).lower()
    assert "has been told" not in text(reply)
    assert alert_reasons(sender) == ["phq9_item9"]
    assert asked(servers.send(sender, "go back")) == "phq9_9"
    assert asked(servers.send(sender, "Not at all")) == "gad7_1"
    answer_all(servers, sender, GAD7)
    assert answer_ids(servers.send(sender, "yes")) == ["intake_submitted"]
    [record] = stored(appointment)
    assert record["urgent"] and "item9" in record["flags"] and record["item9_ever_positive"]
    assert record["item9_first_positive"]["answer"] == "positive_unclear"
    assert alert_reasons(sender) == ["phq9_item9"]  # the open alert agrees with the record


def test_refused_item9_alerts_staff_as_a_refusal(
    servers: Servers, sender: str, store_env: None
) -> None:
    to_item9(servers, sender, code())
    reply = servers.send(sender, "skip")
    assert answer_ids(reply)[0] == "intake_item9_declined"
    assert "intake_reprompt" not in answer_ids(reply)
    assert asked(reply) == "go_on"
    assert alert_reasons(sender) == ["phq9_item9_declined"]
