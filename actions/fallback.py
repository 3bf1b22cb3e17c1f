"""Low-confidence handling: answer when the likely readings agree, else "Did you mean ...?".

When the FallbackClassifier is unsure between question types that lead to the
same answer (given the entities and the context), the patient gets that answer
(`direct_answer`). Right after an answer, a short unsure message is a follow-up
("does it last?", "can anyone do it?"): its best reading is answered in the
conversation's context, or declined when it is a personal decision ("so do I
quit my zoloft now?"). A question about a topic no answer covers gets
`not_covered`. Otherwise the top two candidates, then the menu on a second
unsure turn. `unsure_reply` decides all of it, for action_did_you_mean and
bench/model.py's Router. "Did you mean", like every reply that is not a vetted
answer, ends with the region's crisis and emergency numbers (`help_floor`).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, List, Tuple

import yaml
from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.answer import DECLINES, ActionAnswer, send_not_covered, topic_button, tracker_context
from actions.context import Context, asked_gap, next_step
from actions.knowledge_base import ROOT, knowledge_base
from actions.routing import routing_table
from lantern.nlg import response_variables
from lantern.safety.screen import CATEGORIES

#: Readings that keep an unsure message from a direct answer: the intents the safety
#: screen decides (safety and declines) and asking for help.
SAFETY_READINGS = frozenset({*CATEGORIES, "get_help"})

MIN_CANDIDATE_CONFIDENCE = 0.05
FALLBACK_INTENT = "nlu_fallback"
#: Intents action_answer routes besides the question types of the routing table.
ANSWERED_INTENTS = frozenset({"inform_substance"})
#: Readings that keep a follow-up from being answered or declined: any sign of risk.
RISK_READINGS = frozenset(
    {"safety_crisis", "safety_emergency", "safety_active_use", "safety_abuse", "safety_check_in"}
    | {"get_help", "deny_crisis"}
)
#: A follow-up: at most this many words, after an answer (the context has a question
#: type or substance); its best reading is taken from this confidence on (chosen on
#: eval/dialogue/followups_dev.yml, docs/dialogue.md).
FOLLOW_UP_WORDS = 8
FOLLOW_UP_CONFIDENCE = 0.1


@dataclass(frozen=True)
class Thresholds:
    """The FallbackClassifier's settings in config.yml."""

    threshold: float
    ambiguity: float


@lru_cache(maxsize=1)
def fallback_thresholds(config: Path = ROOT / "config.yml") -> Thresholds:
    """The threshold and ambiguity threshold the model's FallbackClassifier uses."""
    pipeline = yaml.safe_load(config.read_text())["pipeline"]
    (spec,) = [c for c in pipeline if c.get("name") == "FallbackClassifier"]
    return Thresholds(float(spec["threshold"]), float(spec["ambiguity_threshold"]))


def last_bot_answer_id(tracker: Tracker) -> str | None:
    """The answer id of the bot's last message with one in the turn before this one.

    This turn's user message is the latest user event; slot events (entities
    filling slots) may follow it, so the search starts from it, not from the end.
    """
    current = False
    for event in reversed(tracker.events):
        kind = event.get("event")
        if kind == "user":
            if current:
                break
            current = True
        elif kind == "bot" and current:
            custom = (event.get("data") or {}).get("custom") or {}
            if isinstance(custom, dict) and custom.get("answer_id"):
                return str(custom["answer_id"])
    return None


def _readings(message: Dict[str, Any], context: Context) -> List[Tuple[str, float, str | None]]:
    """(intent, confidence, answer id or None) for each ranked intent, best first.

    The answer is the one action_answer would give for that intent; intents it
    does not answer (safety, declines, chitchat) and clarifications have none.
    """
    kb, table = knowledge_base(), routing_table()
    entities = message.get("entities") or []
    found = []
    for ranked in message.get("intent_ranking") or []:
        name = str(ranked.get("name"))
        if name == FALLBACK_INTENT:
            continue
        answer = None
        if name in table.rules or name in ANSWERED_INTENTS:
            text = str(message.get("text") or "")
            answer = next_step(name, entities, context, table, kb, text).answer_id
        found.append((name, float(ranked.get("confidence") or 0.0), answer))
    return found


def candidates(message: Dict[str, Any], context: Context, limit: int = 2) -> List[str]:
    """The best distinct answers among the ranked question types of a message."""
    found: List[str] = []
    for _, confidence, answer in _readings(message, context):
        if answer and confidence >= MIN_CANDIDATE_CONFIDENCE and answer not in found:
            found.append(answer)
        if len(found) == limit:
            break
    return found


