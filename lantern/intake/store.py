"""Completed intakes, encrypted at rest in SQLite, kept for a limited number of days.

One row per intake: `id`, `created_at` (UTC, ISO 8601) and two Fernet tokens
(`cryptography`): the FHIR QuestionnaireResponse JSON, and a summary for the staff
list (scores, bands, flags, identity answers, conversation id, channel, and PHQ-9
item 9's first positive answer and when, kept even if the patient changed it).
Nothing else is stored in plain text, and deleted rows are overwritten (`secure_delete`).

Settings (environment):

- `LANTERN_INTAKE_KEY`: Fernet key (urlsafe base64 of 32 random bytes). Several
  keys separated by commas rotate keys: the first encrypts, any of them decrypts.
  Production sets it from a secret store; `scripts/env.sh` makes a local one.
- `LANTERN_INTAKE_DB`: the SQLite file (default `$LANTERN_VAR_DIR/intake.sqlite`).
- `LANTERN_INTAKE_RETENTION_DAYS`: records older than this are purged (default 30)
  by `purge_expired()` at start-up and by `python -m lantern.intake.store purge`.

Errors carry messages that are safe to log and show staff: they never contain answers.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import logging
import os
import re
import sqlite3
import sys
import uuid
from contextlib import closing
from pathlib import Path
from typing import Any, Dict, List, Mapping

from cryptography.fernet import InvalidToken, MultiFernet

from lantern.intake import fhir, scoring
from lantern.paths import var_dir
from lantern.persistence.key_ring import NoKey, key_ring

logger = logging.getLogger(__name__)

KEY_VARIABLE = "LANTERN_INTAKE_KEY"
DB_VARIABLE = "LANTERN_INTAKE_DB"
RETENTION_VARIABLE = "LANTERN_INTAKE_RETENTION_DAYS"
DEFAULT_RETENTION_DAYS = 30
IDENTITY_FIELDS = ("appointment_code", "first_name", "birth_date")
_ID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


class IntakeStoreError(Exception):
    """The intake store can't be used; the message is safe to log and show staff."""


class IntakeKeyError(IntakeStoreError):
    """LANTERN_INTAKE_KEY is missing, malformed, or not the key the records were saved with."""


def db_path() -> Path:
    """The SQLite file (LANTERN_INTAKE_DB, default `$LANTERN_VAR_DIR/intake.sqlite`)."""
    configured = os.environ.get(DB_VARIABLE, "").strip()
    return Path(configured) if configured else var_dir() / "intake.sqlite"


def retention_days() -> int:
    """LANTERN_INTAKE_RETENTION_DAYS (default 30); a bad value is a ValueError."""
    raw = os.environ.get(RETENTION_VARIABLE, "").strip()
    if not raw:
        return DEFAULT_RETENTION_DAYS
    if not raw.isdigit() or int(raw) < 1:
        raise ValueError(f"{RETENTION_VARIABLE} must be a whole number of days, 1 or more")
    return int(raw)


def _fernet() -> MultiFernet:
    try:
        return key_ring(os.environ.get(KEY_VARIABLE, ""))
    except NoKey:
        raise IntakeKeyError(
            f"{KEY_VARIABLE} is not set: intakes can't be stored or read without it"
        ) from None
    except ValueError:
        raise IntakeKeyError(
            f"{KEY_VARIABLE} is not a valid key (urlsafe base64 of 32 bytes)"
        ) from None


def _encrypt(box: MultiFernet, data: Any) -> bytes:
    return box.encrypt(json.dumps(data, separators=(",", ":")).encode())


def _decrypt(box: MultiFernet, token: bytes) -> Any:
    try:
        return json.loads(box.decrypt(token))
    except InvalidToken:
        raise IntakeKeyError(
            f"intake records can't be decrypted: {KEY_VARIABLE} is not the key they were saved with"
        ) from None


def _connect() -> sqlite3.Connection:
    path = db_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    new = not path.exists()
    try:
        conn = sqlite3.connect(path, timeout=10)
        conn.execute("PRAGMA secure_delete = ON")
        conn.execute(
            "CREATE TABLE IF NOT EXISTS intakes ("
            " id TEXT PRIMARY KEY, created_at TEXT NOT NULL,"
            " summary BLOB NOT NULL, resource BLOB NOT NULL)"
        )
        conn.execute("CREATE INDEX IF NOT EXISTS intakes_created ON intakes (created_at)")
    except sqlite3.Error as exc:
        raise IntakeStoreError(f"intake database unavailable ({type(exc).__name__})") from None
    if new:
        os.chmod(path, 0o600)
    return conn


def _utc(when: dt.datetime | None) -> dt.datetime:
    return (when or dt.datetime.now(dt.timezone.utc)).astimezone(dt.timezone.utc)


def _iso(when: dt.datetime) -> str:
    return when.astimezone(dt.timezone.utc).isoformat(timespec="seconds")


