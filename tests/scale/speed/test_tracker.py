"""lantern/speed/tracker.py: states, applied events and copies exactly as Rasa's replay makes them.

Each test feeds the same events (copies) to Rasa's tracker and to a `LanternTracker`.
"""

from __future__ import annotations

import asyncio
import copy
from typing import Any, Iterator, List

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rasa.core.tracker_store import AwaitableTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    ActiveLoop,
    BotUttered,
    EntitiesAdded,
    SlotSet,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker

from lantern.paths import DOMAIN_DIR
from lantern.speed import guard
from lantern.speed.tracker import LanternTracker, copy_slot
from tests.scale.speed.views import tracker_view

DOMAIN = Domain.load(DOMAIN_DIR)


def _pair(slots: Any = DOMAIN.slots, history: int | None = None) -> List[DialogueStateTracker]:
    """Rasa's tracker and Lantern's, alike."""
    return [cls("someone", slots, history) for cls in (DialogueStateTracker, LanternTracker)]


def _update(trackers: List[DialogueStateTracker], event: Any) -> None:
    for tracker in trackers:
        tracker.update(copy.deepcopy(event))


def _conversation_events() -> Any:
    """A hypothesis strategy of the events of a conversation, rewinds and restarts included."""
    from hypothesis import strategies as st
    from rasa.shared.core.events import (
        ActionExecutionRejected,
        ActionReverted,
        ActiveLoop,
        AllSlotsReset,
        ConversationPaused,
        ConversationResumed,
        DefinePrevUserUtteredFeaturization,
        EntitiesAdded,
        FollowupAction,
        LoopInterrupted,
        Restarted,
        SessionStarted,
        UserUtteranceReverted,
    )

    user = st.builds(
        lambda intent, substance: UserUttered(
            "text",
            {"name": intent, "confidence": 0.9},
            [{"entity": "substance", "value": substance}] if substance else [],
        ),
        st.sampled_from(["greet", "ask_addiction_risk", "affirm", "ask_cost_insurance"]),
        st.sampled_from([None, "ketamine", "psilocybin"]),
    )
    action = st.sampled_from(
        ["action_listen", "action_answer", "intake_form", "utter_greet", "action_did_you_mean"]
    ).map(ActionExecuted)
    slot = st.builds(
        SlotSet,
        st.sampled_from(["substance", "region", "crisis_shown", "requested_slot"]),
        st.sampled_from([None, "ketamine", "us", True, "intake_reason"]),
    )
    others = st.sampled_from(
        [
            ActiveLoop("intake_form"),
            ActiveLoop(None),
            UserUtteranceReverted(),
            ActionReverted(),
            Restarted(),
            SessionStarted(),
            BotUttered("hi"),
            LoopInterrupted(True),
            ActionExecutionRejected("intake_form"),
            FollowupAction("action_answer"),
            ConversationPaused(),
            ConversationResumed(),
            AllSlotsReset(),
            EntitiesAdded([{"entity": "condition", "value": "ptsd"}]),
            DefinePrevUserUtteredFeaturization(True),
        ]
    )
    return st.one_of(user, action, action, slot, others)


def test_states_continue_exactly_as_rasas_replay_makes_them() -> None:
    """Growing, rewound and restarted conversations: the same states as Rasa's replay."""
    # (event, whether states are asked for after it): unasked, a rewind can be followed
    # by more events than were kept, with other events before them
    events = st.lists(st.tuples(_conversation_events(), st.booleans()))

    @settings(max_examples=200, deadline=None)
    @given(events, st.booleans())
    def same_states(sequence: list, omit_unset_slots: bool) -> None:
        theirs, ours = pair = _pair()
        for event, ask in sequence:
            _update(pair, event)
            if not ask:
                continue
            states = ours.past_states(DOMAIN, omit_unset_slots)
            assert states == theirs.past_states(DOMAIN, omit_unset_slots)
            for state in states:  # callers edit what they get: the kept states must not change
                for sub_state in state.values():
                    sub_state.clear()
        assert copy.deepcopy(ours).__dict__.get("_lantern_states") is None

    same_states()
    # a user message changed in place after a kept state was made from it
    theirs, ours = pair = _pair()
    _update(pair, UserUttered("text", {"name": "greet", "confidence": 0.9}))
    _update(pair, ActionExecuted("action_listen"))
    ours.past_states(DOMAIN)
    _update(pair, EntitiesAdded([{"entity": "condition", "value": "ptsd"}]))
    assert ours.past_states(DOMAIN) == theirs.past_states(DOMAIN)
    assert "_lantern_states" in ours.__dict__  # the kept states were used


