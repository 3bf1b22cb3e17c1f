"""SQLite as Lantern writes it: pooled, write-ahead tracker store connections; the audit log."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from pathlib import Path

import pytest
from rasa.shared.core.events import ActionExecuted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from lantern.persistence.retention import purge_conversations
from lantern.persistence.stores import LanternTrackerStore


def test_the_sqlite_store_pools_write_ahead_connections(tracker_store: LanternTrackerStore) -> None:
    with tracker_store.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA synchronous").scalar() == 1  # NORMAL
    assert type(tracker_store.engine.pool).__name__ == "QueuePool"
    # the server uses one connection at a time: it gets the one it used last
    first, second = tracker_store.engine.raw_connection(), tracker_store.engine.raw_connection()
    ids = [id(first.dbapi_connection), id(second.dbapi_connection)]
    first.close()
    second.close()
    for _ in range(3):
        again = tracker_store.engine.raw_connection()
        assert id(again.dbapi_connection) == ids[1]
        again.close()


def test_the_sqlite_store_keeps_every_turn_across_threads_and_restarts(
    tracker_store: LanternTrackerStore,
) -> None:
    events = [ActionExecuted("action_listen")]
    for turn in range(30):
        events.append(UserUttered(f"turn {turn}", {"name": "greet"}))
        asyncio.run(tracker_store.save(DialogueStateTracker.from_events("wal", events)))
    # the retention purge uses the same store from a worker thread
    purged: list = []
    worker = threading.Thread(target=lambda: purged.append(purge_conversations(tracker_store)))
    worker.start()
    worker.join()
    assert purged == [0]
    reopened = LanternTrackerStore()  # a restart: a new engine on the same file
    tracker = asyncio.run(reopened.retrieve("wal"))
    assert tracker is not None
    texts = [e.text for e in tracker.events if isinstance(e, UserUttered)]
    assert texts == [f"turn {turn}" for turn in range(30)]


def test_the_safety_audit_writes_ahead_on_one_connection(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from lantern.safety import audit

    monkeypatch.setenv("LANTERN_VAR_DIR", str(tmp_path))
    audit.record_replies(["safety_crisis", "psilocybin"], "rest", "audit-1")
    audit.record_replies(["decline_dosing"], "socketio", "audit-2")
    assert audit._db() is audit._db()  # one connection per file, not one per reply
    assert audit._db().execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert [(e[0], e[2], e[3]) for e in audit.events()] == [
        ("safety_crisis", "rest", "audit-1"),
        ("decline_dosing", "socketio", "audit-2"),
    ]
    # committed: another connection (a staff report, a test) reads both rows
    other = sqlite3.connect(tmp_path / "safety_audit.sqlite")
    assert other.execute("SELECT count(*) FROM safety_events").fetchone()[0] == 2
