"""Kiosk "talk to staff" requests: an open list that clinic staff can see and close.

A request holds a conversation id and the time it was made, never any message
text. Stored in SQLite under `var/` (`LANTERN_VAR_DIR`), created on first use.
Staff read it with `Authorization: Bearer $LANTERN_STAFF_TOKEN`; while that variable
is unset or empty the staff side is disabled (every request is refused).
"""

from __future__ import annotations

import datetime as dt
import hmac
import logging
import os
import sqlite3
import threading
from contextlib import closing
from pathlib import Path
from typing import Any, Dict, List

from lantern.paths import var_dir

logger = logging.getLogger(__name__)

TOKEN_VARIABLE = "LANTERN_STAFF_TOKEN"
_LOCK = threading.Lock()


def _db_path() -> Path:
    return var_dir() / "handoffs.sqlite"


def _connect() -> sqlite3.Connection:
    conn = sqlite3.connect(_db_path())
    conn.row_factory = sqlite3.Row
    conn.execute(
        "CREATE TABLE IF NOT EXISTS handoffs ("
        " id INTEGER PRIMARY KEY, conversation_id TEXT NOT NULL,"
        " requested_at TEXT NOT NULL, closed_at TEXT)"
    )
    return conn


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")


def record_handoff(conversation_id: str) -> None:
    """Open a request for `conversation_id` unless one is already open; never raises."""
    try:
        with _LOCK, closing(_connect()) as conn, conn:
            exists = conn.execute(
                "SELECT 1 FROM handoffs WHERE conversation_id = ? AND closed_at IS NULL",
                (conversation_id,),
            ).fetchone()
            if not exists:
                conn.execute(
                    "INSERT INTO handoffs (conversation_id, requested_at) VALUES (?, ?)",
                    (conversation_id, _now()),
                )
    except sqlite3.Error as exc:
        logger.error("lantern.staff.record_failed error=%s", type(exc).__name__)


def open_handoffs() -> List[Dict[str, Any]]:
    """Return the open requests, oldest first: {id, conversation_id, requested_at}."""
    with _LOCK, closing(_connect()) as conn:
        rows = conn.execute(
            "SELECT id, conversation_id, requested_at FROM handoffs"
            " WHERE closed_at IS NULL ORDER BY id"
        ).fetchall()
    return [dict(row) for row in rows]


def close_handoff(handoff_id: int) -> bool:
    """Close an open request; return whether one was open with that id."""
    with _LOCK, closing(_connect()) as conn, conn:
        cursor = conn.execute(
            "UPDATE handoffs SET closed_at = ? WHERE id = ? AND closed_at IS NULL",
            (_now(), handoff_id),
        )
        return cursor.rowcount > 0


def authorized(authorization_header: str | None) -> bool:
    """Check `Authorization: Bearer <token>` against LANTERN_STAFF_TOKEN (unset: never)."""
    token = os.environ.get(TOKEN_VARIABLE, "")
    if not token or not authorization_header:
        return False
    scheme, _, given = authorization_header.partition(" ")
    if scheme.lower() != "bearer":
        return False
    return hmac.compare_digest(given.strip().encode(), token.encode())