def test_applied_events_continue_exactly_as_rasas_pass_makes_them() -> None:
    """Growing, rewound and restarted conversations, forms: Rasa's applied events."""
    # a second form's name, and its action run before and after it is activated
    extra = st.sampled_from([ActiveLoop("other_form"), ActionExecuted("other_form")])
    events = st.lists(st.tuples(st.one_of(_conversation_events(), extra), st.booleans()))
    rasas = DialogueStateTracker.applied_events  # Rasa's pass over our tracker's own events

    @settings(max_examples=300, deadline=None)
    @given(events, st.sampled_from([None, 4]))
    def same_events(sequence: list, history: int | None) -> None:
        # a capped history drops its first events: what was seen is no longer the start
        (tracker,) = _pair(DOMAIN.slots, history)[1:]
        for event, ask in sequence:
            tracker.update(copy.deepcopy(event))
            if not ask:
                continue
            ours = tracker.applied_events()
            assert ours == rasas(tracker)
            assert all(a is b for a, b in zip(ours, rasas(tracker), strict=True))
            ours.clear()  # callers may edit what they get
        assert copy.deepcopy(tracker).__dict__.get("_lantern_applied") is None
        assert tracker.applied_events() == rasas(tracker)

    same_events()
    shortened = LanternTracker("someone", DOMAIN.slots)
    for event in (ActionExecuted("action_listen"), UserUttered("hi"), ActionExecuted("x")):
        shortened.update(event)
    shortened.applied_events()
    shortened.events.pop()  # events taken away at the end
    assert shortened.applied_events() == rasas(shortened)


def test_trackers_copy_as_rasas_replay_copies_them() -> None:
    """The direct copy holds what Rasa's replayed copy holds, and is as independent."""
    direct = []
    turn = [
        ActionExecuted("action_listen"),
        UserUttered("is it addictive?", {"name": "ask_addiction_risk", "confidence": 0.9}),
        ActionExecuted("action_answer"),
        BotUttered("an answer"),
    ]

    @settings(max_examples=300, deadline=None)
    @given(
        st.lists(_conversation_events()),
        st.booleans(),
        st.lists(_conversation_events(), max_size=6),
        st.sampled_from([None, None, None, 3]),
        st.sampled_from([True, True, True, False]),
    )
    def same_copy(
        sequence: list, answered: bool, more: list, history: int | None, domain_slots: bool
    ) -> None:
        theirs, ours = pair = _pair(DOMAIN.slots if domain_slots else None, history)
        for tracker in pair:
            tracker.model_id, tracker.sender_source = "model", "a file"
        for event in sequence + turn if answered else sequence:
            _update(pair, event)
        direct.append(not ours.replay_needed())
        assert tracker_view(theirs) == tracker_view(ours)
        copies = theirs.copy(), ours.copy()
        assert tracker_view(copies[0]) == tracker_view(copies[1])
        for copied in copies:  # the next turn, and edits, on the copy only
            for event in copy.deepcopy(more):
                copied.update(event)
            if copied.active_loop:
                copied.active_loop.rejected = True
            copied.latest_action["action_name"] = "edited"
            for slot in copied.slots.values():
                slot.value = "edited"
        assert tracker_view(copies[0]) == tracker_view(copies[1])
        assert tracker_view(theirs) == tracker_view(ours)

    same_copy()
    assert sum(direct) >= len(direct) // 4  # the direct copy itself was tested
    theirs, ours = pair = _pair()
    for event in turn:
        _update(pair, event)
    for tracker in pair:
        tracker.events[1].timestamp = float("nan")  # Rasa's replay stops there
    assert ours.replay_needed()
    assert tracker_view(ours.copy()) == tracker_view(theirs.copy())


def test_fresh_trackers_and_slots_copy_as_rasas() -> None:
    theirs, ours = pair = _pair()
    for event in (SlotSet("substance", "ketamine"), ActiveLoop("intake_form")):
        _update(pair, event)
    assert tracker_view(ours.init_copy()) == tracker_view(theirs.init_copy())
    assert len(DOMAIN.slots) > 10
    for slot in DOMAIN.slots:
        slot.value = ["a", "list"] if slot.type_name == "list" else slot.value
        generic = copy.copy(slot)
        direct = copy_slot(slot)
        assert type(direct) is type(slot) and direct is not slot
        assert direct.__dict__ == generic.__dict__ == slot.__dict__
        assert direct.__dict__ is not slot.__dict__
        direct.value = "changed"
        assert slot.value != "changed"  # a copy, not the same slot


@pytest.fixture
def wrapped_store(tracker_store: Any) -> Iterator[Any]:
    """Lantern's tracker store as Rasa wraps every tracker store (it makes new trackers)."""
    tracker_store.domain = DOMAIN
    yield AwaitableTrackerStore(tracker_store)


def test_the_tracker_store_gives_out_lantern_trackers(wrapped_store: Any) -> None:
    created = asyncio.run(wrapped_store.create_tracker("adopted"))
    assert type(created) is LanternTracker  # made by Rasa's wrapper, adopted when saved
    created.update(UserUttered("hi", {"name": "greet"}))
    asyncio.run(wrapped_store.save(created))
    assert asyncio.run(wrapped_store.retrieve("adopted")) is created  # held
    wrapped_store._tracker_store.held.clear()
    loaded = asyncio.run(wrapped_store.retrieve("adopted"))
    assert type(loaded) is LanternTracker and loaded.events == created.events


def test_the_tracker_store_gives_out_rasas_trackers_when_switched_off(
    monkeypatch: pytest.MonkeyPatch, tracker_store: Any
) -> None:
    from lantern.persistence.stores import LanternTrackerStore

    monkeypatch.setenv(guard.SWITCH, "0")
    store = AwaitableTrackerStore(LanternTrackerStore(domain=DOMAIN))
    created = asyncio.run(store.create_tracker("stock"))
    store._tracker_store.held.clear()
    assert type(created) is type(asyncio.run(store.retrieve("stock"))) is DialogueStateTracker
