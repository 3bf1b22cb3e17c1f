"""Conversations held in memory between turns, checked against the SQL tracker store.

For every message Rasa's SQL tracker store loads the conversation (selects every
event of the session, decrypts it, rebuilds the tracker by replaying them) and,
to save it, counts the stored events to find the new ones: about a third of the
Rasa server's time per message (results/profile.md).

`HeldTrackerStore` keeps each saved tracker in memory with a fingerprint of the
conversation's rows (how many, and the largest id). The next `retrieve` of that
conversation checks the fingerprint with one indexed query and returns the held
tracker when nothing changed; `save` then inserts just the events added since.
It loads from the database as Rasa does when:

- the rows changed: another instance wrote to the conversation, or a purge
  deleted it;
- the tracker changed after its save (a turn that failed half way);
- the tracker is older than `LANTERN_HELD_SECONDS` (default 300) or was pushed
  out by newer ones (at most `LANTERN_HELD_TRACKERS`, default 256; 0 turns
  holding off).

A tracker loaded from the database is held from then on (with the rows it was
loaded from), and one in which a new session started is held as the database
would load it: rebuilt from the new session's events. A conversation without
rows is new: nothing to load, and everything in it is saved. So what a turn
sees is what the database holds, also with several instances. Held trackers
are plain memory of the server process; nothing is written anywhere else, and
expired ones are dropped at the next save.
"""

from __future__ import annotations

import itertools
import json
import os
import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any, Dict, Iterable, List, Tuple

from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.events import Event, SessionStarted
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY

#: (number of rows, largest id) of one conversation in the events table
Fingerprint = Tuple[int, Any]


@dataclass
class Held:
    """A saved tracker and what the database held right after its save."""

    tracker: DialogueStateTracker
    stored: int
    rows: Fingerprint
    saved_at: float


def as_loaded(events: Iterable[Event]) -> List[Event]:
    """The events loading the conversation would give: those of its latest session.

    Rasa loads the events stamped at or after the latest `SessionStarted`.
    """
    events = list(events)
    starts = [e.timestamp for e in events if isinstance(e, SessionStarted)]
    return [e for e in events if e.timestamp >= starts[-1]] if starts else events


class HeldTrackerStore(SQLTrackerStore):
    """Rasa's SQL tracker store that holds saved trackers in memory (see module doc)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        """Connect as `SQLTrackerStore` does; read the holding limits from the environment."""
        super().__init__(*args, **kwargs)
        self.held_max = int(os.environ.get("LANTERN_HELD_TRACKERS", "256"))
        self.held_seconds = float(os.environ.get("LANTERN_HELD_SECONDS", "300"))
        self.held: OrderedDict[str, Held] = OrderedDict()
        table = self.SQLEvent.__table__
        self._insert = table.insert()
        # the one query of a held turn, as plain SQL (SQLAlchemy's statement
        # machinery cost more than the query): the sender id is indexed
        style = self.engine.dialect.paramstyle
        marker = {"qmark": "?", "named": ":sender_id"}.get(style, "%(sender_id)s")
        self._fingerprint = (
            f"SELECT count(id), max(id) FROM {table.name} WHERE sender_id = {marker}"
        )
        self._by_position = style == "qmark"

    def _rows(self, connection: Any, sender_id: str) -> Fingerprint:
        parameters: Any = (sender_id,) if self._by_position else {"sender_id": sender_id}
        count, largest = connection.exec_driver_sql(self._fingerprint, parameters).one()
        return int(count), largest

    async def retrieve(self, sender_id: str) -> DialogueStateTracker | None:
        """The held tracker if the database still matches it, else Rasa's load."""
        # read before any load: a write after it makes the next check fail
        with self.engine.connect() as connection:
            rows = self._rows(connection, sender_id)
        held = self.held.get(sender_id)
        if held is not None:
            fresh = time.monotonic() - held.saved_at <= self.held_seconds
            if fresh and len(held.tracker.events) == held.stored and rows == held.rows:
                return held.tracker
            del self.held[sender_id]
        if rows[0] == 0:
            return None  # a new conversation: what Rasa's load returns for no rows
        tracker = await super().retrieve(sender_id)
        if tracker is not None and self.held_max > 0:
            # every loaded event is stored: the next save inserts only what follows
            self.held[sender_id] = Held(tracker, len(tracker.events), rows, time.monotonic())
        return tracker

    def _new_events(self, tracker: DialogueStateTracker) -> List[Event]:
        """Events not stored yet: known for a held tracker, else counted as Rasa does."""
        held = self.held.pop(tracker.sender_id, None)
        if held is not None and held.tracker is tracker and held.stored <= len(tracker.events):
            return list(itertools.islice(tracker.events, held.stored, None))
        with self.engine.connect() as connection:
            if self._rows(connection, tracker.sender_id)[0] == 0:
                return list(tracker.events)  # nothing stored yet: a new conversation
        with self.session_scope() as session:
            return list(self._additional_events(session, tracker))

    @staticmethod
    def _row(sender_id: str, event: Event) -> Dict[str, Any]:
        """The events-table row Rasa's `save` writes for `event`."""
        data = event.as_dict()
        return {
            "sender_id": sender_id,
            "type_name": event.type_name,
            "timestamp": data.get("timestamp"),
            "intent_name": data.get("parse_data", {}).get("intent", {}).get(INTENT_NAME_KEY),
            "action_name": data.get("name"),
            "data": json.dumps(data),
        }

    async def save(self, tracker: DialogueStateTracker) -> None:
        """Insert the new events in one statement and hold the tracker."""
        await self.stream_events(tracker)
        sender_id = tracker.sender_id
        rows = [self._row(sender_id, event) for event in self._new_events(tracker)]
        with self.engine.begin() as connection:
            if rows:
                connection.execute(self._insert, rows)
            fingerprint = self._rows(connection, sender_id)
        self._hold(tracker, fingerprint)

    def _hold(self, tracker: DialogueStateTracker, rows: Fingerprint) -> None:
        now = time.monotonic()
        while self.held:  # oldest first: drop what expired
            oldest = next(iter(self.held.values()))
            if now - oldest.saved_at <= self.held_seconds:
                break
            self.held.popitem(last=False)
        if self.held_max <= 0:
            return
        loaded = as_loaded(tracker.events)
        if len(loaded) < len(tracker.events):  # a new session began: hold it as loaded
            tracker = type(tracker).from_dict(
                tracker.sender_id,
                [e.as_dict() for e in loaded],
                self.domain.slots if self.domain else None,
            )
        self.held[tracker.sender_id] = Held(tracker, len(tracker.events), rows, now)
        while len(self.held) > self.held_max:
            self.held.popitem(last=False)
