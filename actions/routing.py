"""Entity-aware routing: (question type, substance, condition) -> answer id.

The table is data (`content/knowledge/routing.yml`); this module only reads and applies it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, List

import yaml

from actions.knowledge_base import KnowledgeBase
from lantern.paths import ROUTING_FILE


@dataclass(frozen=True)
class Rule:
    """One routing rule; `None` for a field means "matches anything".

    A rule gives an `answer`, or (`route_as`) hands the question to another
    question type: "what about ayahuasca?" after the ketamine-only delivery
    answer is a question about ayahuasca.
    """

    answer: str | None
    substances: frozenset | None
    conditions: frozenset | None
    route_as: str | None = None

    def matches(self, substance: str | None, condition: str | None) -> bool:
        """Whether this rule applies to the given values (None = no value)."""
        return _field_matches(self.substances, substance) and _field_matches(
            self.conditions, condition
        )


def _field_matches(allowed: frozenset | None, value: str | None) -> bool:
    if allowed is None:
        return True
    return (value or "none") in allowed


@dataclass(frozen=True)
class Route:
    """The result of routing: an answer id, or a request to clarify the substance."""

    answer_id: str | None
    clarify: bool = False


@dataclass(frozen=True)
class Combination:
    """A message naming several substances (`several_substances`): the value rules see."""

    within: frozenset | None  # all named substances in this set; None = any mix
    value: str


@dataclass(frozen=True)
class Gap:
    """A topic no reviewed answer covers yet (`not_covered`)."""

    nearest: tuple  # answer ids offered as buttons, closest first
    covered_by: frozenset  # answers that do cover it where routing lands on them


class RoutingTable:
    """The parsed routing table."""

    def __init__(self, data: Dict[str, Any], source: str = "routing") -> None:
        """Parse and check the table's shape."""
        self.clarify_choices: List[str] = list(data.get("clarify_choices", []))
        self.rules: Dict[str, List[Rule]] = {}
        self.needs_substance: Dict[str, bool] = {}
        self.keeps_condition: Dict[str, bool] = {}
        self.condition_fallback: Dict[str, str] = {}
        intents = data.get("intents") or {}
        for intent, spec in intents.items():
            rules = []
            for i, raw in enumerate(spec.get("rules") or []):
                if ("answer" in raw) == ("route_as" in raw):
                    raise ValueError(f"{source}: {intent}.rules[{i}] needs answer or route_as")
                if "route_as" in raw and raw["route_as"] not in intents:
                    raise ValueError(f"{source}: {intent}.rules[{i}] routes to an unknown intent")
                rules.append(
                    Rule(
                        raw.get("answer"),
                        frozenset(raw["substance"]) if "substance" in raw else None,
                        frozenset(raw["condition"]) if "condition" in raw else None,
                        raw.get("route_as"),
                    )
                )
            self.rules[intent] = rules
            self.needs_substance[intent] = bool(spec.get("needs_substance", False))
            self.keeps_condition[intent] = bool(spec.get("keeps_condition", False))
            if spec.get("condition_fallback"):
                self.condition_fallback[intent] = str(spec["condition_fallback"])
        #: the condition value rules name for a message naming several specific conditions
        self.several_conditions: str | None = data.get("several_conditions")
        general = data.get("general") or {}
        #: the value a question about the class is routed as ("are these drugs addictive?")
        self.general_substance: str | None = general.get("substance")
        self.general_cues = [re.compile(c, re.IGNORECASE) for c in general.get("cues") or []]
        self.not_covered: Dict[str, Gap] = {}
        for topic, raw in (data.get("not_covered") or {}).items():
            if not raw.get("nearest"):
                raise ValueError(f"{source}: not_covered.{topic} needs nearest answers")
            self.not_covered[str(topic)] = Gap(
                tuple(raw["nearest"]), frozenset(raw.get("covered_by") or [])
            )
        self.combinations: List[Combination] = []
        for i, raw in enumerate(data.get("several_substances") or []):
            if "as" not in raw:
                raise ValueError(f"{source}: several_substances[{i}] has no `as`")
            self.combinations.append(
                Combination(frozenset(raw["within"]) if "within" in raw else None, str(raw["as"]))
            )

    @classmethod
    def from_file(cls, path: Path = ROUTING_FILE) -> RoutingTable:
        """Load the table from YAML."""
        return cls(yaml.safe_load(path.read_text(encoding="utf-8")), str(path))

    @property
    def question_types(self) -> List[str]:
        """All routed intents."""
        return sorted(self.rules)

    def answers(self) -> List[str]:
        """Every answer id the table can produce."""
        return sorted({r.answer for rules in self.rules.values() for r in rules if r.answer})

    def check(self, kb: KnowledgeBase) -> None:
        """Raise if a rule or a gap names an answer the knowledge base lacks."""
        named = set(self.answers())
        for gap in self.not_covered.values():
            named |= set(gap.nearest) | set(gap.covered_by)
        missing = sorted(a for a in named if a not in kb)
        if missing:
            raise ValueError(f"routing.yml names unknown answer ids: {missing}")

    def names_condition(self, intent: str, condition: str) -> bool:
        """Whether a condition alone after `intent` keeps that question type.

        So it does when a rule of `intent` names it, and after question types with
        `keeps_condition` or about conditions themselves.
        """
        if intent == "ask_conditions" or self.keeps_condition.get(intent, False):
            return True
        return any(
            rule.conditions is not None and condition in rule.conditions
            for rule in self.rules.get(intent) or []
        )

    def speaks_generally(self, text: str) -> bool:
        """Whether a question speaks of the class ("these drugs", "this kind of therapy")."""
        return any(cue.search(text) for cue in self.general_cues)

    def combine(self, substances: List[str]) -> str | None:
        """The value for a message that names two or more different substances."""
        if len(set(substances)) < 2:
            return None
        for combination in self.combinations:
            if combination.within is None or combination.within.issuperset(substances):
                return combination.value
        return None

    def resolve_explicit(
        self, intent: str, substance: str, condition: str | None, _depth: int = 0
    ) -> Route | None:
        """Route a combination: only rules that name `substance` or a condition, else None.

        Catch-all rules and rules for other substances are left to the first
        substance named.
        """
        for rule in self.rules.get(intent) or []:
            if rule.substances is None and rule.conditions is None:
                continue
            if rule.substances is not None and substance not in rule.substances:
                continue
            if rule.matches(substance, condition):
                if rule.route_as is None:
                    return Route(rule.answer)
                if _depth < 3:
                    return self.resolve_explicit(rule.route_as, substance, condition, _depth + 1)
                return None
        return None

    def resolve_named_condition(
        self, intent: str, substance: str | None, condition: str
    ) -> Route | None:
        """Route only through a rule that names `condition` itself, else None."""
        for rule in self.rules.get(intent) or []:
            named = rule.conditions is not None and condition in rule.conditions
            if named and rule.answer and rule.matches(substance, condition):
                return Route(rule.answer)
        return None

    def resolve(
        self, intent: str, substance: str | None, condition: str | None, _depth: int = 0
    ) -> Route | None:
        """Route a question; None if the intent is not a routed question type."""
        rules = self.rules.get(intent)
        if rules is None:
            return None
        for rule in rules:
            if rule.matches(substance, condition):
                if rule.route_as is None:
                    return Route(rule.answer)
                if _depth < 3:  # the table is data: never loop on a cycle
                    return self.resolve(rule.route_as, substance, condition, _depth + 1)
                return Route(None, clarify=True)
        fallback = self.condition_fallback.get(intent)
        if condition is not None and fallback and fallback != intent:
            return self.resolve(fallback, substance, condition)
        if substance is None and self.needs_substance[intent]:
            return Route(None, clarify=True)
        # a substance the table has no rule for: fall back to the first general answer
        for rule in rules:
            if rule.answer and (rule.substances is None or "none" in rule.substances):
                return Route(rule.answer)
        return Route(None, clarify=True)

    def question_type_for(self, answer_id: str) -> str | None:
        """The question type whose rules lead to `answer_id` (for context after a button)."""
        for intent, rules in self.rules.items():
            if any(r.answer == answer_id for r in rules):
                return intent
        return None


@lru_cache(maxsize=1)
def routing_table() -> RoutingTable:
    """The project's routing table, loaded once per process."""
    return RoutingTable.from_file()
