"""Whether the speed-ups may run: the Rasa they were written for, and the switch.

Each speed-up repeats or reasons about Rasa code, so each is checked against the
sha256 of that code as it was read (Rasa 3.6.21). Another Rasa version, a changed
function, or `LANTERN_RASA_PATCHES=0` turns every speed-up off: Rasa runs as installed.
"""

from __future__ import annotations

import functools
import hashlib
import importlib
import inspect
import logging
import os
from typing import Any, Dict, List, Tuple

import rasa

logger = logging.getLogger(__name__)

#: the Rasa version every speed-up was written for
RASA_VERSION = "3.6.21"
#: "0" runs stock Rasa
SWITCH = "LANTERN_RASA_PATCHES"

#: per speed-up, the Rasa code it replaces or relies on: (module, qualified name or "" for
#: the whole module, sha256 of its source in Rasa 3.6.21)
SOURCES: Dict[str, List[Tuple[str, str, str]]] = {
    "validation": [
        (
            "rasa.core.actions.action",
            "RemoteAction._validate_action_result",
            "f8cdb4be6812396167ced74161b2ccd65c5ea676ad86d7d359d8c322d9d8dc42",
        ),
        (
            "rasa.core.actions.action",
            "RemoteAction.action_response_format_spec",
            "091b74aa3738d1262cf3c028386aaf9dd4f0d5c1374b62392411d70a79104a46",
        ),
    ],
    "event_types": [
        (
            "rasa.shared.core.events",
            "Event.resolve_by_type",
            "b5cf570fa7f286c7059ec73d8880528d03a78b28cf4e80285a46079c0fa65968",
        ),
    ],
    "empty_domain": [
        (
            "rasa.shared.core.domain",
            "Domain.is_empty",
            "884be90ef485f1d2c0f140657a47f106a7d2785b63b03e46cd699b4072e95369",
        ),
    ],
    # `copy` in this module is only used for arguments of debug log calls
    "debug_copies": [
        (
            "rasa.core.processor",
            "",
            "f42dfbf26e2ffcb66e08cf4180d1de1cce2a8f59389d5d3b4ea12a95b1f186dd",
        ),
    ],
    "story_tests": [
        (
            "rasa.core.test",
            "_predict_tracker_actions",
            "2e687ab4d1bc6fcd9536a56d101b7acb7b183a35765e35e1a93c524deed6e5f3",
        ),
    ],
    "agent_loading": [
        (
            "rasa.core.agent",
            "Agent.load_model",
            "f4c1ab4c5c7af6349384fc0a2d3a1cffdc5f277f08378d07fd0cd247cd4d5fa7",
        ),
    ],
    "rule_policy": [
        (
            "rasa.core.policies.rule_policy",
            "RulePolicy._get_possible_keys",
            "2915fd81711e194c6d667728e00bd0e51e9c1c2791a0be14c55f0ef9938f9936",
        ),
        (
            "rasa.core.policies.rule_policy",
            "RulePolicy._find_action_from_rules",
            "be6da6ee0f5429bd9bbded9f22186f3729469e5b392949493fd34a00ef9531d9",
        ),
        (
            "rasa.core.policies.rule_policy",
            "RulePolicy._predict",
            "f5182d8a10639e14d2643795210767a17fc4c8b5c2852b946f41c6c9f1a8a4e0",
        ),
        (
            "rasa.core.policies.policy",
            "Policy.format_tracker_states",
            "32b101cb34fd1c32fd17557044632ecbe9cb5638e605ca81864ddcb6b469a22a",
        ),
    ],
    "tracker": [
        (
            "rasa.shared.core.trackers",
            "DialogueStateTracker.__init__",
            "8f39eb22462aa62b140d9da1f6db986cbc76383d8f7cc4e3dc7664fa7d84cb2d",
        ),
        (
            "rasa.shared.core.trackers",
            "DialogueStateTracker.init_copy",
            "429fcd2243b9e0e1a6e8ffc3057a4f2fb4ecbb677055c644129bc65b6cd32b75",
        ),
        (
            "rasa.shared.core.trackers",
            "DialogueStateTracker.copy",
            "dfa48dca9f355ad1b42c625bc6f6370bafe83514ed17a77904ed64c67bf07285",
        ),
        (
            "rasa.shared.core.trackers",
            "DialogueStateTracker.travel_back_in_time",
            "09d16f28f007492f653b504cf2b6064dc453444c524799378609a85b04efd632",
        ),
        (
            "rasa.shared.core.trackers",
            "DialogueStateTracker.applied_events",
            "764d5065ea9997d613c1984d9357370f9ae32d31ca21346086f16c54f0487aae",
        ),
        (
            "rasa.shared.core.trackers",
            "DialogueStateTracker.past_states",
            "5463eefb5c69d27f82cdc7eca84e23b4b82851e9a5ff575bd02447d4d987103b",
        ),
        (
            "rasa.shared.core.trackers",
            "DialogueStateTracker.generate_all_prior_trackers",
            "a1f6954347b52649a7b1054741338997d2369197d91acb2eab7f6b11d3855ed1",
        ),
        (
            "rasa.shared.core.domain",
            "Domain.states_for_tracker_history",
            "035111ce73ac90ba50e143abf556f924af07d9f452893f5a96a62895d44df8b7",
        ),
    ],
    "runner": [
        (
            "rasa.engine.runner.dask",
            "DaskGraphRunner.run",
            "45f0f52f574f3aa9546a552bf671183e171092c18b66e97f5771a7fa295de37e",
        ),
        (
            "rasa.engine.runner.dask",
            "DaskGraphRunner._build_dask_graph",
            "5bb99f974d512a36acb61caaf77aafc851b90c04ce4d02c262f230c75086cbee",
        ),
        (
            "rasa.engine.runner.dask",
            "DaskGraphRunner._add_inputs_to_graph",
            "d04a0ca2df6241c16997b89d63e2ca89cd1d43bd5f9920843a2a86cb4286ac73",
        ),
    ],
    "endpoint": [
        (
            "rasa.utils.endpoints",
            "EndpointConfig.session",
            "e55aa13d9d4fb4bc440ac33b870a97ee162b76dda7ccb6bf68433567475fdffb",
        ),
        (
            "rasa.utils.endpoints",
            "EndpointConfig.request",
            "ccdb778aed8208e23cde3c3f47eac7fbbbb735dac8f7ef7254d54451c64ad608",
        ),
    ],
}


