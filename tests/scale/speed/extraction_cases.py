"""Rasa's and Lantern's slot extraction side by side: events, warnings, logs, action calls."""

from __future__ import annotations

import copy
import logging
from typing import Any, Dict

import pytest
from rasa.core.actions.action import ActionExtractSlots
from rasa.shared.core.events import ActionExecuted, BotUttered, SlotSet
from rasa.shared.core.trackers import DialogueStateTracker

from lantern.speed.extraction import _extraction_plan, _skip_state, extract_slots
from tests.scale.speed.views import tracker_view

#: Rasa's own `ActionExtractSlots.run` (the patches are not installed at import)
RASA_RUN = ActionExtractSlots.run
assert RASA_RUN is not extract_slots


class LogRecords(logging.Handler):
    """Every record Rasa's loggers write, as (logger, level, message)."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append((record.name, record.levelno, record.getMessage()))


def extraction(run: Any, tracker: DialogueStateTracker, domain: Any) -> Any:
    """What `run` (an `ActionExtractSlots.run`) gives, warns and logs for `tracker`."""
    import warnings

    from rasa.core.actions.action import ActionExtractSlots

    rasa_logger = logging.getLogger("rasa")
    level, records = rasa_logger.level, LogRecords()
    rasa_logger.addHandler(records)
    rasa_logger.setLevel(logging.DEBUG)
    try:
        with warnings.catch_warnings(record=True) as warned:
            warnings.simplefilter("always")
            coroutine = run(ActionExtractSlots(None), None, None, tracker, domain)
            try:
                coroutine.send(None)  # the fake action server answers at once
            except StopIteration as stop:
                outcome: Any = [
                    (type(e), {k: v for k, v in e.as_dict().items() if k != "timestamp"})
                    for e in stop.value
                ]
            except Exception as error:  # Rasa's own failure must be the same
                outcome = (type(error), str(error))
            else:
                raise AssertionError("the fake action server does not wait")
    finally:
        rasa_logger.removeHandler(records)
        rasa_logger.setLevel(level)
    return outcome, [(w.category, str(w.message)) for w in warned], records.records


def fake_action_server(monkeypatch: pytest.MonkeyPatch, calls: list, moves: list) -> None:
    """Custom actions answer from here; `action_c` may change the tracker's loop meanwhile."""
    from rasa.core.actions.action import RemoteAction
    from rasa.shared.exceptions import RasaException

    async def run(self: Any, output_channel: Any, nlg: Any, tracker: Any, domain: Any) -> list:
        calls.append((self.name(), tracker.active_loop_name, len(tracker.events)))
        if self.name() == "action_d":
            raise RasaException("the action server is down")
        if self.name() == "action_validateslot_mappings":
            return [SlotSet("s1", None), BotUttered("checked")]
        if moves and moves[0] is not None:
            tracker.change_loop_to(moves[0])
        return [SlotSet("s0", "from c"), BotUttered("hi"), ActionExecuted("not allowed")]

    monkeypatch.setattr(RemoteAction, "run", run)


def same_extraction(build: Any, domain: Any, calls: list) -> Any:
    """Rasa's and Lantern's extraction on copies of a tracker from `build`: what Rasa's gave."""
    rasa_tracker = build()
    our_tracker = copy.deepcopy(rasa_tracker)
    theirs = extraction(RASA_RUN, rasa_tracker, domain)
    rasa_calls = list(calls)
    calls.clear()
    ours = extraction(extract_slots, our_tracker, domain)
    assert ours == theirs
    assert calls == rasa_calls
    # slots made on demand too (repr: a slot may hold an array)
    assert repr(tracker_view(our_tracker)) == repr(tracker_view(rasa_tracker))
    calls.clear()
    return theirs


def skips(tracker: DialogueStateTracker, domain: Any) -> bool:
    """Whether Lantern's extraction skips any mapping for `tracker`."""
    skipping, loop = _skip_state(tracker)
    plan = _extraction_plan(domain)
    return skipping and any(
        loops is not None and loop not in loops for _, mappings in plan for _, loops in mappings
    )


def domain_with(slots: list, validate: bool, required: list) -> Any:
    """A small domain: slots s0.. with the given (type, mappings), two forms, custom actions."""
    import warnings

    from rasa.shared.core.domain import Domain

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return Domain.from_dict(
            {
                "version": "3.1",
                "intents": ["greet", "inform", "stop"],
                "entities": ["thing", {"place": {"roles": ["from", "to"]}}],
                "slots": {
                    f"s{i}": {"type": kind, "mappings": mappings}
                    for i, (kind, mappings) in enumerate(slots)
                },
                "forms": {
                    "form_a": {"required_slots": required, "ignored_intents": ["stop"]},
                    "form_b": {"required_slots": []},
                },
                "actions": ["action_c", "action_d"]
                + (["action_validateslot_mappings"] if validate else []),
            }
        )


def slot_mappings() -> Any:
    """A hypothesis strategy of slot mappings of every type, odd ones included."""
    from hypothesis import strategies as st

    # mostly conditions that name a loop, some that name none or are not dicts
    conditions = [
        {"active_loop": "form_a"},
        {"active_loop": "form_b"},
        {"active_loop": "never_active"},
        {"active_loop": "form_a", "requested_slot": "s0"},
        {"active_loop": "form_b", "requested_slot": None},
        {"active_loop": None},
        {"active_loop": ""},
        {"requested_slot": "s1"},
        "form_a",
    ]
    condition = st.sampled_from(conditions[:5] * 3 + conditions[5:])

    def mapping(
        kind: str, conditions: Any, intent: Any, not_intent: Any, entity: str, other: Any
    ) -> Dict[str, Any]:
        made: Dict[str, Any] = {"type": kind}
        if kind == "from_entity":
            made["entity"] = entity
            if other:
                made["role"] = "from"
        elif kind in ("from_intent", "from_trigger_intent"):
            made["value"] = other if other is not None else "chosen"
        elif kind == "custom" and other:
            made["action"] = "action_d" if other is True else "action_c"
        for key, value in (("intent", intent), ("not_intent", not_intent)):
            if value is not None:
                made[key] = value
        if conditions is not None:
            made["conditions"] = conditions
        return made

    return st.builds(
        mapping,
        st.sampled_from(
            ["from_text", "from_entity", "from_intent", "from_trigger_intent", "custom"]
        ),
        st.one_of(st.sampled_from([None, []]), st.lists(condition, min_size=1, max_size=3)),
        st.sampled_from([None, "greet", ["greet", "inform"], "unknown", [], [""]]),
        st.sampled_from([None, None, ["stop"], "greet", [], [["unhashable"]]]),
        st.sampled_from(["thing", "place", "nope"]),
        st.sampled_from([None, True, 0, "v"]),
    )
