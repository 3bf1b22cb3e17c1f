"""persistence/held_trackers.py: a held tracker is used only while the database still matches it."""

from __future__ import annotations

import asyncio
import json
from typing import Any, List

import pytest
import sqlalchemy as sa
from rasa.shared.core.events import ActionExecuted, SessionStarted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from lantern.persistence.stores import LanternTrackerStore


def run(coroutine: Any) -> Any:
    """Run one tracker store call."""
    return asyncio.run(coroutine)


def stored(store: LanternTrackerStore, sender: str) -> List[dict]:
    """Every stored event of `sender`, decrypted, in order."""
    with store.session_scope() as session:
        rows = (
            session.query(store.SQLEvent)
            .filter(store.SQLEvent.sender_id == sender)
            .order_by(store.SQLEvent.id)
            .all()
        )
        return [json.loads(row.data) for row in rows]


def dump(tracker: DialogueStateTracker | None) -> List[dict]:
    """A tracker's events as Rasa stores them."""
    assert tracker is not None
    return [event.as_dict() for event in tracker.events]


def turn(store: LanternTrackerStore, sender: str, text: str) -> DialogueStateTracker:
    """What the processor does for one message: load or create, add events, save."""
    tracker = run(store.get_or_create_tracker(sender))
    tracker.update(UserUttered(text, {"name": "greet", "confidence": 1.0}))
    tracker.update(ActionExecuted("utter_greet"))
    tracker.update(ActionExecuted("action_listen"))
    run(store.save(tracker))
    return tracker


def test_a_conversation_is_held_between_turns_and_stored_exactly_once(
    tracker_store: LanternTrackerStore, sender: str
) -> None:
    first = turn(tracker_store, sender, "hello")
    second = turn(tracker_store, sender, "again")
    assert second is first  # held, not rebuilt from the database
    assert stored(tracker_store, sender) == dump(second)  # every event once, in order
    # a restart loads the same conversation from the database
    assert dump(run(LanternTrackerStore().retrieve(sender))) == dump(second)


def test_turns_written_by_another_instance_are_loaded(
    tracker_store: LanternTrackerStore, sender: str
) -> None:
    here = turn(tracker_store, sender, "hello")
    other = LanternTrackerStore()  # a second instance on the same database
    there = turn(other, sender, "from the other instance")
    loaded = run(tracker_store.retrieve(sender))
    assert loaded is not here
    assert dump(loaded) == dump(there) == stored(tracker_store, sender)


def test_a_purged_conversation_is_not_served_from_memory(
    tracker_store: LanternTrackerStore, sender: str
) -> None:
    turn(tracker_store, sender, "something personal")
    table = tracker_store.SQLEvent.__table__
    with tracker_store.engine.begin() as connection:
        connection.execute(sa.delete(table).where(table.c.sender_id == sender))
    assert run(tracker_store.retrieve(sender)) is None
    fresh = turn(tracker_store, sender, "new start")
    texts = [e.text for e in fresh.events if isinstance(e, UserUttered)]
    assert texts == ["new start"]
    assert stored(tracker_store, sender) == dump(fresh)


def test_a_tracker_changed_after_its_save_is_reloaded(
    tracker_store: LanternTrackerStore, sender: str
) -> None:
    held = turn(tracker_store, sender, "hello")
    held.update(SlotSet("substance", "ketamine"))  # a turn that failed before saving
    loaded = run(tracker_store.retrieve(sender))
    assert loaded is not held
    assert dump(loaded) == stored(tracker_store, sender)
    assert not any(isinstance(e, SlotSet) for e in loaded.events)


def test_a_new_session_is_held_as_the_database_would_load_it(
    tracker_store: LanternTrackerStore, sender: str
) -> None:
    old = turn(tracker_store, sender, "yesterday")
    old.update(ActionExecuted("action_session_start"))
    old.update(SessionStarted())
    old.update(ActionExecuted("action_listen"))
    old.update(UserUttered("today", {"name": "greet", "confidence": 1.0}))
    run(tracker_store.save(old))
    held = run(tracker_store.retrieve(sender))
    from_database = run(LanternTrackerStore().retrieve(sender))
    assert dump(held) == dump(from_database)
    assert [e.text for e in held.events if isinstance(e, UserUttered)] == ["today"]
    # and the next turn stores only its own events
    turn(tracker_store, sender, "later today")
    assert len(stored(tracker_store, sender)) == len(dump(old)) + 3


def test_holding_is_limited_in_number_and_time(
    tracker_store: LanternTrackerStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    tracker_store.held_max = 3
    for n in range(5):
        turn(tracker_store, f"limit-{n}", "hello")
    assert list(tracker_store.held) == ["limit-2", "limit-3", "limit-4"]
    tracker_store.held_seconds = 0.0
    earlier = tracker_store.held["limit-4"].tracker
    assert run(tracker_store.retrieve("limit-4")) is not earlier  # expired: loaded
    turn(tracker_store, "limit-5", "hello")  # a save drops what expired
    assert list(tracker_store.held) == ["limit-5"]


def test_without_holding_the_store_behaves_as_rasas(
    tracker_store: LanternTrackerStore, sender: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LANTERN_HELD_TRACKERS", "0")
    plain = LanternTrackerStore()
    for text in ("one", "two", "three"):
        turn(plain, sender, text)
    assert plain.held == {}
    assert len(stored(plain, sender)) == 1 + 3 * 3  # action_listen, then 3 per turn


def test_a_conversation_loaded_from_the_database_is_held_from_then_on(
    tracker_store: LanternTrackerStore, sender: str
) -> None:
    turn(tracker_store, sender, "before the restart")
    restarted = LanternTrackerStore()
    loaded = turn(restarted, sender, "after the restart")  # loaded, then saved
    assert turn(restarted, sender, "and again") is loaded
    assert stored(restarted, sender) == dump(loaded)
    assert len(stored(restarted, sender)) == 1 + 3 * 3
