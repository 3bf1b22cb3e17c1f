"""Conversations don't stay forever: kiosk ones for hours, others for days.

The Rasa server runs `purge_conversations` every `LANTERN_RETENTION_INTERVAL_S`
seconds (default 900) on its tracker store: a conversation is deleted when its
last event is older than `LANTERN_KIOSK_RETENTION_HOURS` (default 24) for the
waiting-room kiosk, or `LANTERN_CONVERSATION_RETENTION_DAYS` (default 30) for
any channel. Only the count is logged.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import time
from typing import Any, List

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore

logger = logging.getLogger(__name__)

KIOSK_CHANNEL = "kiosk"


def _number(name: str, default: float) -> float:
    raw = os.environ.get(name, "").strip()
    try:
        value = float(raw) if raw else default
    except ValueError:
        raise ValueError(f"{name} must be a number") from None
    if value <= 0:
        raise ValueError(f"{name} must be more than 0")
    return value


def kiosk_hours() -> float:
    """LANTERN_KIOSK_RETENTION_HOURS (default 24)."""
    return _number("LANTERN_KIOSK_RETENTION_HOURS", 24)


def conversation_days() -> float:
    """LANTERN_CONVERSATION_RETENTION_DAYS (default 30)."""
    return _number("LANTERN_CONVERSATION_RETENTION_DAYS", 30)


def _is_kiosk(session: Any, event_table: Any, sender_id: str) -> bool:
    first = (
        session.query(event_table)
        .filter(event_table.sender_id == sender_id, event_table.type_name == "user")
        .order_by(event_table.id)
        .first()
    )
    return bool(first and json.loads(first.data).get("input_channel") == KIOSK_CHANNEL)


def purge_conversations(store: SQLTrackerStore, now: float | None = None) -> int:
    """Delete expired conversations from a SQL tracker store; return how many."""
    now = time.time() if now is None else now
    kiosk_cutoff = now - kiosk_hours() * 3600
    cutoff = now - conversation_days() * 86400
    events = store.SQLEvent
    expired: List[str] = []
    with store.session_scope() as session:
        last_seen = session.query(events.sender_id, sa.func.max(events.timestamp)).group_by(
            events.sender_id
        )
        for sender_id, last in last_seen:
            last = last or 0.0
            if last < cutoff or (last < kiosk_cutoff and _is_kiosk(session, events, sender_id)):
                expired.append(sender_id)
        for start in range(0, len(expired), 500):
            session.query(events).filter(events.sender_id.in_(expired[start : start + 500])).delete(
                synchronize_session=False
            )
        session.commit()
    return len(expired)


def sql_store(tracker_store: Any) -> SQLTrackerStore | None:
    """The SQL tracker store behind Rasa's wrapper, if there is one."""
    inner = getattr(tracker_store, "_tracker_store", tracker_store)
    return inner if isinstance(inner, SQLTrackerStore) else None


async def purge_forever(get_store: Any) -> None:
    """Purge now and then every LANTERN_RETENTION_INTERVAL_S seconds (a server task)."""
    interval = _number("LANTERN_RETENTION_INTERVAL_S", 900)
    while True:
        store = sql_store(get_store())
        if store is not None:
            try:
                count = await asyncio.get_running_loop().run_in_executor(
                    None, purge_conversations, store
                )
                if count:
                    logger.info("lantern.retention.purged conversations=%d", count)
            except Exception as exc:  # noqa: BLE001 - retention must never stop the server
                logger.error("lantern.retention.failed error=%s", type(exc).__name__)
        await asyncio.sleep(interval)
