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
from lantern.text import asks

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
        message: Dict[str, Any] = tracker.latest_message or {}
        intent = (message.get("intent") or {}).get("name") or ""
        return answer(dispatcher, tracker, intent, message.get("entities") or [])


#: What a decline question gets when it is answered after the check-in.
DECLINES = {
    "request_dosing": "utter_decline_dosing",
    "request_sourcing": "utter_decline_sourcing",
    "request_personal_advice": "utter_decline_personal_advice",
}
#: Readings that are not the question itself.
NOT_A_QUESTION = {
    "nlu_fallback",
    "safety_check_in",
    "deny_risk",
    "safety_crisis",
    "safety_emergency",
    "safety_active_use",
    "safety_abuse",
    "deny_crisis",
}


class ActionAnswerAfterCheckIn(Action):
    """The check-in's "No, I was asking for information": answer the message that led to it.

    The risk stage put the check-in on top of that message's own reading and kept
    the rest of the ranking below it, so its best other intent is the question.
    """

    def name(self) -> str:
        """Action name in the domain."""
        return "action_answer_after_check_in"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        """Answer the question behind the check-in, or offer the topics."""
        asked = question_behind_check_in(tracker.events)
        if asked is None:
            dispatcher.utter_message(response="utter_out_of_scope")
            return []
        intent, entities = asked
        if intent in DECLINES:
            dispatcher.utter_message(response=DECLINES[intent])
            return []
        return answer(dispatcher, tracker, intent, entities)


#: A question asked beside the risk is answered after the safety reply when the
#: classifier read it at least this surely (its reading is kept under the safety intent).
QUESTION_AFTER_SAFETY = 0.5


class ActionAnswerAfterSafety(Action):
    """After a safety reply, the question asked in the same message ("...does ketamine help?").

    The safety reply comes first and alone decides what the patient sees first;
    the question is not dropped. Only a message that asks, and a question or
    decline reading the classifier was fairly sure of, gets an answer.
    """

    def name(self) -> str:
        """Action name in the domain."""
        return "action_answer_after_safety"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        """Answer the question under the safety reading, if there is one."""
        message: Dict[str, Any] = tracker.latest_message or {}
        if not asks(str(message.get("text") or "")):
            return []
        for ranked in message.get("intent_ranking") or []:
            name = str(ranked.get("name"))
            if name in NOT_A_QUESTION or not name.startswith(("ask_", "request_")):
                continue
            if float(ranked.get("confidence") or 0.0) < QUESTION_AFTER_SAFETY:
                return []
            if name in DECLINES:
                dispatcher.utter_message(response=DECLINES[name])
                return []
            return answer(dispatcher, tracker, name, message.get("entities") or [])
        return []


def question_behind_check_in(events: List[Dict[str, Any]]) -> Any:
    """(intent, entities) of the last message that got the check-in, or None."""
    for event in reversed(events):
        if event.get("event") != "user":
            continue
        parsed = event.get("parse_data") or {}
        if (parsed.get("intent") or {}).get("name") != "safety_check_in":
            continue
        for ranked in parsed.get("intent_ranking") or []:
            if ranked.get("name") not in NOT_A_QUESTION:
                return ranked["name"], parsed.get("entities") or []
        return None
    return None


def answer(
    dispatcher: CollectingDispatcher, tracker: Tracker, intent: str, entities: List[Any]
) -> List[EventType]:
    """Route one question (intent, entities, context) to an answer, a clarification or the menu."""
    kb, table = knowledge_base(), routing_table()
    step = next_step(intent, entities, tracker_context(tracker), table, kb)
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
    chosen = kb[step.answer_id]
    send_answer(dispatcher, tracker, chosen)
    return [*context_slots(step.context), SlotSet("last_answer", chosen.id)]
