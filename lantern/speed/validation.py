"""Rasa's check of action server responses, with validators built once.

Rasa checks every response with `jsonschema.validate`, which first re-validates
the schema itself against its meta-schema: about a third of Rasa's CPU per
message. A valid response is accepted here by checking each event against the
one event schema its `event` names (the schema's `oneOf` of 23 branches, which
all differ in that constant, accepts exactly that), compiled to Python by
fastjsonschema; anything else is judged, and explained, by the full schema as
Rasa does. lantern/speed/patches.py installs `validate_action_result`.
"""

from __future__ import annotations

import copy
import functools
from typing import Any, Callable, Dict, Tuple

import fastjsonschema
from jsonschema import exceptions, validators
from rasa.core.actions.action import RemoteAction
from rasa.shared.constants import DOCS_BASE_URL


@functools.lru_cache(maxsize=1)
def action_response_validator() -> Any:
    """The validator for Rasa's action response schema, checked once."""
    schema = RemoteAction.action_response_format_spec()
    cls = validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def _compiled_check(schema: Dict[str, Any]) -> Callable[[Any], bool]:
    """Whether a value is valid under `schema`, by fastjsonschema's compiled code.

    Anything but a clear pass counts as invalid: the full jsonschema check decides then.
    """
    validate = fastjsonschema.compile(schema)

    def check(value: Any) -> bool:
        try:
            validate(value)
        except Exception:  # noqa: BLE001 - the full check judges (and explains)
            return False
        return True

    return check


@functools.lru_cache(maxsize=1)
def event_validators() -> Tuple[Callable[[Any], bool], Dict[str, Callable[[Any], bool]]]:
    """The response schema without its event items, and one check per event type.

    An event is valid under the schema's `oneOf` exactly when it is valid under
    the branch whose `event` constant it names: the others require another constant.
    """
    schema = RemoteAction.action_response_format_spec()
    items = dict(schema["properties"]["events"]["items"])
    branches = items.pop("oneOf")
    constants = [b["properties"]["event"]["const"] for b in branches]
    assert len(set(constants)) == len(branches), "event schemas must differ in `event`"
    outer = copy.deepcopy(schema)
    del outer["properties"]["events"]["items"]
    per_type = {
        c: _compiled_check({"allOf": [items, b]}) for c, b in zip(constants, branches, strict=True)
    }
    return _compiled_check(outer), per_type


def valid_by_event_type(result: Dict[str, Any]) -> bool:
    """True only if the full response schema accepts `result` (see `event_validators`)."""
    outer, per_type = event_validators()
    if not outer(result):
        return False
    for event in result.get("events") or []:
        kind = event.get("event") if isinstance(event, dict) else None
        check = per_type.get(kind) if isinstance(kind, str) else None
        if check is None or not check(event):
            return False
    return True


def validate_action_result(self: RemoteAction, result: Dict[str, Any]) -> bool:
    """`RemoteAction._validate_action_result` with cached, per-event-type validators."""
    if isinstance(result, dict) and valid_by_event_type(result):
        return True
    error = exceptions.best_match(action_response_validator().iter_errors(result))
    if error is None:
        return True
    error.message += (
        ". Failed to validate Action server response from API, "
        "make sure your response from the Action endpoint is valid. "
        f"For more information about the format visit {DOCS_BASE_URL}/custom-actions"
    )
    raise error
