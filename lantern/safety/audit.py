"""Safety audit log: one row per safety reply (type, time, channel, conversation id).

No message text is ever stored, so a clinic can count safety events without
keeping anyone's words. Stored in SQLite under `var/` (`LANTERN_VAR_DIR`), on one
connection per file that writes ahead (`journal_mode=WAL`, `synchronous=NORMAL`,
as the tracker store): a safety reply no longer waits for a disk sync, which
held up every conversation on the server's event loop.
"""

from __future__ import annotations

import datetime as dt
import logging
import sqlite3
import threading
from functools import lru_cache
from pathlib import Path
from typing import Iterable, List, Tuple

from lantern.paths import var_dir
from lantern.private_files import private_file

logger = logging.getLogger(__name__)

SAFETY_REPLIES = frozenset(
    {
        "safety_crisis",
        "safety_emergency",
        "safety_active_use",
        "decline_dosing",
        "decline_sourcing",
        "decline_personal_advice",
    }
)
_LOCK = threading.Lock()


def _db() -> sqlite3.Connection:
    """The audit database under the current var dir (used under `_LOCK`)."""
    return _connection(var_dir() / "safety_audit.sqlite")


@lru_cache(maxsize=8)
def _connection(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(private_file(path), check_same_thread=False)  # uses hold _LOCK
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute(
        "CREATE TABLE IF NOT EXISTS safety_events ("
        " id INTEGER PRIMARY KEY, type TEXT NOT NULL, at TEXT NOT NULL,"
        " channel TEXT NOT NULL, conversation_id TEXT NOT NULL)"
    )
    return conn


def record_replies(answer_ids: Iterable[str], channel: str, conversation_id: str) -> None:
    """Record each safety reply among `answer_ids`; never raises."""
    events = [a for a in answer_ids if a in SAFETY_REPLIES]
    if not events:
        return
    now = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
    try:
        with _LOCK, _db() as conn:  # one transaction
            conn.executemany(
                "INSERT INTO safety_events (type, at, channel, conversation_id) VALUES (?,?,?,?)",
                [(e, now, channel, conversation_id) for e in events],
            )
    except sqlite3.Error as exc:
        logger.error("lantern.audit.failed error=%s", type(exc).__name__)


def events(conversation_id: str | None = None) -> List[Tuple[str, str, str, str]]:
    """All recorded events (type, time, channel, conversation id), oldest first."""
    with _LOCK:
        conn = _db()
        query = "SELECT type, at, channel, conversation_id FROM safety_events"
        if conversation_id is not None:
            rows = conn.execute(
                query + " WHERE conversation_id = ? ORDER BY id", (conversation_id,)
            )
        else:
            rows = conn.execute(query + " ORDER BY id")
        return [tuple(r) for r in rows]
