"""The one action that answers from the knowledge base, with context and clarification."""

from __future__ import annotations

import logging
import os
import sqlite3
from typing import Any, Dict, List

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import gaps
from actions.context import Context, Step, entity_values, next_step
from actions.knowledge_base import Answer, KnowledgeBase, knowledge_base
from actions.routing import RoutingTable, routing_table
from lantern.nlg import response_variables
from lantern.text import asks

logger = logging.getLogger(__name__)

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
#: The `not_covered` reply (content-spec): said kindly, who can answer, then the
#: nearest reviewed answers as buttons and the help line every non-answer ends with.
NOT_COVERED_TEXT = (
    "I don't have a reviewed answer on that yet, but your care team can tell you: please "
    "ask them. These reviewed answers are the closest I have."
)
#: A second question in the same message is answered when its own reading is at
#: least this sure (`questions`, lantern/nlu/classifier.py); at most MAX_ANSWERS.
QUESTION_CONFIDENCE = 0.5
MAX_ANSWERS = 2


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
        return answer(
            dispatcher,
            tracker,
            intent,
            message.get("entities") or [],
            str(message.get("text") or ""),
            message.get("questions") or [],
        )


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
        intent, entities, text = asked
        return answer_or_decline(dispatcher, tracker, intent, entities, text)


#: A question asked beside the risk is answered after the safety reply when the
#: classifier read it at least this surely (its reading is kept under the safety intent).
QUESTION_AFTER_SAFETY = 0.5


#: The safety replies the risk stage may ask for after the crisis reply (`risk.also`):
#: abuse, a bad trip or an emergency read with a crisis beside it.
SECOND_REPLIES = {
    "safety_abuse": "utter_safety_abuse",
    "safety_active_use": "utter_safety_active_use",
    "safety_emergency": "utter_safety_emergency",
}


class ActionAnswerAfterSafety(Action):
    """After a safety reply, the question asked in the same message ("...does ketamine help?").

    When the risk stage read abuse or a bad trip with a crisis beside it, the
    crisis reply came first and that reading's own reply follows here.

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
        """The second safety reply, if the risk stage read one; then the question's answer."""
        message: Dict[str, Any] = tracker.latest_message or {}
        also = (message.get("risk") or {}).get("also")
        if also in SECOND_REPLIES:
            dispatcher.utter_message(response=SECOND_REPLIES[also])
        if not asks(str(message.get("text") or "")):
            return []
        for ranked in message.get("intent_ranking") or []:
            name = str(ranked.get("name"))
            if name in NOT_A_QUESTION or not name.startswith(("ask_", "request_")):
                continue
            if float(ranked.get("confidence") or 0.0) < QUESTION_AFTER_SAFETY:
                return []
            return answer_or_decline(
                dispatcher,
                tracker,
                name,
                message.get("entities") or [],
                str(message.get("text") or ""),
            )
        return []


def answer_or_decline(
    dispatcher: CollectingDispatcher,
    tracker: Tracker,
    intent: str,
    entities: List[Any],
    text: str,
) -> List[EventType]:
    """A decline question gets its decline response; any other question its answer.

    Shared by the answers given after a safety reply and after the check-in.
    """
    if intent in DECLINES:
        dispatcher.utter_message(response=DECLINES[intent])
        return []
    return answer(dispatcher, tracker, intent, entities, text)


def question_behind_check_in(events: List[Dict[str, Any]]) -> Any:
    """(intent, entities, text) of the last message that got the check-in, or None."""
    for event in reversed(events):
        if event.get("event") != "user":
            continue
        parsed = event.get("parse_data") or {}
        if (parsed.get("intent") or {}).get("name") != "safety_check_in":
            continue
        for ranked in parsed.get("intent_ranking") or []:
            if ranked.get("name") not in NOT_A_QUESTION:
                return ranked["name"], parsed.get("entities") or [], str(event.get("text") or "")
        return None
    return None


