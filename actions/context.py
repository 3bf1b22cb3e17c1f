"""Conversation context: which answer a question gets, given what came before.

Pure functions over plain values, so they are tested without Rasa.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Dict, List

from actions.knowledge_base import KnowledgeBase
from actions.routing import RoutingTable


@dataclass(frozen=True)
class Context:
    """What the conversation is about after the last answer."""

    substance: str | None = None
    condition: str | None = None
    question_type: str | None = None


@dataclass(frozen=True)
class Step:
    """What to do for one user message."""

    answer_id: str | None  # None with clarify=True, not_covered, or when nothing fits
    context: Context  # the context after this step
    clarify: bool = False
    not_covered: str | None = None  # the gap topic asked about, when no answer covers it


#: Broad conditions: when a message also names a specific one, the specific one
#: decides ("phantom limb pain" over "pain", "treatment-resistant" over "depression").
GENERIC_CONDITIONS = frozenset({"chronic_pain", "depression", "anxiety"})


def entity_values(entities: List[Dict[str, Any]], name: str) -> List[str]:
    """The distinct values of an entity in a message, in order (conditions: specific first).

    Where the extractor marked which mentions the question is about (`focus`,
    lantern/nlu/entities.py: a story before the question names other things),
    only those count; a broad condition in the question ("that kind of pain")
    keeps the story's specific ones ("he lost his arm").
    """
    mentions = [e for e in entities if e.get("entity") == name]
    if any(e.get("focus") is False for e in mentions) and any(e.get("focus") for e in mentions):
        broad = name == "condition" and all(
            e.get("value") in GENERIC_CONDITIONS for e in mentions if e.get("focus")
        )
        mentions = [
            e
            for e in mentions
            if e.get("focus") or (broad and e.get("value") not in GENERIC_CONDITIONS)
        ]
    values: List[str] = []
    for e in mentions:
        value = e.get("value")
        if isinstance(value, str) and value not in values:
            values.append(value)
    if name == "condition":
        values.sort(key=lambda v: v in GENERIC_CONDITIONS)  # stable: specific first
    return values


def asked_gap(entities: List[Dict[str, Any]]) -> str | None:
    """The first topic no answer covers (`gap`) that the question itself names.

    A gap named only in a story before the question ("I drink wine most nights. Is
    ketamine addictive?") does not count; the extractor marks which is which.
    """
    for e in entities:
        if e.get("entity") == "gap" and e.get("focus") is not False:
            value = e.get("value")
            if isinstance(value, str):
                return value
    return None


def first_entity(entities: List[Dict[str, Any]], name: str) -> str | None:
    """The first value of an entity in a message (for conditions, the most specific)."""
    values = entity_values(entities, name)
    return values[0] if values else None


def _different_answers(
    table: RoutingTable, intent: str, substance: str | None, conditions: List[str]
) -> bool:
    """Whether the conditions, each asked about alone, lead to different answers."""
    answers = {getattr(table.resolve(intent, substance, c), "answer_id", None) for c in conditions}
    return len(answers) > 1


def next_step(
    intent: str,
    entities: List[Dict[str, Any]],
    context: Context,
    table: RoutingTable,
    kb: KnowledgeBase,
    text: str = "",
) -> Step:
    """Route one message: explicit topic, substance switch, or a question type.

    A message naming two different substances ("ketamine or esketamine?",
    "psilocybin vs LSD") is a comparison: `several_substances` in the routing
    table names the value that rules written for comparisons match; where no
    rule names it, the first named substance decides (and stays in context).
    A question with no substance that speaks of the class (`text`: "are these
    drugs addictive?") gets the general answer; one about a topic no answer
    covers (`not_covered`) is marked so, and the context stays as it was.
    """
    step = _route(intent, entities, context, table, kb, text)
    gap = asked_gap(entities) if intent != "choose_topic" else None
    if gap is not None and gap in table.not_covered:
        covered = step.answer_id in table.not_covered[gap].covered_by
        if not covered and (step.answer_id is not None or step.clarify):
            return Step(None, context, not_covered=gap)
    return step


def _route(
    intent: str,
    entities: List[Dict[str, Any]],
    context: Context,
    table: RoutingTable,
    kb: KnowledgeBase,
    text: str,
) -> Step:
    """`next_step` without the topics no answer covers."""
    substances = entity_values(entities, "substance")
    substance = substances[0] if substances else None
    condition = first_entity(entities, "condition")
    if intent == "choose_topic":
        topic = first_entity(entities, "topic")
        if topic is None or topic not in kb:
            return Step(None, context)
        answer = kb[topic]
        return Step(
            topic,
            Context(
                answer.substances[0] if len(answer.substances) == 1 else context.substance,
                answer.conditions[0] if len(answer.conditions) == 1 else None,
                table.question_type_for(topic) or context.question_type,
            ),
        )
    if intent == "inform_substance":
        # "what about psilocybin?": the last question again, for the new substance.
        # A substance with a condition ("ketamine chronic pain", "and psilocybin for
        # depression?"), or a condition with nothing before it, asks what it helps;
        # so does a condition alone after a question whose rules never name it ("and
        # for PTSD?" after "is it addictive?"), but not after one that does ("and
        # fibromyalgia?" after a trials question).
        about_condition = condition is not None and (
            substance is not None
            or context.question_type is None
            or not table.names_condition(context.question_type, condition)
        )
        question_type = (
            "ask_conditions" if about_condition else context.question_type or "ask_what_is"
        )
        substance = substance or context.substance
        condition = condition or context.condition
    else:
        question_type = intent
        if substance is None and condition is None and intent == context.question_type:
            condition = context.condition
        substance = substance or context.substance
    route = None
    combined = table.combine(substances)
    specific = [c for c in entity_values(entities, "condition") if c not in GENERIC_CONDITIONS]
    if (
        table.several_conditions
        and len(specific) >= 2
        and _different_answers(table, question_type, substance, specific)
    ):
        # "my mother is in hospice and my brother has PTSD: what is being studied?"
        # (not "migraine or cluster headaches", which share an answer)
        route = table.resolve_named_condition(
            question_type, combined or substance, table.several_conditions
        )
    if route is None and combined is not None:
        route = table.resolve_explicit(question_type, combined, condition)
    route = route or table.resolve(question_type, substance, condition)
    if route is None:
        return Step(None, context)
    if (
        route.clarify
        and substance is None
        and table.general_substance
        and table.speaks_generally(text)
    ):
        # "are these drugs addictive?": the general answer, not "which one?"
        general = table.resolve(question_type, table.general_substance, condition)
        if general is not None and not general.clarify:
            route, substance = general, table.general_substance
    new_context = Context(substance, condition, question_type)
    if route.clarify:
        return Step(None, new_context, clarify=True)
    routed = kb[route.answer_id] if route.answer_id else None
    if routed is not None and substance is None and len(routed.substances) == 1:
        new_context = Context(routed.substances[0], condition, question_type)
    return Step(route.answer_id, new_context)
