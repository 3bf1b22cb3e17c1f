"""Feedback on answers ("that helped" / "that didn't help"), stored for content review.

One row per feedback: which answer it was about, helpful or not, time, channel.
No message text and no conversation id are stored. SQLite under `LANTERN_VAR_DIR`.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from contextlib import closing
from pathlib import Path
from typing import List, Tuple

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from lantern.paths import var_dir
from lantern.private_files import private_file


def _connect(path: Path | None = None) -> sqlite3.Connection:
    conn = sqlite3.connect(private_file(path or var_dir() / "feedback.sqlite"))
    conn.execute(
        "CREATE TABLE IF NOT EXISTS feedback (id INTEGER PRIMARY KEY, answer_id TEXT,"
        " helpful INTEGER NOT NULL, at TEXT NOT NULL, channel TEXT)"
    )
    return conn


def record(answer_id: str | None, helpful: bool, channel: str | None) -> None:
    """Store one feedback event."""
    now = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
    with closing(_connect()) as conn, conn:
        conn.execute(
            "INSERT INTO feedback (answer_id, helpful, at, channel) VALUES (?, ?, ?, ?)",
            (answer_id, int(helpful), now, channel),
        )


def summary() -> List[Tuple[str, int, int]]:
    """(answer id, helpful count, not helpful count) for content reviewers."""
    with closing(_connect()) as conn:
        rows = conn.execute(
            "SELECT COALESCE(answer_id, '-'), SUM(helpful), SUM(1 - helpful) FROM feedback"
            " GROUP BY answer_id ORDER BY SUM(1 - helpful) DESC"
        )
        return [(str(a), int(h), int(n)) for a, h, n in rows]


class ActionRecordFeedback(Action):
    """Records whether the last answer helped, then thanks the user."""

    def name(self) -> str:
        """Action name in the domain."""
        return "action_record_feedback"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        """Store the feedback event for the last answer."""
        intent = ((tracker.latest_message or {}).get("intent") or {}).get("name")
        record(
            tracker.get_slot("last_answer"),
            intent == "feedback_helpful",
            tracker.get_latest_input_channel(),
        )
        dispatcher.utter_message(response="utter_feedback_thanks")
        return []
