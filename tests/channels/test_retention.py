"""Conversation retention: kiosk conversations go after hours, all others after days."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest
from rasa.shared.core.events import ActionExecuted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from lantern.persistence.retention import purge_conversations
from lantern.persistence.stores import LanternTrackerStore
from tests.servers import start

NOW = 1_800_000_000.0
HOUR, DAY = 3600.0, 86400.0


def save(store: LanternTrackerStore, sender: str, channel: str, age: float) -> None:
    events = [
        ActionExecuted("action_listen", timestamp=NOW - age - 1),
        UserUttered("hello", {"name": "greet"}, input_channel=channel, timestamp=NOW - age),
    ]
    asyncio.run(store.save(DialogueStateTracker.from_events(sender, events)))


def test_kiosk_after_hours_others_after_days(tracker_store: LanternTrackerStore) -> None:
    save(tracker_store, "kiosk-old", "kiosk", 25 * HOUR)
    save(tracker_store, "kiosk-recent", "kiosk", 1 * HOUR)
    save(tracker_store, "widget-day-old", "socketio", 25 * HOUR)
    save(tracker_store, "widget-month-old", "socketio", 31 * DAY)
    save(tracker_store, "rest-recent", "rest", 1 * HOUR)
    assert purge_conversations(tracker_store, now=NOW) == 2
    kept = set(asyncio.run(tracker_store.keys()))
    assert kept == {"kiosk-recent", "widget-day-old", "rest-recent"}
    assert purge_conversations(tracker_store, now=NOW) == 0


def test_settings_are_checked(
    tracker_store: LanternTrackerStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LANTERN_KIOSK_RETENTION_HOURS", "soon")
    with pytest.raises(ValueError, match="LANTERN_KIOSK_RETENTION_HOURS"):
        purge_conversations(tracker_store, now=NOW)


@pytest.mark.server
def test_the_running_server_purges_expired_conversations(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = {
        "LANTERN_CONVERSATION_RETENTION_DAYS": "0.00002",
        "LANTERN_RETENTION_INTERVAL_S": "1",
    }
    running = start(tmp_path, settings)  # conversations expire after ~2 s, checked every 1 s
    try:
        running.send("soon-forgotten", "is ketamine addictive?")
        monkeypatch.setenv("TRACKER_DB", str(tmp_path / "tracker.db"))
        store = LanternTrackerStore()
        deadline = time.monotonic() + 30
        while "soon-forgotten" in asyncio.run(store.keys()) and time.monotonic() < deadline:
            time.sleep(1)
        assert "soon-forgotten" not in asyncio.run(store.keys())
    finally:
        running.stop()
