"""lantern/speed/validation.py: a response is valid exactly when Rasa's full schema says so."""

from __future__ import annotations

from lantern.speed import validation

EVENT_CASES = [
    {"event": "slot", "name": "substance", "value": "ketamine"},
    {"event": "slot", "name": "substance"},  # no value: invalid
    {"event": "slot", "name": 3, "value": None},
    {"event": "bot", "text": "hello", "data": {"custom": {"answer_id": "x"}}},
    {"event": "bot", "text": 3},
    {"event": "action", "name": "action_listen", "policy": None, "confidence": 1.0},
    {"event": "followup", "name": "action_answer"},
    {"event": "active_loop", "name": None},
    {"event": "session_started", "timestamp": 1.5},
    {"event": "session_started", "timestamp": "yesterday"},
    {"event": "reset_slots"},
    {"event": "restart", "metadata": []},
    {"event": "user", "text": "hi", "parse_data": {"intent": {"name": "greet"}}},
    {"event": "user", "text": "hi", "parse_data": {"entities": [{"entity": "x"}]}},
    {"event": "no_such_event"},
    {"event": 7},
    {"name": "no event key"},
    "not an object",
    None,
]


def test_responses_are_accepted_exactly_when_the_full_schema_accepts_them() -> None:
    from hypothesis import given, settings
    from hypothesis import strategies as st

    full = validation.action_response_validator()
    responses = [{"events": [event]} for event in EVENT_CASES]
    responses += [{"events": EVENT_CASES[:2]}, {"events": None}, {"events": "x"}, {}]
    responses += [{"events": [EVENT_CASES[0]], "responses": [{"text": 3}]}]
    verdicts = [validation.valid_by_event_type(r) for r in responses]
    assert verdicts == [full.is_valid(r) for r in responses]
    assert True in verdicts and False in verdicts

    # JSON values (what a response parses to): floats that are whole numbers too
    scalars = st.one_of(
        st.none(),
        st.booleans(),
        st.integers(),
        st.floats(allow_nan=False),
        st.sampled_from([1.0, 0.0, -2.0]),
        st.text(max_size=5),
    )
    values = st.recursive(
        scalars,
        lambda inner: (
            st.lists(inner, max_size=2)
            | st.dictionaries(st.sampled_from(["name", "entity", "start", "x"]), inner, max_size=2)
        ),
        max_leaves=4,
    )
    keys = ["name", "value", "text", "timestamp", "metadata", "data", "confidence", "policy"]
    keys += ["parse_data", "input_channel", "message_id", "action_text", "hide_rule_turn"]
    kinds = st.sampled_from([*validation.event_validators()[1], "nope"])
    event = st.dictionaries(st.sampled_from(keys), values).flatmap(
        lambda d: kinds.map(lambda k: {**d, "event": k})
    )

    @settings(max_examples=1000, deadline=None)
    @given(st.lists(event, max_size=3))
    def agrees(events: list) -> None:
        response = {"events": events}
        assert validation.valid_by_event_type(response) == full.is_valid(response)

    agrees()