def direct_answer(
    message: Dict[str, Any], context: Context, thresholds: Thresholds | None = None
) -> str | None:
    """The question type to answer an unsure message with, or None for "Did you mean".

    The FallbackClassifier's own test, applied to answers instead of intents: the
    ranked intents that lead to the same answer pool their confidence, every other
    intent counts alone. The message is answered when the best-ranked intent leads
    to an answer whose pooled confidence reaches the threshold and leads every
    other answer or intent by the ambiguity threshold. Safety first: a message the
    safety screen decided, one whose best-ranked intent is not one action_answer
    answers, and one where a safety intent, a decline or asking for help is as
    plausible as a did-you-mean candidate (MIN_CANDIDATE_CONFIDENCE) are never answered here.
    """
    limits = thresholds or fallback_thresholds()
    if ((message.get("intent") or {}).get("name")) != FALLBACK_INTENT:
        return None
    if (message.get("safety") or {}).get("category"):
        return None
    readings = _readings(message, context)
    if not readings or readings[0][2] is None:
        return None
    if any(n in SAFETY_READINGS and c >= MIN_CANDIDATE_CONFIDENCE for n, c, _ in readings):
        return None
    pooled: Dict[Tuple[str, str], float] = {}
    for name, confidence, answer in readings:
        key = ("answer", answer) if answer is not None else ("intent", name)
        pooled[key] = pooled.get(key, 0.0) + confidence
    best_intent, _, best_answer = readings[0]
    agreed = pooled.pop(("answer", str(best_answer)))
    runner_up = max(pooled.values(), default=0.0)
    if agreed >= limits.threshold and agreed - runner_up >= limits.ambiguity:
        return best_intent
    return None


@dataclass(frozen=True)
class Unsure:
    """What an unsure turn gets: `kind` is answer, decline, not_covered or did_you_mean."""

    kind: str
    value: str | None = None  # the question type, decline response or gap topic
    candidates: Tuple[str, ...] = ()


def follow_up(message: Dict[str, Any], context: Context) -> str | None:
    """The reading of a short unsure follow-up right after an answer, or None.

    Its best reading, when that is a question type action_answer answers (in the
    context) or a decline, at FOLLOW_UP_CONFIDENCE or more, with no risk reading
    as plausible as a did-you-mean candidate.
    """
    if context.question_type is None and context.substance is None:
        return None
    if (message.get("safety") or {}).get("category"):
        return None
    if len(str(message.get("text") or "").split()) > FOLLOW_UP_WORDS:
        return None
    readings = _readings(message, context)
    if not readings or any(
        n in RISK_READINGS and c >= MIN_CANDIDATE_CONFIDENCE for n, c, _ in readings
    ):
        return None
    name, confidence, answer = readings[0]
    if confidence < FOLLOW_UP_CONFIDENCE or (answer is None and name not in DECLINES):
        return None
    return name


def unsure_reply(message: Dict[str, Any], context: Context) -> Unsure:
    """What an unsure message gets (before the menu that follows a second unsure turn).

    In order: the answer its readings agree on; a follow-up's answer or decline;
    `not_covered` for a question on a topic no answer covers; "Did you mean".
    """
    intent = direct_answer(message, context) or follow_up(message, context)
    if intent in DECLINES:
        return Unsure("decline", DECLINES[intent])
    if intent is not None:
        return Unsure("answer", intent)
    gap = asked_gap(message.get("entities") or [])
    if gap is not None and gap in routing_table().not_covered:
        return Unsure("not_covered", gap)
    return Unsure("did_you_mean", candidates=tuple(candidates(message, context)))


def as_question(tracker: Tracker, intent: str) -> Tracker:
    """The same turn, read as the question type `intent` (for action_answer)."""
    latest = dict(tracker.latest_message or {})
    confidence = next(
        (
            float(r.get("confidence") or 0.0)
            for r in latest.get("intent_ranking") or []
            if r.get("name") == intent
        ),
        0.0,
    )
    latest["intent"] = {"name": intent, "confidence": confidence}
    read = copy.copy(tracker)
    read.latest_message = latest
    return read


class ActionDidYouMean(Action):
    """Unsure turn: the answer the likely readings agree on; else the top two, then the menu."""

    def name(self) -> str:
        """Action name in the domain."""
        return "action_did_you_mean"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        """Answer, offer candidates, or fall back to out_of_scope."""
        message = tracker.latest_message or {}
        reply = unsure_reply(message, tracker_context(tracker))
        if reply.kind == "answer":
            read = as_question(tracker, str(reply.value))
            return await ActionAnswer().run(dispatcher, read, domain)
        if reply.kind == "decline":
            dispatcher.utter_message(response=reply.value)
            return []
        if reply.kind == "not_covered":
            send_not_covered(dispatcher, tracker, str(reply.value))
            return []
        found = list(reply.candidates)
        if not found or last_bot_answer_id(tracker) == "did_you_mean":
            dispatcher.utter_message(response="utter_out_of_scope")
            return []
        kb = knowledge_base()
        floor = response_variables(tracker.get_slot("region"))["help_floor"]
        dispatcher.utter_message(
            text=f"I'm not sure I understood. Did you mean one of these? {floor}",
            buttons=[topic_button(kb[a]) for a in found]
            + [{"title": "Something else", "payload": "/out_of_scope"}],
            json_message={"answer_id": "did_you_mean", "candidates": found},
        )
        return []
