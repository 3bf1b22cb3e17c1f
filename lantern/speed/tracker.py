"""`LanternTracker`: Rasa's tracker that keeps what it worked out and copies directly.

Lantern's tracker store gives these out (lantern/persistence/stores.py). Each prediction
asks a tracker for its states (replaying every event on a fresh tracker) and
its applied events (a pass from the first event), and each action runs on a
copy (another full replay). A tracker's state is what its events make, so this
one keeps the states and the pass where they stopped and carries on with the
new events, and copies by taking the state itself. Anything it cannot prove the
same (a rewind, a capped history, a subclass) goes to Rasa's own code.
"""

from __future__ import annotations

import copy
import operator
from collections import deque
from itertools import islice
from typing import Any, Dict, List, Sequence, Tuple

from rasa.shared.constants import DEFAULT_SENDER_ID
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    ActionReverted,
    ActiveLoop,
    DefinePrevUserUtteredFeaturization,
    EntitiesAdded,
    Event,
    Restarted,
    SessionStarted,
    UserUtteranceReverted,
    UserUttered,
)
from rasa.shared.core.slots import Slot
from rasa.shared.core.trackers import DialogueStateTracker

#: the time Rasa's copy replays up to
_FOREVER = float("inf")
#: events that change the latest user message in place (its entities, its featurization)
_IN_PLACE = (EntitiesAdded, DefinePrevUserUtteredFeaturization)


def copy_slot(slot: Slot) -> Slot:
    """`copy.copy(slot)` without the generic protocol: a new instance, same attributes."""
    copied = object.__new__(type(slot))
    copied.__dict__.update(slot.__dict__)
    return copied


def _last(events: Sequence[Event], kind: type) -> Event | None:
    """The most recent event of `kind`, if any."""
    return next((e for e in reversed(events) if isinstance(e, kind)), None)


def _begins_with(events: Sequence[Event], start: Sequence[Event]) -> bool:
    """Whether `events` begin with the very event objects of `start`."""
    return len(events) >= len(start) and all(map(operator.is_, start, events))


class LanternTracker(DialogueStateTracker):
    """A `DialogueStateTracker` whose states, applied events and copies cost less."""

    @classmethod
    def adopt(cls, tracker: DialogueStateTracker) -> DialogueStateTracker:
        """Make a plain Rasa tracker this class, in place (it keeps no state of its own yet)."""
        if type(tracker) is DialogueStateTracker:
            tracker.__class__ = cls
        return tracker

    def init_copy(self) -> DialogueStateTracker:
        """Rasa's fresh tracker with this one's initial slots, slots copied directly."""
        fresh = DialogueStateTracker(
            self.sender_id or DEFAULT_SENDER_ID,
            (),
            self._max_event_history,
            is_rule_tracker=self.is_rule_tracker,
        )
        fresh.slots = {slot.name: copy_slot(slot) for slot in self.slots.values()}
        for slot in fresh.slots.values():
            slot.reset()
        return fresh

    def replay_needed(self) -> bool:
        """Whether a copy could differ from this tracker's state taken directly."""
        events = self.events
        return (
            type(self) is not LanternTracker
            or self._max_event_history is not None  # the replay sees only the kept events
            # an empty latest message: events can add to it, the copy needs its own
            or self.latest_message is not _last(events, UserUttered)
            or not all(e.timestamp <= _FOREVER for e in events)  # the replay stops at NaN
        )

    def copy(self) -> DialogueStateTracker:
        """The state Rasa's replay of the events would make, taken directly.

        The same events, copies of the slots and the active loop, and what the
        replay shares with the events (the latest message and bot utterance) shared.
        """
        if self.replay_needed():
            return super().copy()
        copied = object.__new__(LanternTracker)
        copied.__dict__.update(
            _max_event_history=None,
            events=deque(self.events),
            sender_id=self.sender_id or DEFAULT_SENDER_ID,
            slots={slot.name: copy_slot(slot) for slot in self.slots.values()},
            sender_source=None,  # what Rasa's copy keeps of the tracker itself
            is_rule_tracker=self.is_rule_tracker,
            _paused=self._paused,
            followup_action=self.followup_action,
            latest_action=dict(self.latest_action),
            latest_message=self.latest_message,
            latest_bot_utterance=self.latest_bot_utterance,
            active_loop=copy.copy(self.active_loop),
            model_id=None,
            assistant_id=None,
        )
        return copied

    def applied_events(self) -> List[Event]:
        """Rasa's applied events, its pass carried on from where it got to."""
        if type(self) is not LanternTracker:
            return super().applied_events()
        events = self.events
        kept = self.__dict__.get("_lantern_applied")
        new = list(islice(events, len(kept.seen), None)) if kept is not None else []
        if kept is None or not kept.fits(events, new):
            kept = self.__dict__["_lantern_applied"] = _Applied(events)
            new = list(events)
        kept.extend(self, new)
        return list(kept.applied)

    def past_states(
        self,
        domain: Domain,
        omit_unset_slots: bool = False,
        ignore_rule_only_turns: bool = False,
        rule_only_data: Dict[str, Any] | None = None,
    ) -> List[Dict[str, Any]]:
        """Rasa's states of the history, continued from the last call's."""
        if ignore_rule_only_turns or type(self) is not LanternTracker:
            return super().past_states(
                domain, omit_unset_slots, ignore_rule_only_turns, rule_only_data
            )
        applied = self.applied_events()
        kept = self.__dict__.get("_lantern_states")
        if kept is None or not kept.fits(domain, omit_unset_slots, applied):
            kept = self.__dict__["_lantern_states"] = _States(domain, omit_unset_slots, self)
        kept.extend(applied)
        return kept.all()


