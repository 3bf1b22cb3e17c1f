"""What the speed-up tests compare: everything a tracker holds."""

from __future__ import annotations

from typing import Any

from rasa.shared.core.trackers import DialogueStateTracker


def tracker_view(tracker: DialogueStateTracker) -> Any:
    """Everything a tracker holds, its events as dicts and as positions of shared objects."""
    from rasa.shared.core.trackers import EventVerbosity

    events = list(tracker.events)

    def position(event: Any) -> Any:  # which event the tracker points at, if any
        found = next((i for i, e in enumerate(events) if e is event), None)
        return found if found is not None else (type(event).__name__, event.text)

    return (
        tracker.current_state(EventVerbosity.ALL),
        {name: (type(slot), slot.__dict__) for name, slot in tracker.slots.items()},
        type(tracker.slots),
        tracker.active_loop,
        tracker.latest_action,
        tracker.followup_action,
        tracker._paused,
        position(tracker.latest_message),
        position(tracker.latest_bot_utterance),
        tracker.model_id,
        tracker.assistant_id,
        tracker.sender_source,
        tracker.is_rule_tracker,
        tracker._max_event_history,
    )
