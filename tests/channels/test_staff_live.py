"""The staff page's live feed: `GET /lantern/staff/handoffs?since=<version>` waits for a change.

The open staff page asks again as soon as an answer comes, so a new alert reaches
it at once; alerts are stored by the action server too (another process), so the
Rasa server reads the database while it waits.
"""

from __future__ import annotations

import secrets
import threading
import time
import uuid
from pathlib import Path
from typing import Any, Dict, Iterator

import pytest
import requests

from lantern import staff
from lantern.channels import pages
from tests.servers import Servers, start

URL = "/lantern/staff/handoffs"


def test_the_version_changes_with_the_list(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LANTERN_VAR_DIR", str(tmp_path))
    empty = staff.handoffs_version(staff.open_handoffs())
    staff.record_handoff("kiosk-v")
    one = staff.handoffs_version(staff.open_handoffs())
    assert one != empty
    assert staff.handoffs_version(staff.open_handoffs()) == one  # stable while unchanged
    staff.record_alert("kiosk-v", "crisis_in_intake")  # the same request, now urgent
    assert staff.handoffs_version(staff.open_handoffs()) != one


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Servers]:
    """Lantern with a staff token."""
    running = start(
        tmp_path_factory.mktemp("lantern-staff-live"),
        {"LANTERN_STAFF_TOKEN": secrets.token_urlsafe(24)},
    )
    yield running
    running.stop()


def auth(server: Servers) -> Dict[str, str]:
    return {"Authorization": f"Bearer {server.env['LANTERN_STAFF_TOKEN']}"}


def listed(server: Servers, **params: Any) -> requests.Response:
    return requests.get(f"{server.url}{URL}", headers=auth(server), params=params, timeout=60)


@pytest.mark.server
def test_a_new_alert_ends_the_wait_at_once(server: Servers) -> None:
    first = listed(server)
    assert first.status_code == 200
    version = first.json()["version"]
    assert first.headers["Cache-Control"] == "no-store"

    conversation = f"kiosk-{uuid.uuid4().hex[:8]}"

    def raise_alert() -> None:
        time.sleep(1.5)
        with pytest.MonkeyPatch.context() as mp:
            mp.setenv("LANTERN_VAR_DIR", str(server.var_dir))
            staff.record_alert(conversation, "crisis_in_intake")

    thread = threading.Thread(target=raise_alert)
    started = time.monotonic()
    thread.start()
    changed = listed(server, since=version)
    waited = time.monotonic() - started
    thread.join()
    assert changed.status_code == 200
    assert 1.2 < waited < 1.5 + pages.LIVE_CHECK_SECONDS + 1.5  # held, then answered at once
    data = changed.json()
    assert data["version"] != version
    (alert,) = [h for h in data["handoffs"] if h["conversation_id"] == conversation]
    assert alert["urgent"] and alert["reason"] == "crisis_in_intake"


@pytest.mark.server
def test_an_old_version_is_answered_at_once_and_the_token_is_required(server: Servers) -> None:
    started = time.monotonic()
    reply = listed(server, since="not-the-version")
    assert reply.status_code == 200 and time.monotonic() - started < 2
    refused = requests.get(f"{server.url}{URL}", params={"since": "x"}, timeout=10)
    assert refused.status_code == 401
    assert "handoffs" not in refused.json()
