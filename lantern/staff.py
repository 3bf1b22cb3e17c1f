"""Kiosk "talk to staff" requests: an open list that clinic staff can see and close.

A request holds a conversation id and the time it was made, never any message
text. An urgent alert (`record_alert`) is a request marked urgent with a fixed
reason code (`ALERT_REASONS`); the list shows urgent requests first. Stored in
SQLite under `var/` (`LANTERN_VAR_DIR`), created on first use.
Staff read it with `Authorization: Bearer $LANTERN_STAFF_TOKEN`; while that variable
is unset or empty the staff side is disabled (every request is refused), and a token
under 16 characters is refused too (`token_problem`). Wrong tokens are counted per
client address: after `MAX_FAILURES` in `FAILURE_WINDOW` seconds that address is
locked out for `LOCKOUT_SECONDS` (the right token included); each failure is logged
with the address, never the token.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import logging
import math
import os
import sqlite3
import threading
import time
from collections import OrderedDict
from contextlib import closing, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Dict, List

from lantern.paths import var_dir
from lantern.private_files import private_file

logger = logging.getLogger(__name__)

TOKEN_VARIABLE = "LANTERN_STAFF_TOKEN"
#: A shorter token could be guessed; the staff side stays off with one.
MIN_TOKEN_CHARS = 16
#: Wrong tokens allowed per client address within FAILURE_WINDOW seconds...
MAX_FAILURES = 10
FAILURE_WINDOW = 600.0
#: ...before that address is refused for this long, whatever token it sends.
LOCKOUT_SECONDS = 900.0
#: Client addresses remembered at most (the oldest are forgotten first).
MAX_TRACKED_ADDRESSES = 10_000
#: Why an urgent alert was raised: fixed codes, never text from the conversation.
ALERT_REASONS = {
    "phq9_item9": "PHQ-9 item 9 (thoughts of death or self-harm): not a clear 'not at all'",
    "phq9_item9_declined": "PHQ-9 item 9 (thoughts of death or self-harm): would not answer",
    "crisis_in_intake": "Crisis words during the intake",
    "crisis_on_kiosk": "Crisis words on the kiosk (answered by the Rasa server itself)",
}
UNKNOWN_REASON = "unspecified"
#: An open alert's first reason is kept, except that a positive item 9 replaces a refusal.
_REPLACES = {"phq9_item9": "phq9_item9_declined"}
_LOCK = threading.Lock()


def _db_path() -> Path:
    return var_dir() / "handoffs.sqlite"


def _connect() -> sqlite3.Connection:
    conn = sqlite3.connect(private_file(_db_path()))
    conn.row_factory = sqlite3.Row
    conn.execute(
        "CREATE TABLE IF NOT EXISTS handoffs ("
        " id INTEGER PRIMARY KEY, conversation_id TEXT NOT NULL,"
        " requested_at TEXT NOT NULL, closed_at TEXT)"
    )
    columns = {row[1] for row in conn.execute("PRAGMA table_info(handoffs)")}
    for name, kind in (("urgent", "INTEGER NOT NULL DEFAULT 0"), ("reason", "TEXT")):
        if name not in columns:  # a database made before urgent alerts
            with suppress(sqlite3.OperationalError):  # another process added it first
                conn.execute(f"ALTER TABLE handoffs ADD COLUMN {name} {kind}")
    return conn


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")


def record_handoff(conversation_id: str) -> bool:
    """Open a request for `conversation_id` unless one is already open; whether one is open.

    Never raises: a database error is logged (its class only) and gives False, so
    the kiosk does not tell the patient that staff know.
    """
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
    except (sqlite3.Error, OSError) as exc:
        logger.error("lantern.staff.record_failed error=%s", type(exc).__name__)
        return False
    return True


def record_alert(conversation_id: str, reason: str) -> bool:
    """Open an urgent request (or mark the open one urgent); return whether it is stored.

    Never raises: a database error is logged (its class only, never text) and gives
    False, so the caller does not tell the patient that staff know. An open request
    keeps its first reason (a positive item 9 replaces an item 9 refusal). `reason`
    is a code from ALERT_REASONS (anything else is stored as "unspecified").
    """
    if reason not in ALERT_REASONS:
        logger.error("lantern.staff.unknown_alert_reason")
        reason = UNKNOWN_REASON
    try:
        with _LOCK, closing(_connect()) as conn, conn:
            cursor = conn.execute(
                "UPDATE handoffs SET urgent = 1,"
                " reason = CASE WHEN reason IS NULL OR reason = ? THEN ? ELSE reason END"
                " WHERE conversation_id = ? AND closed_at IS NULL",
                (_REPLACES.get(reason), reason, conversation_id),
            )
            if cursor.rowcount == 0:
                conn.execute(
                    "INSERT INTO handoffs (conversation_id, requested_at, urgent, reason)"
                    " VALUES (?, ?, 1, ?)",
                    (conversation_id, _now(), reason),
                )
    except (sqlite3.Error, OSError) as exc:
        logger.error("lantern.staff.alert_failed error=%s", type(exc).__name__)
        return False
    logger.warning("lantern.staff.urgent_alert reason=%s", reason)
    return True


def staff_side_on() -> bool:
    """Whether staff can see alerts: the configured LANTERN_STAFF_TOKEN would be accepted.

    Unset, blank, or refused by `authorized` (e.g. too short): off. Only when it is on
    may a patient be told "a member of staff has been told".
    """
    token = os.environ.get(TOKEN_VARIABLE, "")
    return bool(token) and authorized(f"Bearer {token}")


def open_handoffs() -> List[Dict[str, Any]]:
    """Return the open requests, urgent first, then oldest first.

    Each: {id, conversation_id, requested_at, urgent (bool), reason (code or None)}.
    """
    with _LOCK, closing(_connect()) as conn:
        rows = conn.execute(
            "SELECT id, conversation_id, requested_at, urgent, reason FROM handoffs"
            " WHERE closed_at IS NULL ORDER BY urgent DESC, id"
        ).fetchall()
    return [{**dict(row), "urgent": bool(row["urgent"])} for row in rows]


def handoffs_version(items: List[Dict[str, Any]]) -> str:
    """A short fingerprint of the open requests: the staff page waits for it to change."""
    encoded = json.dumps(items, sort_keys=True).encode()
    return hashlib.sha256(encoded).hexdigest()[:16]


def close_handoff(handoff_id: int) -> bool:
    """Close an open request; return whether one was open with that id."""
    with _LOCK, closing(_connect()) as conn, conn:
        cursor = conn.execute(
            "UPDATE handoffs SET closed_at = ? WHERE id = ? AND closed_at IS NULL",
            (_now(), handoff_id),
        )
        return cursor.rowcount > 0


def token_problem() -> str | None:
    """Why the configured staff token is refused (too short), or None."""
    token = os.environ.get(TOKEN_VARIABLE, "")
    if token and len(token) < MIN_TOKEN_CHARS:
        return (
            f"{TOKEN_VARIABLE} is too short ({len(token)} characters; at least "
            f"{MIN_TOKEN_CHARS}): the staff side stays off until it is replaced by a longer "
            "one, e.g. `python -c 'import secrets; print(secrets.token_urlsafe(24))'`."
        )
    return None


def _token_matches(authorization_header: str | None) -> bool | None:
    """True/False for a Bearer token that matches or not; None when no token was sent."""
    token = os.environ.get(TOKEN_VARIABLE, "")
    if not authorization_header:
        return None
    scheme, _, given = authorization_header.partition(" ")
    if scheme.lower() != "bearer" or not given.strip():
        return None
    if not token or len(token) < MIN_TOKEN_CHARS:
        return False
    return hmac.compare_digest(given.strip().encode(), token.encode())


def authorized(authorization_header: str | None) -> bool:
    """Check `Authorization: Bearer <token>` against LANTERN_STAFF_TOKEN (unset or short: never).

    No rate limit here: the staff endpoints use `check_access`.
    """
    return _token_matches(authorization_header) is True


@dataclass(frozen=True)
class Access:
    """The verdict on one staff request: allowed, or the HTTP status and why not."""

    allowed: bool
    status: int = 200
    message: str = ""
    retry_after: int = 0


@dataclass
class _Record:
    failures: int
    first_at: float
    locked_until: float = 0.0


class FailedTokens:
    """Wrong staff tokens per client address, with a lockout after too many.

    In memory (per server process, bounded in size): enough to turn thousands of
    guesses a second into ten per address per lockout period.
    """

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        """An empty record; `clock` is replaceable for tests."""
        self.clock = clock
        self._records: OrderedDict[str, _Record] = OrderedDict()
        self._lock = threading.Lock()

    def locked_for(self, address: str) -> float:
        """Seconds left in `address`'s lockout (0: not locked out)."""
        with self._lock:
            record = self._records.get(address)
            return max(0.0, record.locked_until - self.clock()) if record else 0.0

    def failed(self, address: str) -> bool:
        """Count one wrong token from `address`; return whether it is now locked out."""
        now = self.clock()
        with self._lock:
            record = self._records.get(address)
            if record is None or now - record.first_at > FAILURE_WINDOW:
                record = _Record(0, now)
            record.failures += 1
            self._records[address] = record
            self._records.move_to_end(address)
            while len(self._records) > MAX_TRACKED_ADDRESSES:
                self._records.popitem(last=False)
            if record.failures >= MAX_FAILURES:
                record.locked_until = now + LOCKOUT_SECONDS
                record.failures, record.first_at = 0, now
                return True
            return False

    def succeeded(self, address: str) -> None:
        """Forget `address`'s wrong tokens (staff got in)."""
        with self._lock:
            self._records.pop(address, None)


FAILED_TOKENS = FailedTokens()


def check_access(authorization_header: str | None, address: str) -> Access:
    """Decide a staff request from `address`: the token, its length, the lockout.

    401 for no or a wrong token (a wrong one counts against the address and is logged
    without its text), 429 while the address is locked out, 503 with the reason while
    the configured token is too short.
    """
    problem = token_problem()
    if problem:
        return Access(False, 503, problem)
    locked = FAILED_TOKENS.locked_for(address)
    if locked > 0:
        wait = math.ceil(locked)
        return Access(False, 429, f"Too many wrong tokens: try again in {wait} s.", wait)
    matches = _token_matches(authorization_header)
    if matches:
        FAILED_TOKENS.succeeded(address)
        return Access(True)
    if matches is False:
        now_locked = FAILED_TOKENS.failed(address)
        logger.warning("lantern.staff.token_refused address=%s", address)
        if now_locked:
            logger.warning(
                "lantern.staff.locked_out address=%s seconds=%d", address, LOCKOUT_SECONDS
            )
    return Access(False, 401, "staff token required (Authorization: Bearer ...)")
