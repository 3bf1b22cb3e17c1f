"""The one action that answers from the knowledge base, with context and clarification."""

from __future__ import annotations

import os
from typing import Any, Dict, List

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.context import Context, next_step
from actions.knowledge_base import Answer, knowledge_base
from actions.routing import routing_table
from lantern.nlg import response_variables

SUBSTANCE_LABELS = {
    "ketamine": "Ketamine",
    "esketamine": "Esketamine (Spravato)",
    "psilocybin": "Psilocybin",
    "mdma": "MDMA",
    "lsd": "LSD",
    "ayahuasca": "Ayahuasca",
    "psychedelics": "Psychedelics in general",
}
GET_HELP_BUTTON = {"title": "Get help now", "payload": "/get_help"}


def topic_button(answer: Answer) -> Dict[str, str]:
    """A button that opens an answer."""
    return {"title": answer.title, "payload": f'/choose_topic{{"topic":"{answer.id}"}}'}


def reviewer_mode(tracker: Tracker) -> bool:
    """Answer ids are shown only in the Rasa shell, and only when reviewers ask for it."""
    return (
        os.environ.get("LANTERN_REVIEWER_MODE") == "1"
        and tracker.get_latest_input_channel() == "cmdline"
    )


def send_answer(dispatcher: CollectingDispatcher, tracker: Tracker, answer: Answer) -> None:
    """Answer text (with the structured payload), consult line, related-topic buttons."""
    kb = knowledge_base()
    dispatcher.utter_message(text=answer.answer, json_message=answer.payload())
    dispatcher.utter_message(text=answer.consult)
    buttons = [topic_button(kb[r]) for r in answer.related]
    if tracker.get_slot("crisis_shown"):
        buttons.append(GET_HELP_BUTTON)
    dispatcher.utter_message(text="You might also want to know:", buttons=buttons)
    if reviewer_mode(tracker):
        dispatcher.utter_message(
            text=f"[reviewer] answer_id={answer.id} reviewed={answer.reviewed_on.isoformat()}"
        )


def tracker_context(tracker: Tracker) -> Context:
    """The conversation context kept in slots by earlier answers."""
    return Context(
        tracker.get_slot("substance"),
        tracker.get_slot("condition"),
        tracker.get_slot("question_type"),
    )


def context_slots(context: Context) -> List[EventType]:
    """Slot events that store the context."""
    return [
        SlotSet("substance", context.substance),
        SlotSet("condition", context.condition),
        SlotSet("question_type", context.question_type),
    ]


class ActionAnswer(Action):
    """Routes the question (intent + entities + context) to one vetted answer."""

    def name(self) -> str:
        """Action name in the domain."""
        return "action_answer"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        """Answer, clarify, or fall back to the topic menu."""
        kb, table = knowledge_base(), routing_table()
        message: Dict[str, Any] = tracker.latest_message or {}
        intent = (message.get("intent") or {}).get("name") or ""
        context = tracker_context(tracker)
        step = next_step(intent, message.get("entities") or [], context, table, kb)
        if step.clarify:
            floor = response_variables(tracker.get_slot("region"))["help_floor"]
            dispatcher.utter_message(
                text=f"Which one do you mean? {floor}",
                buttons=[
                    {
                        "title": SUBSTANCE_LABELS[s],
                        "payload": f'/inform_substance{{"substance":"{s}"}}',
                    }
                    for s in table.clarify_choices
                ],
                json_message={"answer_id": "clarify_substance"},
            )
            return context_slots(step.context)
        if step.answer_id is None:
            dispatcher.utter_message(response="utter_out_of_scope")
            return []
        answer = kb[step.answer_id]
        send_answer(dispatcher, tracker, answer)
        return [*context_slots(step.context), SlotSet("last_answer", answer.id)]
