"""lantern/speed/patches.py: each patch gives what Rasa's own code gives."""

from __future__ import annotations

import ast
import copy
import inspect
import logging
from typing import Any, Dict

import pytest
import rasa.core.processor
from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import Event, SlotSet
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.utils.common import all_subclasses

from lantern.speed import patches

GOOD: Dict[str, Any] = {
    "events": [{"event": "slot", "name": "substance", "value": "ketamine"}],
    "responses": [{"text": "hi", "custom": {"answer_id": "welcome"}}],
}
BAD = [
    {"events": "not a list"},
    {"events": [{"no_event_key": 1}]},
    {"responses": [{"text": 3}], "events": [{"event": "bogus_event_type"}]},
]


def _rasa_error(response: Dict[str, Any]) -> str:
    with pytest.raises(ValidationError) as caught:
        RemoteAction("a", None)._validate_action_result(copy.deepcopy(response))
    return caught.value.message


def test_action_responses_are_accepted_and_rejected_as_rasa_does() -> None:
    expected = [_rasa_error(response) for response in BAD]  # before the patches
    assert RemoteAction("a", None)._validate_action_result(GOOD) is True
    assert patches.apply()
    try:
        action = RemoteAction("action_answer", None)
        assert action._validate_action_result(GOOD) is True
        for response, message in zip(BAD, expected, strict=True):
            with pytest.raises(ValidationError) as caught:
                action._validate_action_result(copy.deepcopy(response))
            assert caught.value.message == message
            assert "Failed to validate Action server response" in message
    finally:
        patches.revert()


def test_event_types_resolve_as_rasa_resolves_them(patched: None) -> None:
    for cls in all_subclasses(Event):
        expected = patches.rasa_resolve_by_type(cls.type_name)
        assert Event.resolve_by_type(cls.type_name) is expected
        assert Event.resolve_by_type(cls.type_name) is expected  # remembered
    assert Event.resolve_by_type("topic") is None
    assert Event.resolve_by_type("no_such_event", SlotSet) is SlotSet
    with pytest.raises(ValueError, match="Unknown event name"):
        Event.resolve_by_type("no_such_event")


def test_the_empty_domain_check_answers_as_rasas(agent: Any) -> None:
    domains = (Domain.empty(), agent.domain)
    theirs = [domain.is_empty() for domain in domains]
    assert theirs == [True, False]
    assert [patches.is_empty(domain) for domain in domains] == theirs


def test_debug_log_arguments_are_copied_only_when_debug_logs_are_kept(patched: None) -> None:
    from rasa.core.policies.policy import Policy
    from rasa.utils.log_utils import configure_structlog

    from lantern.speed.rule_policy import LanternRulePolicy

    # Rasa's use of `copy` in its processor is only ever an argument of a structlog
    # debug call (else skipping the copy would not be the same)
    tree = ast.parse(inspect.getsource(rasa.core.processor))
    in_debug = {
        id(node)
        for call in ast.walk(tree)
        if isinstance(call, ast.Call) and ast.unparse(call.func) == "structlogger.debug"
        for node in ast.walk(call)
    }
    uses = [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute)
        and isinstance(node.value, ast.Name)
        and node.value.id == "copy"
    ]
    assert uses and all(id(node) in in_debug for node in uses)

    events = [SlotSet("substance", "ketamine")]
    states = [{"user": {"intent": "greet"}}]
    written = []

    class Value:
        def __str__(self) -> str:
            written.append(self)
            return "a value"

    tracker = DialogueStateTracker("someone", None)
    tracker.update(SlotSet("substance", Value()))
    log_slots = rasa.core.processor.MessageProcessor._log_slots
    try:
        configure_structlog(logging.INFO)
        assert rasa.core.processor.copy.deepcopy(events) is events
        assert LanternRulePolicy.format_tracker_states(states) == ""
        log_slots(tracker)
        assert not written  # the slots' text was not made
        configure_structlog(logging.DEBUG)
        copied = rasa.core.processor.copy.deepcopy(events)
        assert copied == events and copied is not events
        assert LanternRulePolicy.format_tracker_states(states) == (
            Policy.format_tracker_states(states)
        )
        assert "user intent: greet" in LanternRulePolicy.format_tracker_states(states)
        log_slots(tracker)
        assert written
    finally:
        configure_structlog(logging.WARNING)


def test_rasa_test_replays_stories_on_the_servers_tracker_class(patched: None) -> None:
    import rasa.core.test

    from lantern.speed.tracker import LanternTracker

    # the one tracker `_predict_tracker_actions` makes for a story, from its events
    source = inspect.getsource(rasa.core.test._predict_tracker_actions)
    assert source.count("DialogueStateTracker.from_events(") == 1
    assert rasa.core.test.DialogueStateTracker is LanternTracker
