"""Entity-aware routing: (question type, substance, condition) -> answer id.

The table is data (`knowledge/routing.yml`); this module only reads and applies it.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, List

import yaml

from actions.knowledge_base import ROOT, KnowledgeBase

ROUTING_FILE = ROOT / "knowledge" / "routing.yml"


@dataclass(frozen=True)
class Rule:
    """One routing rule; `None` for a field means "matches anything"."""

    answer: str
    substances: frozenset | None
    conditions: frozenset | None

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


class RoutingTable:
    """The parsed routing table."""

    def __init__(self, data: Dict[str, Any], source: str = "routing") -> None:
        """Parse and check the table's shape."""
        self.clarify_choices: List[str] = list(data.get("clarify_choices", []))
        self.rules: Dict[str, List[Rule]] = {}
        self.needs_substance: Dict[str, bool] = {}
        self.condition_fallback: Dict[str, str] = {}
        for intent, spec in (data.get("intents") or {}).items():
            rules = []
            for i, raw in enumerate(spec.get("rules") or []):
                if "answer" not in raw:
                    raise ValueError(f"{source}: {intent}.rules[{i}] has no answer")
                rules.append(
                    Rule(
                        raw["answer"],
                        frozenset(raw["substance"]) if "substance" in raw else None,
                        frozenset(raw["condition"]) if "condition" in raw else None,
                    )
                )
            self.rules[intent] = rules
            self.needs_substance[intent] = bool(spec.get("needs_substance", False))
            if spec.get("condition_fallback"):
                self.condition_fallback[intent] = str(spec["condition_fallback"])

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
        return sorted({r.answer for rules in self.rules.values() for r in rules})

    def check(self, kb: KnowledgeBase) -> None:
        """Raise if a rule names an answer the knowledge base lacks."""
        missing = [a for a in self.answers() if a not in kb]
        if missing:
            raise ValueError(f"routing.yml names unknown answer ids: {missing}")

    def resolve(self, intent: str, substance: str | None, condition: str | None) -> Route | None:
        """Route a question; None if the intent is not a routed question type."""
        rules = self.rules.get(intent)
        if rules is None:
            return None
        for rule in rules:
            if rule.matches(substance, condition):
                return Route(rule.answer)
        fallback = self.condition_fallback.get(intent)
        if condition is not None and fallback and fallback != intent:
            return self.resolve(fallback, substance, condition)
        if substance is None and self.needs_substance[intent]:
            return Route(None, clarify=True)
        # a substance the table has no rule for: fall back to the first general rule
        for rule in rules:
            if rule.substances is None or "none" in rule.substances:
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