def save(
    answers: Mapping[str, Any],
    *,
    conversation_id: str,
    channel: str,
    created_at: dt.datetime | None = None,
    item9_history: Mapping[str, Any] | None = None,
) -> str:
    """Store a completed intake; return its new record id.

    `item9_history` (the form's `intake_item9_history`: `first_positive` {answer, at},
    `declined_at`) keeps item 9's flags raised whatever the final answer is.
    Raises IntakeKeyError (no or bad key), fhir.InvalidAnswers (an unknown question
    id or an invalid value; the message names ids only) or IntakeStoreError.
    `created_at` (default now) exists for tests of retention.
    """
    box = _fernet()
    record_id = str(uuid.uuid4())
    when = _utc(created_at)
    history = item9_history or {}
    first = history.get("first_positive") or None
    resource = fhir.questionnaire_response(
        answers, record_id=record_id, authored=when, item9_first_positive=first
    )
    scores = scoring.score(answers, history)
    summary = {
        "id": record_id,
        "conversation_id": conversation_id,
        "channel": channel,
        **scores.as_dict(),
        "item9_first_positive": first,
        "flags": scoring.flags(answers, history),
        **{field: answers.get(field) for field in IDENTITY_FIELDS},
    }
    try:
        with closing(_connect()) as conn, conn:
            conn.execute(
                "INSERT INTO intakes (id, created_at, summary, resource) VALUES (?, ?, ?, ?)",
                (record_id, _iso(when), _encrypt(box, summary), _encrypt(box, resource)),
            )
    except sqlite3.Error as exc:
        raise IntakeStoreError(f"intake not saved ({type(exc).__name__})") from None
    logger.info("lantern.intake.saved")
    return record_id


def _start_of_local_day(now: dt.datetime) -> dt.datetime:
    local = now.astimezone()
    return local.replace(hour=0, minute=0, second=0, microsecond=0)


def list_today(now: dt.datetime | None = None) -> List[Dict[str, Any]]:
    """Today's intakes (server's local day), urgent (item 9 flags) first, then oldest first.

    Each: id, created_at, urgent, flags, phq9_total, phq9_band, gad7_total, gad7_band,
    item9_positive, item9_ever_positive, item9_declined, item9_first_positive,
    appointment_code, first_name, birth_date, conversation_id, channel.
    """
    since = _iso(_start_of_local_day(_utc(now)))
    try:
        with closing(_connect()) as conn:
            rows = conn.execute(
                "SELECT id, created_at, summary FROM intakes WHERE created_at >= ?"
                " ORDER BY created_at, id",
                (since,),
            ).fetchall()
    except sqlite3.Error as exc:
        raise IntakeStoreError(f"intake database unavailable ({type(exc).__name__})") from None
    if not rows:
        return []
    box = _fernet()
    items = []
    for record_id, created, token in rows:
        summary = _decrypt(box, token)
        if summary.get("id") != record_id:
            raise IntakeStoreError("an intake record does not match its id")
        summary.pop("id")
        items.append(
            {
                "id": record_id,
                "created_at": created,
                "urgent": any(f in scoring.URGENT_FLAGS for f in summary.get("flags", [])),
                **summary,
            }
        )
    items.sort(key=lambda item: not item["urgent"])  # stable: keeps time order
    return items


def get_fhir(record_id: str) -> Dict[str, Any] | None:
    """The QuestionnaireResponse of a record, or None if there is no such record."""
    if not isinstance(record_id, str) or not _ID.match(record_id):
        return None
    try:
        with closing(_connect()) as conn:
            row = conn.execute("SELECT resource FROM intakes WHERE id = ?", (record_id,)).fetchone()
    except sqlite3.Error as exc:
        raise IntakeStoreError(f"intake database unavailable ({type(exc).__name__})") from None
    if row is None:
        return None
    resource: Dict[str, Any] = _decrypt(_fernet(), row[0])
    if resource.get("id") != record_id:
        raise IntakeStoreError("an intake record does not match its id")
    return resource


def purge(older_than_days: int | None = None, *, now: dt.datetime | None = None) -> int:
    """Delete records created more than N days ago (default: retention_days()); return how many.

    Needs no key: only `created_at` is read.
    """
    days = retention_days() if older_than_days is None else older_than_days
    if days < 0:
        raise ValueError("older_than_days must be 0 or more")
    cutoff = _iso(_utc(now) - dt.timedelta(days=days))
    try:
        with closing(_connect()) as conn, conn:
            deleted = conn.execute("DELETE FROM intakes WHERE created_at < ?", (cutoff,)).rowcount
    except sqlite3.Error as exc:
        raise IntakeStoreError(f"intake purge failed ({type(exc).__name__})") from None
    return int(deleted)


def purge_expired() -> int:
    """Start-up purge: delete expired records and log only the count.

    A bad LANTERN_INTAKE_RETENTION_DAYS raises ValueError (refuse to start); a database
    problem is logged (its error class only) and 0 is returned.
    """
    days = retention_days()
    try:
        count = purge(days)
    except IntakeStoreError as exc:
        logger.error("lantern.intake.purge_failed reason=%s", exc)
        return 0
    logger.info("lantern.intake.purged count=%d older_than_days=%d", count, days)
    return count


def main(argv: List[str] | None = None) -> int:
    """`python -m lantern.intake.store purge [--days N]`."""
    parser = argparse.ArgumentParser(prog="python -m lantern.intake.store")
    commands = parser.add_subparsers(dest="command", required=True)
    purge_cmd = commands.add_parser("purge", help="delete intake records older than N days")
    purge_cmd.add_argument(
        "--days", type=int, default=None, help=f"default: {RETENTION_VARIABLE} or 30"
    )
    args = parser.parse_args(argv)
    try:
        days = retention_days() if args.days is None else args.days
        count = purge(days)
    except (ValueError, IntakeStoreError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"purged {count} intake record(s) older than {days} day(s) from {db_path()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
