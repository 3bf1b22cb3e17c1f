"""Low-confidence handling: "Did you mean ...?" with the top two candidates, then the menu."""

from __future__ import annotations

from typing import Any, Dict, List

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.answer import topic_button, tracker_context
from actions.context import Context, next_step
from actions.knowledge_base import knowledge_base
from actions.routing import routing_table

MIN_CANDIDATE_CONFIDENCE = 0.05


def last_bot_answer_id(tracker: Tracker) -> str | None:
    """The answer id of the bot's most recent message with one."""
    for event in reversed(tracker.events):
        if event.get("event") == "bot":
            custom = (event.get("data") or {}).get("custom") or {}
            if isinstance(custom, dict) and custom.get("answer_id"):
                return str(custom["answer_id"])
        if event.get("event") == "user" and event is not tracker.events[-1]:
            break
    return None


def candidates(message: Dict[str, Any], context: Context, limit: int = 2) -> List[str]:
    """The best distinct answers among the ranked question types of a message."""
    kb, table = knowledge_base(), routing_table()
    found: List[str] = []
    for ranked in message.get("intent_ranking") or []:
        name = ranked.get("name")
        if (
            name not in table.rules
            or float(ranked.get("confidence") or 0) < MIN_CANDIDATE_CONFIDENCE
        ):
            continue
        step = next_step(name, message.get("entities") or [], context, table, kb)
        if step.answer_id and step.answer_id not in found:
            found.append(step.answer_id)
        if len(found) == limit:
            break
    return found


class ActionDidYouMean(Action):
    """First low-confidence turn: offer the top two answers; second: the topic menu."""

    def name(self) -> str:
        """Action name in the domain."""
        return "action_did_you_mean"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        """Offer candidates, or fall back to out_of_scope."""
        found = candidates(tracker.latest_message or {}, tracker_context(tracker))
        if not found or last_bot_answer_id(tracker) == "did_you_mean":
            dispatcher.utter_message(response="utter_out_of_scope")
            return []
        kb = knowledge_base()
        dispatcher.utter_message(
            text="I'm not sure I understood. Did you mean one of these?",
            buttons=[topic_button(kb[a]) for a in found]
            + [{"title": "Something else", "payload": "/out_of_scope"}],
            json_message={"answer_id": "did_you_mean", "candidates": found},
        )
        return []
