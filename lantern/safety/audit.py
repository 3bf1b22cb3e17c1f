"""Safety audit log: one row per safety reply (type, time, channel, conversation id).

No message text is ever stored, so a clinic can count safety events without
keeping anyone's words. Stored in SQLite under `var/` (`LANTERN_VAR_DIR`).
"""

from __future__ import annotations

import datetime as dt
import logging
import sqlite3
import threading
from contextlib import closing
from pathlib import Path
from typing import Iterable, List, Tuple

from lantern.paths import var_dir

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


def _db(path: Path | None = None) -> sqlite3.Connection:
    conn = sqlite3.connect(path or var_dir() / "safety_audit.sqlite")
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
        with _LOCK, closing(_db()) as conn, conn:
            conn.executemany(
                "INSERT INTO safety_events (type, at, channel, conversation_id) VALUES (?,?,?,?)",
                [(e, now, channel, conversation_id) for e in events],
            )
    except sqlite3.Error as exc:
        logger.error("lantern.audit.failed error=%s", type(exc).__name__)


def events(conversation_id: str | None = None) -> List[Tuple[str, str, str, str]]:
    """All recorded events (type, time, channel, conversation id), oldest first."""
    with _LOCK, closing(_db()) as conn:
        query = "SELECT type, at, channel, conversation_id FROM safety_events"
        if conversation_id is not None:
            rows = conn.execute(
                query + " WHERE conversation_id = ? ORDER BY id", (conversation_id,)
            )
        else:
            rows = conn.execute(query + " ORDER BY id")
        return [tuple(r) for r in rows]
