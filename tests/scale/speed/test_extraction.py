"""lantern/speed/extraction.py: slot extraction with Rasa's events, warnings, logs and calls."""

from __future__ import annotations

import logging
from typing import Any, Dict

import numpy as np
import pytest
from rasa.shared.core.events import SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from lantern.speed import guard
from lantern.speed.extraction import _extraction_plan
from tests.scale.speed.extraction_cases import (
    RASA_RUN,
    domain_with,
    extraction,
    fake_action_server,
    same_extraction,
    skips,
)
from tests.servers import ROOT


def test_slot_extraction_on_lantern_domain_is_rasas(monkeypatch: pytest.MonkeyPatch) -> None:
    """The 36 intake mappings are skipped outside the form; events, logs and calls as Rasa's."""

    from hypothesis import given, settings
    from hypothesis import strategies as st
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import ActiveLoop

    # the Rasa code `extract_slots` repeats and `_skippable_loops` reasons about
    assert not [p for p in guard.problems() if p.startswith("extraction")], "re-read Rasa's code"
    domain = Domain.load(ROOT / "domain.yml")
    skippable = [
        loops for _, ms in _extraction_plan(domain) for _, loops in ms if loops is not None
    ]
    assert len(skippable) == 36 and set(skippable) == {frozenset({"intake_form"})}
    intake = sorted(s.name for s in domain.slots if s.name.startswith("intake_"))
    calls: list = []
    fake_action_server(monkeypatch, calls, [])
    entities = [
        {"entity": "region", "value": "uk"},
        {"entity": "substance", "value": "ketamine"},
        {"entity": "condition", "value": "ptsd"},
    ]
    skipped, filled = [], []

    @settings(max_examples=200, deadline=None)
    @given(
        st.sampled_from([None, "intake_form", "other_form"]),
        st.booleans(),
        st.sampled_from([None, *intake[:3], "substance"]),
        st.sampled_from([None, *domain.intents]),
        st.lists(st.sampled_from(entities), max_size=2),
        st.sampled_from(["yes", "", None, "03/04/1990", "is ketamine addictive?"]),
    )
    def same(
        loop: Any, rejected: bool, requested: Any, intent: Any, found: list, text: Any
    ) -> None:
        def build() -> DialogueStateTracker:
            tracker = DialogueStateTracker("extract", domain.slots)
            tracker.update(SlotSet("requested_slot", requested))
            if loop:
                tracker.update(ActiveLoop(loop))
                tracker.active_loop.rejected = rejected  # type: ignore[union-attr]
            tracker.update(UserUttered(text, {"name": intent} if intent else {}, list(found)))
            return tracker

        outcome = same_extraction(build, domain, calls)
        skipped.append(skips(build(), domain))
        filled.append(bool(outcome[0]))

    same()
    assert sum(skipped) >= len(skipped) // 3 and any(filled)
    domain.slots = [s for s in domain.slots if not s.name.startswith("intake_")]
    assert all(loops is None for _, ms in _extraction_plan(domain) for _, loops in ms)


def test_slot_extraction_leaves_to_rasa_what_could_fill_fail_log_or_warn(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Conditions that can match, and each case where Rasa's checks of a mapping have an effect."""
    from rasa.shared.core.events import ActiveLoop

    calls: list = []
    fake_action_server(monkeypatch, calls, [])
    in_form_a = {"type": "from_text", "conditions": [{"active_loop": "form_a"}]}

    def case(mapping: Dict[str, Any], slots: str, requested: Any, intent: Any) -> Any:
        """Rasa's outcome, warnings and logs (Lantern's are the same) with form_b rejected."""
        domain = domain_with([("any", [mapping])], False, [])
        kept = {"domain": domain.slots, "any": None}
        kept["no requested_slot"] = [s for s in domain.slots if s.name != "requested_slot"]

        def build() -> DialogueStateTracker:
            tracker = DialogueStateTracker("extract", kept[slots])
            if requested is not None:
                tracker.update(SlotSet("requested_slot", requested))
            tracker.update(ActiveLoop("form_b"))
            tracker.active_loop.rejected = True  # type: ignore[union-attr]
            tracker.update(UserUttered("hello", intent if isinstance(intent, dict) else None))
            if not isinstance(intent, dict):  # changed later: UserUttered reads it when made
                tracker.latest_message.intent = intent  # type: ignore[union-attr]
            return tracker

        found = same_extraction(build, domain, calls)
        rasa_tracker = build()
        extraction(RASA_RUN, rasa_tracker, domain)
        return (*found, dict.__contains__(rasa_tracker.slots, "requested_slot"))

    greet = {"name": "greet"}
    # conditions that match with no loop active (none, or one naming no loop): filled
    for conditions in ([], [{"active_loop": None}], [{}, {"active_loop": "form_a"}]):
        domain = domain_with([("any", [{**in_form_a, "conditions": conditions}])], False, [])

        def no_loop(domain: Any = domain) -> DialogueStateTracker:
            tracker = DialogueStateTracker("extract", domain.slots)
            tracker.update(UserUttered("hello", greet))
            return tracker

        outcome = same_extraction(no_loop, domain, calls)[0]
        assert [(d["name"], d["value"]) for t, d in outcome if t is SlotSet] == [("s0", "hello")]
    # skipped: nothing happens, whatever the requested slot
    validating = [("rasa.core.actions.action", logging.DEBUG, "Validating extracted slots: ")]
    assert case(in_form_a, "domain", "s0", greet)[:3] == ([], [], validating)
    # the requested slot is read, and missing: logged; made by an AnySlotDict
    _, _, logged, _ = case(in_form_a, "no requested_slot", None, greet)
    assert any("non existent slot 'requested_slot'" in r[2] for r in logged)
    assert case(in_form_a, "any", None, greet)[3] is True
    assert case({**in_form_a, "not_intent": "greet"}, "any", None, greet)[3] is False  # unread
    # Rasa's checks fail: the requested slot's value, the latest intent, the mapping
    assert case(in_form_a, "domain", np.array(["s0", "s1"]), greet)[0][0] is ValueError
    assert case(in_form_a, "domain", "s0", {"name": ["a", "list"]})[0][0] is TypeError
    assert case(in_form_a, "domain", "s0", "greet")[0][0] is AttributeError  # not a dict
    odd = {**in_form_a, "not_intent": [["a", "list"]]}
    assert case(odd, "domain", "s0", greet)[0][0] is TypeError
    odd = {**in_form_a, "conditions": [{"active_loop": "form_a"}, "form_a"]}
    assert case(odd, "domain", "s0", greet)[0][0] is AttributeError
    # an invalid mapping warns
    odd = {**in_form_a, "type": "from_entity", "entity": "nope"}
    assert "non-existent entity 'nope'" in str(case(odd, "domain", "s0", greet)[1])
    odd = {**in_form_a, "type": "from_intent", "intent": "nope", "value": 1}
    assert "non-existent intent 'nope'" in str(case(odd, "domain", "s0", greet)[1])