def resolve(module_name: str, qualified: str) -> Any:
    """The module, or the function or property `qualified` in it."""
    found: Any = importlib.import_module(module_name)
    for part in qualified.split(".") if qualified else []:
        found = inspect.getattr_static(found, part)
    if isinstance(found, (staticmethod, classmethod)):
        return found.__func__
    return found.fget if isinstance(found, property) else found


def source_sha256(module_name: str, qualified: str) -> str:
    """The sha256 of the source of what `resolve` finds."""
    source = inspect.getsource(resolve(module_name, qualified))
    return hashlib.sha256(source.encode()).hexdigest()


def problems() -> List[str]:
    """Why the speed-ups may not run on the installed Rasa (none: they may)."""
    found: List[str] = []
    if rasa.__version__ != RASA_VERSION:
        found.append(f"Rasa {rasa.__version__} is installed; they were written for {RASA_VERSION}")
    for speedup, sources in SOURCES.items():
        for module_name, qualified, expected in sources:
            name = f"{module_name}:{qualified}" if qualified else module_name
            try:
                changed = source_sha256(module_name, qualified) != expected
            except (ImportError, AttributeError, OSError, TypeError) as error:
                found.append(f"{speedup}: {name} is not readable ({type(error).__name__})")
                continue
            if changed:
                found.append(f"{speedup}: {name} is not the code it was written for")
    return found


@functools.lru_cache(maxsize=1)
def _checked() -> bool:
    """`problems()` once per process (reading the sources takes a few ms), logged if any."""
    found = problems()
    if found:
        logger.error(
            "Lantern's Rasa speed-ups are off, Rasa runs as installed: %s", "; ".join(found)
        )
    return not found


def enabled() -> bool:
    """Whether the speed-ups run: switched on (the default) and written for this Rasa."""
    return os.environ.get(SWITCH, "1").strip() != "0" and _checked()
