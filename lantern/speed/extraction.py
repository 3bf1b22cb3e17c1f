"""`action_extract_slots` without the mappings that cannot fill under the active loop.

After every user message Rasa walks every mapping of every slot through its
generic checks (about 5% of the server's CPU). The intake form's mappings are
conditioned on `intake_form` being active: outside the form none can fill. A
mapping whose conditions all name active loops other than the tracker's is
skipped before those checks (`_skippable_loops` says why that is Rasa's result);
the others run through Rasa's own code, in Rasa's order.
lantern/speed/patches.py installs `extract_slots` as `ActionExtractSlots.run`.
"""

from __future__ import annotations

from typing import Any, Dict, FrozenSet, List, Set, Tuple

from rasa.core.actions.action import ActionExtractSlots, extract_slot_value_from_predefined_mapping
from rasa.shared.core.constants import (
    ACTIVE_LOOP,
    DEFAULT_SLOT_NAMES,
    MAPPING_CONDITIONS,
    MAPPING_TYPE,
    REQUESTED_SLOT,
    SlotMappingType,
)
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import Event, SlotSet
from rasa.shared.core.slot_mappings import SlotMapping
from rasa.shared.core.slots import ListSlot, Slot
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import ENTITY_ATTRIBUTE_TYPE, INTENT, INTENT_NAME_KEY, NOT_INTENT

#: domains whose extraction plan is kept (then they start again)
EXTRACTION_PLANS_KEPT = 8
#: mapping types whose conditions Rasa checks (not for `from_trigger_intent`)
_CONDITIONED_TYPES = frozenset(
    str(t) for t in SlotMappingType if t is not SlotMappingType.FROM_TRIGGER_INTENT
)
#: the user slots, each with its mappings and their `_skippable_loops`
_Plan = List[Tuple[Slot, List[Tuple[Any, FrozenSet[str] | None]]]]
_EXTRACTION_PLANS: Dict[int, Tuple[Domain, List[Slot], _Plan]] = {}


def _hashable(value: Any) -> bool:
    try:
        hash(value)
    except TypeError:
        return False
    return True


def _valid_silently(kind: str, mapping: Dict[str, Any], domain: Domain) -> bool:
    """`SlotMapping.check_mapping_validity`'s answer, without its warning."""
    if kind == str(SlotMappingType.FROM_ENTITY):
        return mapping.get(ENTITY_ATTRIBUTE_TYPE) in domain.entities
    if kind == str(SlotMappingType.FROM_INTENT) and mapping.get(INTENT) is not None:
        intents = SlotMapping.to_list(mapping.get(INTENT))
        return all(not intent or intent in domain.intents for intent in intents)
    return True


def _skippable_loops(mapping: Any, domain: Domain) -> frozenset[str] | None:
    """The active loops `mapping`'s conditions name, if it can fill under no other, else None.

    Under any other active loop L (or none), Rasa's loop in `ActionExtractSlots.run`
    reaches `continue` for it with no effect: its type is known (`SlotMappingType`
    raises nothing) and valid (`check_mapping_validity` is true, so it does not
    warn); `intent_is_desired` only reads (no condition names L, so no form's
    ignored intents); if it says yes, `_verify_mapping_conditions` checks the
    conditions (the type is not `from_trigger_intent`) and
    `_matches_mapping_conditions` is False: early if the loop is rejected and the
    slot is requested, else because no condition names L and every one names a
    loop (a condition without one matches when no loop is active). Cases where
    those checks could fail or log are left to Rasa: here, conditions that are
    not dicts naming a loop, `not_intent` values that can't be hashed (they go in a
    set); per tracker, `_skip_state`'s.
    """
    if type(mapping) is not dict:
        return None
    kind = mapping.get(MAPPING_TYPE)
    conditions = mapping.get(MAPPING_CONDITIONS)
    if type(kind) is not str or kind not in _CONDITIONED_TYPES:
        return None
    if type(conditions) is not list or not conditions:
        return None
    loops: List[str] = []
    for condition in conditions:
        loop = condition.get(ACTIVE_LOOP) if type(condition) is dict else None
        if type(loop) is not str or not loop:
            return None
        loops.append(loop)
    if not all(map(_hashable, SlotMapping.to_list(mapping.get(NOT_INTENT, [])))):
        return None
    if not _valid_silently(kind, mapping, domain):
        return None
    return frozenset(loops)