def answer(
    dispatcher: CollectingDispatcher,
    tracker: Tracker,
    intent: str,
    entities: List[Any],
    text: str = "",
    questions: List[Dict[str, Any]] | None = None,
) -> List[EventType]:
    """Route one message to its answers, a clarification, `not_covered` or the menu.

    `questions`: the message's own questions when it asks several (the NLU's
    `questions`): each is answered, in order, at most MAX_ANSWERS.
    """
    kb, table = knowledge_base(), routing_table()
    context = tracker_context(tracker)
    step = next_step(intent, entities, context, table, kb, text)
    if step.not_covered is not None:
        send_not_covered(dispatcher, tracker, step.not_covered)
        return []
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
    last = step
    for reply in answers_in_order(step, questions or [], entities, context, table, kb, text):
        if isinstance(reply, str):  # a decline asked beside the question
            dispatcher.utter_message(response=reply)
            continue
        send_answer(dispatcher, tracker, kb[str(reply.answer_id)])
        last = reply
    return [*context_slots(last.context), SlotSet("last_answer", last.answer_id)]


def answers_in_order(
    step: Step,
    questions: List[Dict[str, Any]],
    entities: List[Any],
    context: Context,
    table: RoutingTable,
    kb: KnowledgeBase,
    text: str,
) -> List[Step | str]:
    """The replies to a message, in the order it asks: its answer, or two.

    A message that asks several questions ("What is ketamine, and is it
    addictive?") gets each one's answer (or decline) where that question's own
    reading is at least QUESTION_CONFIDENCE sure, once each, in order, at most
    MAX_ANSWERS, and only when the whole message's own answer is one of them (so
    a misread part never replaces it). A question that names no substance is
    about the message's ("is it addictive?" there is about ketamine).
    """
    found: List[Step | str] = []
    named = [e for e in entities if e.get("entity") == "substance" and e.get("focus") is not False]
    for question in questions:
        reading = question.get("intent") or {}
        name = str(reading.get("name") or "")
        if float(reading.get("confidence") or 0.0) < QUESTION_CONFIDENCE:
            continue
        start, end = int(question.get("start", 0)), int(question.get("end", 0))
        reply: Step | str
        if name in DECLINES:
            reply = DECLINES[name]
        elif name in table.rules:
            own = [e for e in entities if start <= int(e.get("start", -1)) < end]
            if not entity_values(own, "substance"):
                own = [*own, *named]
            part = next_step(name, own, context, table, kb, text[start:end])
            if part.answer_id is None:
                continue
            reply = part
        else:
            continue
        if all(_key(reply) != _key(r) for r in found):
            found.append(reply)
    keys = [_key(r) for r in found]
    if step.answer_id not in keys or len(found) < 2:
        return [step]
    if len(found) > MAX_ANSWERS:  # the message's own answer and the first other one
        own_at = keys.index(str(step.answer_id))
        other = next(i for i in range(len(found)) if i != own_at)
        found = [found[i] for i in sorted((own_at, other))]
    return found


def _key(reply: Step | str) -> str:
    return reply if isinstance(reply, str) else str(reply.answer_id)


def send_not_covered(dispatcher: CollectingDispatcher, tracker: Tracker, topic: str) -> None:
    """The `not_covered` reply with the nearest reviewed answers, and the topic counted."""
    kb = knowledge_base()
    buttons = [topic_button(kb[a]) for a in routing_table().not_covered[topic].nearest]
    if tracker.get_slot("crisis_shown"):
        buttons.append(GET_HELP_BUTTON)
    floor = response_variables(tracker.get_slot("region"))["help_floor"]
    dispatcher.utter_message(
        text=f"{NOT_COVERED_TEXT} {floor}",
        buttons=buttons,
        json_message={"answer_id": "not_covered"},
    )
    try:
        gaps.record(topic)
    except (sqlite3.Error, OSError):  # the reply matters more than the count
        logger.warning("a not-covered count could not be stored")
