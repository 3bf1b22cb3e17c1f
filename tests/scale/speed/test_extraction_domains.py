"""lantern/speed/extraction.py on any small domain: Rasa's result, whatever the mappings."""

from __future__ import annotations

import copy
from typing import Any

import numpy as np
import pytest
from rasa.shared.core.events import SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from tests.scale.speed.extraction_cases import (
    domain_with,
    fake_action_server,
    same_extraction,
    skips,
    slot_mappings,
)


def test_slot_extraction_on_small_domains_is_rasas(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any mappings, loops, requested slots, messages and action answers: Rasa's result."""
    from hypothesis import given, settings
    from hypothesis import strategies as st
    from rasa.shared.core.events import ActiveLoop

    calls: list = []
    moves: list = [None]
    fake_action_server(monkeypatch, calls, moves)
    absent = object()
    entity = st.fixed_dictionaries(
        {
            "entity": st.sampled_from(["thing", "place", "nope"]),
            "value": st.sampled_from(["v", None]),
        },
        optional={"role": st.just("from")},
    )
    message = st.one_of(
        st.none(),
        st.builds(
            lambda text, name, found: UserUttered(text, {"name": name} if name else {}, found),
            st.sampled_from(["hello", "", None]),
            st.sampled_from([None, "greet", "inform", "stop", ("odd",), ["unhashable"]]),
            st.lists(entity, max_size=2),
        ),
    )
    kinds, seen = st.sampled_from(["any", "text", "list"]), []

    @settings(max_examples=400, deadline=None)
    @given(
        st.lists(
            st.tuples(kinds, st.lists(slot_mappings(), min_size=1, max_size=3)),
            min_size=1,
            max_size=4,
        ),
        st.booleans(),
        st.lists(st.sampled_from(["s0", "s1", "s2"]), unique=True),
        st.sampled_from(["domain", "no requested_slot", "any"]),
        st.sampled_from([None, "form_a", "form_b", "", "never_active", "should_not_be_set"]),
        st.booleans(),
        st.sampled_from([absent, None, "s0", "s1", 3, ["s0"], np.array(["s0", "s1"])]),
        st.sampled_from([absent, "before", None]),
        message,
        st.sampled_from([None, "form_a", "form_b"]),
    )
    def same(
        slots: list,
        validate: bool,
        required: list,
        slot_kinds: str,
        loop: Any,
        rejected: bool,
        requested: Any,
        before: Any,
        latest: Any,
        moved: Any,
    ) -> None:
        domain = domain_with(slots, validate, [r for r in required if int(r[1]) < len(slots)])
        moves[0] = moved

        def build() -> DialogueStateTracker:
            slots = {
                "domain": domain.slots,
                "no requested_slot": [s for s in domain.slots if s.name != "requested_slot"],
                "any": None,  # Rasa's AnySlotDict: every slot exists, made when read
            }[slot_kinds]
            tracker = DialogueStateTracker("extract", slots)
            if before is not absent:
                tracker.update(SlotSet("s0", before))
            if requested is not absent:
                tracker.update(SlotSet("requested_slot", requested))
            if loop is not None:
                tracker.update(ActiveLoop(loop))
                tracker.active_loop.rejected = rejected  # type: ignore[union-attr]
            if latest is not None:
                tracker.update(copy.deepcopy(latest))
            return tracker

        outcome, warned, logged = same_extraction(build, domain, calls)
        seen.append((skips(build(), domain), type(outcome), bool(warned), bool(logged)))

    same()
    assert sum(s[0] for s in seen) >= len(seen) // 10  # the skip itself was tested (~20%)
    assert {s[1] for s in seen} == {list, tuple}  # events, and Rasa's errors
    assert any(s[2] for s in seen) and any(s[3] for s in seen)

    # the loop changes while a custom action runs: the mappings after it see the new one
    moves[0] = "form_a"
    text_in_form = {"type": "from_text", "conditions": [{"active_loop": "form_a"}]}
    domain = domain_with(
        [("any", [{"type": "custom", "action": "action_c"}]), ("any", [text_in_form])], False, []
    )

    def greeted() -> DialogueStateTracker:
        tracker = DialogueStateTracker("extract", domain.slots)
        tracker.update(UserUttered("hello", {"name": "greet"}))
        return tracker

    outcome, _, _ = same_extraction(greeted, domain, calls)
    assert [(d["name"], d["value"]) for t, d in outcome if t is SlotSet] == [
        ("s0", "from c"),
        ("s1", "hello"),
    ]