def _skip_state(tracker: DialogueStateTracker) -> Tuple[bool, Any]:
    """Whether `_skippable_loops` applies to `tracker` now, and its active loop.

    Not when Rasa's checks of a skipped mapping could fail, log or make a slot: an
    active loop or latest intent name that is not a string, a latest intent that
    is not a dict, a rejected loop with no requested slot (`get_slot` logs it, or
    an AnySlotDict makes it) or one that holds anything but a string or None
    (compared with the slot's name).
    """
    loop = tracker.active_loop_name
    if loop is not None and type(loop) is not str:
        return False, loop
    if tracker.is_active_loop_rejected:
        # dict.get: an AnySlotDict makes a missing slot when read, as Rasa's check would
        requested = dict.get(tracker.slots, REQUESTED_SLOT)
        if requested is None or (requested.value is not None and type(requested.value) is not str):
            return False, loop
    message = tracker.latest_message
    if message:
        intent = message.intent
        if type(intent) is not dict:
            return False, loop
        name = intent.get(INTENT_NAME_KEY)
        if name is not None and type(name) is not str:
            return False, loop
    return True, loop


def _extraction_plan(domain: Domain) -> _Plan:
    """The user slots Rasa walks, each mapping with its `_skippable_loops` (kept per domain).

    A loaded domain's slots and mappings do not change (Rasa keeps its intents,
    entities and derived lists likewise); a domain given other slots gets a new plan.
    """
    kept = _EXTRACTION_PLANS.get(id(domain))
    if kept is None or kept[0] is not domain or kept[1] is not domain.slots:
        if len(_EXTRACTION_PLANS) >= EXTRACTION_PLANS_KEPT:
            _EXTRACTION_PLANS.clear()
        plan = [
            (slot, [(mapping, _skippable_loops(mapping, domain)) for mapping in slot.mappings])
            for slot in domain.slots
            if slot.name not in DEFAULT_SLOT_NAMES
        ]
        kept = _EXTRACTION_PLANS[id(domain)] = (domain, domain.slots, plan)
    return kept[2]


async def extract_slots(
    self: ActionExtractSlots,
    output_channel: Any,
    nlg: Any,
    tracker: DialogueStateTracker,
    domain: Domain,
) -> List[Event]:
    """`ActionExtractSlots.run`, line by line, without the mappings that cannot fill."""
    slot_events: List[Event] = []
    executed_custom_actions: Set[str] = set()
    skipping, loop = _skip_state(tracker)

    for slot, mappings in _extraction_plan(domain):
        for mapping, loops in mappings:
            if skipping and loops is not None and loop not in loops:
                continue
            mapping_type = SlotMappingType(mapping.get(MAPPING_TYPE))
            if not SlotMapping.check_mapping_validity(
                slot_name=slot.name, mapping_type=mapping_type, mapping=mapping, domain=domain
            ):
                continue
            if not SlotMapping.intent_is_desired(mapping, tracker, domain):
                continue
            if not ActionExtractSlots._verify_mapping_conditions(mapping, tracker, slot.name):
                continue
            if self._fails_unique_entity_mapping_check(slot.name, mapping, tracker, domain):
                continue

            value: Any = None
            if mapping_type.is_predefined_type():
                value = extract_slot_value_from_predefined_mapping(mapping_type, mapping, tracker)
            if value:
                if not isinstance(slot, ListSlot):
                    value = value[-1]
                if value is not None or tracker.get_slot(slot.name) is not None:
                    slot_events.append(SlotSet(slot.name, value))
                    break

            if mapping_type == SlotMappingType.CUSTOM:
                custom_events, executed_custom_actions = await self._execute_custom_action(
                    mapping, executed_custom_actions, output_channel, nlg, tracker, domain
                )
                slot_events.extend(custom_events)
                skipping, loop = _skip_state(tracker)  # as it is after the await

    return await self._execute_validation_action(slot_events, output_channel, nlg, tracker, domain)