class _Kept:
    """What a tracker keeps between calls: never copied or pickled with it."""

    def __deepcopy__(self, memo: Dict[int, Any]) -> None:
        """A copied tracker starts its own."""
        return None

    def __reduce__(self) -> Tuple[Any, Tuple[()]]:
        """A pickled tracker does not carry it either."""
        return (type(None), ())


class _States(_Kept):
    """The states of a tracker's history so far, and the replay they came from.

    `Domain.states_for_tracker_history` makes a state before each action of the
    applied events; a state depends only on the events before it.
    """

    def __init__(self, domain: Domain, omit_unset_slots: bool, tracker: LanternTracker) -> None:
        self.domain = domain
        self.omit_unset_slots = omit_unset_slots
        self.replay = tracker.init_copy()
        self.events: List[Event] = []  # the applied events replayed so far
        self.states: List[Dict[str, Any]] = []  # one before each action among them
        # the user messages those states were made from (kept alive: ids stay unique)
        self.stated: Dict[int, Event] = {}

    def fits(self, domain: Domain, omit_unset_slots: bool, applied: List[Event]) -> bool:
        """Whether these states are the start of `applied`'s, for this domain."""
        return (
            domain is self.domain
            and omit_unset_slots == self.omit_unset_slots
            and _begins_with(applied, self.events)
            and not self._restated(applied[len(self.events) :])
        )

    def _restated(self, new: List[Event]) -> bool:
        """Whether a new event changed a user message these states were made from.

        Two events change the latest user message in place, and had changed it
        before these states are extended: a replay now would see the change.
        """
        for event in new:
            if isinstance(event, UserUttered):
                return False  # what follows changes this new message
            if isinstance(event, _IN_PLACE) and id(self.replay.latest_message) in self.stated:
                return True
        return False

    def extend(self, applied: List[Event]) -> None:
        """Replay the events after those seen, as `generate_all_prior_trackers` does."""
        for event in applied[len(self.events) :]:
            if isinstance(event, ActionExecuted):
                self.states.append(self._state())
                message = self.replay.latest_message
                self.stated[id(message)] = message
            self.replay.update(event)
            self.events.append(event)

    def _state(self) -> Dict[str, Any]:
        state = self.domain.get_active_state(self.replay, omit_unset_slots=self.omit_unset_slots)
        return self.domain._clean_state(state)

    def all(self) -> List[Dict[str, Any]]:
        """Copies of the states (callers edit them), and the state after the last event."""
        return [
            {kind: dict(sub) for kind, sub in state.items()}
            for state in [*self.states, self._state()]
        ]


class _Applied(_Kept):
    """Rasa's pass over a tracker's events for `applied_events`, as far as it got.

    Rasa works them out in one pass that carries a list from event to event,
    given the names of the forms the conversation ever activated.
    """

    def __init__(self, events: Sequence[Event]) -> None:
        self.loop_names = {e.name for e in events if isinstance(e, ActiveLoop) and e.name}
        self.seen: List[Event] = []
        self.applied: List[Event] = []

    def fits(self, events: Sequence[Event], new: List[Event]) -> bool:
        """Whether `events` begin with those seen, and `new` activates no other form."""
        return _begins_with(events, self.seen) and all(
            e.name in self.loop_names for e in new if isinstance(e, ActiveLoop) and e.name
        )

    def extend(self, tracker: DialogueStateTracker, new: List[Event]) -> None:
        """Rasa's pass (`DialogueStateTracker.applied_events`) over the events in `new`."""
        applied = self.applied
        for event in new:
            if isinstance(event, (Restarted, SessionStarted)):
                applied.clear()
            elif isinstance(event, ActionReverted):
                tracker._undo_till_previous(ActionExecuted, applied)
            elif isinstance(event, UserUtteranceReverted):
                tracker._undo_till_previous(UserUttered, applied)
                tracker._undo_till_previous(ActionExecuted, applied)
            elif (
                isinstance(event, ActionExecuted)
                and event.action_name in self.loop_names
                and not tracker._first_loop_execution_or_unhappy_path(event.action_name, applied)
            ):
                tracker._undo_till_previous_loop_execution(event.action_name, applied)
            else:
                applied.append(event)
        self.seen.extend(new)
