"""The action server is private: only calls carrying the shared secret are run."""

from __future__ import annotations

import pytest
import requests

from lantern import staff
from lantern.intake import store
from tests.servers import Servers

pytestmark = pytest.mark.server


def forged_call(action: str, sender: str) -> dict:
    """What a forged Rasa call looks like: a positive PHQ-9 item 9 intake submission."""
    return {
        "next_action": action,
        "sender_id": sender,
        "version": "3.6.21",
        "tracker": {
            "sender_id": sender,
            "slots": {
                "intake_answers": {"consent": True, "phq9_9": 3, "confirm": True},
                "requested_slot": None,
            },
            "latest_message": {"text": "", "intent": {"name": "affirm"}, "entities": []},
            "events": [],
            "paused": False,
            "latest_event_time": None,
            "followup_action": None,
            "active_loop": {},
            "latest_action_name": None,
        },
        "domain": {},
    }


@pytest.mark.parametrize("secret", [None, "", "wrong-secret-of-enough-length", "x" * 500])
@pytest.mark.parametrize("action", ["action_intake_submit", "action_intake_pause"])
def test_calls_without_the_secret_are_refused(
    servers: Servers, monkeypatch: pytest.MonkeyPatch, secret: str | None, action: str
) -> None:
    servers.share_store_env(monkeypatch)
    sender = f"forged-{action}-{len(secret or '')}"
    headers = {} if secret is None else {"X-Lantern-Action-Secret": secret}
    intakes_before = len(store.list_today())
    response = requests.post(
        f"http://127.0.0.1:{servers.action_port}/webhook",
        json=forged_call(action, sender),
        headers=headers,
        timeout=10,
    )
    assert response.status_code == 401
    assert all(row["conversation_id"] != sender for row in staff.open_handoffs())
    assert len(store.list_today()) == intakes_before
    assert (
        requests.get(f"http://127.0.0.1:{servers.action_port}/actions", timeout=10).status_code
        == 401
    )


def test_the_right_secret_is_accepted_and_health_is_open(servers: Servers) -> None:
    made = servers.var_dir / "action.secret"  # scripts/env.sh makes one unless it is given
    secret = servers.env.get("LANTERN_ACTION_SECRET") or made.read_text().strip()
    assert len(secret) >= 16
    if made.exists():
        assert oct(made.stat().st_mode & 0o777) == "0o600"
    health = requests.get(f"http://127.0.0.1:{servers.action_port}/health", timeout=10)
    assert health.status_code == 200
    listed = requests.get(
        f"http://127.0.0.1:{servers.action_port}/actions",
        headers={"X-Lantern-Action-Secret": secret},
        timeout=10,
    )
    assert listed.status_code == 200 and {"name": "action_intake_submit"} in listed.json()
