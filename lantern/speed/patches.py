"""The speed-ups that have no seam in Rasa 3.6: the only module that changes Rasa's code.

lantern/rasa_main.py calls `apply()` once at start-up; it installs them only if
`guard.enabled()` (the Rasa they were written for, `LANTERN_RASA_PATCHES` not
"0"), all or none, and `revert()` puts Rasa's own back (tests). Each one leaves
Rasa's behaviour unchanged (tests/scale/speed/ compare them with Rasa's code):

- `validation`: action responses checked with validators built once (validation.py);
- `event_types`: each event type name's class remembered, not searched per event;
- `empty_domain`: `Domain.is_empty` against an empty domain built once;
- `debug_copies`: Rasa's processor deep-copies events and slots only for debug log
  calls, which drop them unless the log level is DEBUG: copied only then;
- `story_tests`: `rasa test` replays test stories on the server's tracker class;
- `agent_loading`: every agent that loads a model is handed to the entry point's
  hook, which swaps the graph runner and action endpoint onto it.
"""

from __future__ import annotations

import copy
import functools
import logging
from types import ModuleType
from typing import Any, Callable, Dict, List, Tuple

import rasa.core.processor
import rasa.core.test
from rasa.core.actions.action import RemoteAction
from rasa.core.agent import Agent
from rasa.core.processor import MessageProcessor
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import Event
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.utils.common import all_subclasses

from lantern.speed import debug_logged, guard
from lantern.speed.tracker import LanternTracker
from lantern.speed.validation import validate_action_result

logger = logging.getLogger(__name__)

#: Rasa's own functions, which the replacements call for what they leave to Rasa
rasa_resolve_by_type = Event.resolve_by_type
rasa_log_slots = MessageProcessor._log_slots
rasa_load_model = Agent.load_model

_EVENT_TYPES: Dict[str, Any] = {}


def resolve_by_type(type_name: str, default: Any = None) -> Any:
    """`Event.resolve_by_type`, remembering the classes it found."""
    found = _EVENT_TYPES.get(type_name)
    if found is not None:
        return found
    for cls in all_subclasses(Event):
        if cls.type_name == type_name:
            _EVENT_TYPES[type_name] = cls
            return cls
    return rasa_resolve_by_type(type_name, default)  # unknown: None, default or ValueError


@functools.lru_cache(maxsize=1)
def _empty_domain() -> Dict[str, Any]:
    return Domain.empty().as_dict()


def is_empty(self: Domain) -> bool:
    """`Domain.is_empty` against an empty domain built once."""
    return self.as_dict() == _empty_domain()


class CopyWhenLogged:
    """The `copy` module for Rasa's processor, which deep-copies only for debug log calls."""

    @staticmethod
    def deepcopy(value: Any, memo: Dict[int, Any] | None = None) -> Any:
        """A deep copy if debug logs are kept, else `value` (the log call drops it)."""
        return copy.deepcopy(value, memo) if debug_logged() else value


def log_slots(tracker: DialogueStateTracker) -> None:
    """`MessageProcessor._log_slots` (a debug log of every slot), only if debug logs are kept."""
    if debug_logged():
        rasa_log_slots(tracker)


def _after_load(hook: Callable[[Agent], None]) -> Callable[..., None]:
    """`Agent.load_model`, then `hook(agent)`."""

    @functools.wraps(rasa_load_model)
    def load_model(self: Agent, *args: Any, **kwargs: Any) -> None:
        rasa_load_model(self, *args, **kwargs)
        hook(self)

    return load_model


def _patches(on_load: Callable[[Agent], None] | None) -> List[Tuple[Any, str, Any]]:
    """(owner, attribute, replacement) of each patch."""
    patches: List[Tuple[Any, str, Any]] = [
        (RemoteAction, "_validate_action_result", validate_action_result),
        (Event, "resolve_by_type", staticmethod(resolve_by_type)),
        (Domain, "is_empty", is_empty),
        (rasa.core.processor, "copy", CopyWhenLogged),
        (MessageProcessor, "_log_slots", staticmethod(log_slots)),
        (rasa.core.test, "DialogueStateTracker", LanternTracker),
    ]
    if on_load is not None:
        patches.append((Agent, "load_model", _after_load(on_load)))
    return patches


#: (owner, attribute, Rasa's value) of each installed patch
_installed: List[Tuple[Any, str, Any]] = []


def apply(on_load: Callable[[Agent], None] | None = None) -> bool:
    """Install every patch (and `on_load` after each model load) if the guard allows.

    Returns whether they are installed; when the guard refuses, it has logged why
    and Rasa runs as installed.
    """
    if _installed:
        return True
    if not guard.enabled():
        return False
    for owner, name, replacement in _patches(on_load):
        kept = vars(owner)[name]
        setattr(owner, name, replacement)
        _installed.append((owner, name, kept))
    logger.debug("Rasa speed-ups installed: %d patches", len(_installed))
    return True


def revert() -> None:
    """Put Rasa's own code back (the tests compare both)."""
    while _installed:
        owner, name, kept = _installed.pop()
        setattr(owner, name, kept)


def installed() -> List[str]:
    """The patched attributes, as "owner.attribute"."""
    return [f"{_name(owner)}.{name}" for owner, name, _ in _installed]


def _name(owner: Any) -> str:
    return owner.__name__ if isinstance(owner, (type, ModuleType)) else repr(owner)
