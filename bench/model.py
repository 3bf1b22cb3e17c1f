"""Load a trained Lantern model in-process and route messages the way the servers do.

Routing uses the model's NLU (tokenizer, lexicon, classifier, safety screen,
fallback) and then `actions.context.next_step`, the same function `action_answer`
runs, so the numbers describe the assistant, not a re-implementation. An unsure
message (`nlu_fallback`) is answered, declined, marked `not_covered` or gets "Did
you mean" by `actions.fallback.unsure_reply`, the decision `action_did_you_mean`
makes. `answer_id` is the message's own answer; a message that asks two questions
gets both (`answers`, in order: `actions.answer.answers_in_order`).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, List, Tuple

from actions.answer import answers_in_order
from actions.context import Context, next_step
from actions.fallback import FALLBACK_INTENT, unsure_reply
from actions.knowledge_base import knowledge_base
from actions.routing import routing_table

ROOT = Path(__file__).resolve().parent.parent
SCRIPTED = {
    "safety_crisis": "safety_crisis",
    "safety_emergency": "safety_emergency",
    "safety_active_use": "safety_active_use",
    "request_dosing": "decline_dosing",
    "request_sourcing": "decline_sourcing",
    "request_personal_advice": "decline_personal_advice",
    "get_help": "get_help",
    "nlu_fallback": "did_you_mean",
    "out_of_scope": "out_of_scope",
}


@dataclass
class Routed:
    """Where one message went."""

    answer_id: str | None
    intent: str
    confidence: float
    context: Context
    answers: Tuple[str, ...] = ()  # every reply's id, in order (two questions: two)


class Router:
    """An in-process NLU model plus Lantern's routing."""

    def __init__(self, model: Path = ROOT / "models" / "lantern.tar.gz") -> None:
        """Load the model (a few seconds)."""
        import logging

        from rasa.core.agent import load_agent
        from rasa.utils.log_utils import configure_structlog

        # unconfigured, Rasa's structlog prints every parsed text to stdout (debug):
        # held-out and safety texts must never be shown or logged
        configure_structlog(logging.WARNING)
        self.loop = asyncio.new_event_loop()
        self.agent = self.loop.run_until_complete(load_agent(model_path=str(model)))
        self.kb, self.table = knowledge_base(), routing_table()

    def parse(self, text: str) -> Dict[str, Any]:
        """The NLU result for one text."""
        return dict(self.loop.run_until_complete(self.agent.parse_message(text)))

    def route(self, text: str, context: Context | None = None) -> Routed:
        """The answer id Lantern gives `text` in `context` (scripted ids for non-knowledge)."""
        context = context or Context()
        parsed = self.parse(text)
        intent = parsed["intent"]["name"]
        confidence = float(parsed["intent"].get("confidence") or 0.0)
        if intent == FALLBACK_INTENT:
            unsure = unsure_reply(parsed, context)
            if unsure.kind == "answer":
                intent = str(unsure.value)
            elif unsure.kind == "decline":
                scripted = str(unsure.value).removeprefix("utter_")
                return Routed(scripted, intent, confidence, context, (scripted,))
            elif unsure.kind == "not_covered":
                return Routed("not_covered", intent, confidence, context, ("not_covered",))
        if intent in SCRIPTED:
            return Routed(SCRIPTED[intent], intent, confidence, context, (SCRIPTED[intent],))
        entities = parsed.get("entities") or []
        step = next_step(intent, entities, context, self.table, self.kb, text)
        if step.not_covered is not None:
            return Routed("not_covered", intent, confidence, context, ("not_covered",))
        answer = "clarify_substance" if step.clarify else step.answer_id or intent
        if step.clarify or step.answer_id is None:
            return Routed(answer, intent, confidence, step.context, (answer,))
        replies = answers_in_order(
            step, parsed.get("questions") or [], entities, context, self.table, self.kb, text
        )
        ids = tuple(
            r.removeprefix("utter_") if isinstance(r, str) else str(r.answer_id) for r in replies
        )
        last = next((r for r in reversed(replies) if not isinstance(r, str)), step)
        return Routed(answer, intent, confidence, last.context, ids)

    def route_many(self, texts: List[str]) -> List[Routed]:
        """Route independent single messages."""
        return [self.route(t) for t in texts]
