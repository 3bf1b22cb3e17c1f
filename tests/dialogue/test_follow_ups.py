"""Follow-ups and messages that ask two things (issue 20, point 4).

- A short unsure message right after an answer is a follow-up: its best reading
  is answered in the conversation's context ("does it last?"), or declined when
  it is a personal decision ("so should I stop my meds then?").
- A follow-up naming only a condition ("and for PTSD?") asks what the substance
  does for it, unless the question before was about conditions or who should
  avoid it.
- A message asking two questions gets both answers, in order, at most two.
- On the dev list eval/dialogue/followups_dev.yml (trained model, in process)
  turns and two-question messages stay above their floors.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, Iterator, List

import pytest
import yaml

from actions.answer import MAX_ANSWERS, ActionAnswer, answers_in_order
from actions.context import Context, next_step
from actions.fallback import FOLLOW_UP_CONFIDENCE, ActionDidYouMean, follow_up
from actions.knowledge_base import knowledge_base
from actions.routing import routing_table
from bench.model import Router
from lantern.text import question_parts
from tests.dialogue.test_actions import run, slots_of, tracker

ROOT = Path(__file__).resolve().parents[2]
DEV_LIST = ROOT / "eval" / "dialogue" / "followups_dev.yml"
TABLE = routing_table()
KB = knowledge_base()
AFTER_KETAMINE = {"substance": "ketamine", "question_type": "ask_what_is"}


def unsure(text: str, *ranked: tuple) -> Dict[str, Any]:
    """A parse where the FallbackClassifier fired."""
    ranking = [{"name": "nlu_fallback", "confidence": 0.25}]
    ranking += [{"name": n, "confidence": c} for n, c in ranked]
    return {"text": text, "intent": ranking[0], "intent_ranking": ranking, "entities": []}


def ids(messages: List[Dict[str, Any]]) -> List[str]:
    return [m["custom"]["answer_id"] for m in messages if (m.get("custom") or {}).get("answer_id")]


# --- follow-ups ------------------------------------------------------------------


def test_a_short_unsure_follow_up_takes_its_best_reading_in_context() -> None:
    context = Context("ketamine", None, "ask_what_is")
    message = unsure("does it last?", ("ask_treatment_course", 0.14), ("ask_during_session", 0.09))
    assert follow_up(message, context) == "ask_treatment_course"
    # not without an answer before, not below the floor, not when long
    assert follow_up(message, Context()) is None
    low = unsure("does it last?", ("ask_treatment_course", FOLLOW_UP_CONFIDENCE / 2))
    assert follow_up(low, context) is None
    long = dict(message, text="so I was wondering whether any of it lasts at all for people")
    assert follow_up(long, context) is None


@pytest.mark.parametrize("risk", ["safety_crisis", "safety_active_use", "safety_check_in"])
def test_a_plausible_risk_reading_keeps_a_follow_up_from_an_answer(risk: str) -> None:
    message = unsure("does it last?", ("ask_treatment_course", 0.14), (risk, 0.06))
    assert follow_up(message, Context("ketamine", None, "ask_what_is")) is None


async def test_the_action_answers_a_follow_up_about_the_last_substance() -> None:
    t = tracker(
        "nlu_fallback",
        ranking=unsure(
            "can anyone do it?", ("ask_who_should_avoid", 0.22), ("ask_side_effects", 0.2)
        )["intent_ranking"],
        slots=AFTER_KETAMINE,
    )
    t.latest_message["text"] = "can anyone do it?"
    messages, events = await run(ActionDidYouMean(), t)
    assert ids(messages)[0] == "ketamine_who_should_avoid"
    assert slots_of(events)["last_answer"] == "ketamine_who_should_avoid"


async def test_a_personal_decision_right_after_an_answer_is_declined() -> None:
    text = "so should I stop my meds then?"
    ranking = unsure(text, ("request_personal_advice", 0.2), ("ask_drug_interactions", 0.15))
    t = tracker("nlu_fallback", ranking=ranking["intent_ranking"], slots=AFTER_KETAMINE)
    t.latest_message["text"] = text
    messages, events = await run(ActionDidYouMean(), t)
    assert (
        messages == [{**messages[0], "response": "utter_decline_personal_advice"}] and events == []
    )


@pytest.mark.parametrize(
    ("previous", "condition", "expected"),
    [
        # "is it addictive?", then "and for PTSD?"
        ("ask_addiction_risk", "ptsd", "ketamine_for_ptsd"),
        ("ask_what_is", "chronic_pain", "ketamine_for_pain"),
        ("ask_treatment_course", "depression", "ketamine_for_depression"),
        ("ask_conditions", "ptsd", "ketamine_for_ptsd"),  # already about conditions
        ("ask_who_should_avoid", "anxiety", "ketamine_who_should_avoid"),  # keeps_condition
    ],
)  # fmt: skip
def test_a_condition_alone_after_an_answer(previous: str, condition: str, expected: str) -> None:
    context = Context("ketamine", None, previous)
    entities = [{"entity": "condition", "value": condition}]
    assert next_step("inform_substance", entities, context, TABLE, KB).answer_id == expected


# --- two questions in one message -------------------------------------------------

TWO = "What is ketamine, and is it addictive?"
KETAMINE_AT = [{"entity": "substance", "value": "ketamine", "start": 8, "end": 16}]


def parts(*readings: tuple) -> List[Dict[str, Any]]:
    """`questions` as the classifier outputs them, over TWO's parts."""
    spans = question_parts(TWO)
    return [
        {"start": a, "end": b, "intent": {"name": n, "confidence": c}}
        for (a, b), (n, c) in zip(spans, readings, strict=False)
    ]


def test_the_parts_of_a_message_are_its_questions() -> None:
    assert [TWO[a:b] for a, b in question_parts(TWO)] == ["What is ketamine", "is it addictive?"]
    story = "My mom has cancer. Can psilocybin help her anxiety? Is it legal in Oregon?"
    assert [story[a:b] for a, b in question_parts(story)] == [
        "Can psilocybin help her anxiety?",
        "Is it legal in Oregon?",
    ]
    for one in ("what is the difference between ketamine and esketamine", "is it safe"):
        assert question_parts(one) == []


def _whole(intent: str) -> Any:
    return next_step(intent, KETAMINE_AT, Context(), TABLE, KB, TWO)


def test_both_answers_in_the_order_asked() -> None:
    questions = parts(("ask_what_is", 0.75), ("ask_addiction_risk", 0.99))
    replies = answers_in_order(
        _whole("ask_addiction_risk"), questions, KETAMINE_AT, Context(), TABLE, KB, TWO
    )
    # the second question names no substance: it is the message's ("is it addictive?")
    assert [r.answer_id for r in replies] == ["ketamine_overview", "ketamine_addiction_risk"]


def test_one_answer_when_a_part_is_unsure_or_the_message_reads_otherwise() -> None:
    unsure_part = parts(("ask_what_is", 0.3), ("ask_addiction_risk", 0.99))
    whole = _whole("ask_addiction_risk")
    assert answers_in_order(whole, unsure_part, KETAMINE_AT, Context(), TABLE, KB, TWO) == [whole]
    # the whole message's own answer must be one of the parts'
    both = parts(("ask_what_is", 0.75), ("ask_addiction_risk", 0.99))
    other = _whole("ask_side_effects")
    assert answers_in_order(other, both, KETAMINE_AT, Context(), TABLE, KB, TWO) == [other]


def test_at_most_two_answers_the_messages_own_among_them() -> None:
    questions = parts(("ask_what_is", 0.9), ("ask_addiction_risk", 0.9))
    questions.append(
        {"start": 0, "end": 16, "intent": {"name": "ask_legal_status", "confidence": 0.9}}
    )
    replies = answers_in_order(
        _whole("ask_legal_status"), questions, KETAMINE_AT, Context(), TABLE, KB, TWO
    )
    assert len(replies) == MAX_ANSWERS
    assert [r.answer_id for r in replies] == ["ketamine_overview", "ketamine_legal_status"]


async def test_the_action_sends_both_answers_and_keeps_the_last_as_context() -> None:
    t = tracker("ask_addiction_risk", KETAMINE_AT)
    t.latest_message.update(
        text=TWO, questions=parts(("ask_what_is", 0.75), ("ask_addiction_risk", 0.99))
    )
    messages, events = await run(ActionAnswer(), t)
    assert ids(messages) == ["ketamine_overview", "ketamine_addiction_risk"]
    assert slots_of(events)["last_answer"] == "ketamine_addiction_risk"
    assert slots_of(events)["question_type"] == "ask_addiction_risk"


async def test_a_decline_asked_beside_a_question_follows_its_answer() -> None:
    text = "Is ketamine addictive? Should I stop my sertraline for it?"
    spans = question_parts(text)
    readings = [("ask_addiction_risk", 0.9), ("request_personal_advice", 0.95)]
    questions = [
        {"start": a, "end": b, "intent": {"name": n, "confidence": c}}
        for (a, b), (n, c) in zip(spans, readings, strict=True)
    ]
    t = tracker(
        "ask_addiction_risk", [{"entity": "substance", "value": "ketamine", "start": 3, "end": 11}]
    )
    t.latest_message.update(text=text, questions=questions)
    messages, _ = await run(ActionAnswer(), t)
    assert ids(messages) == ["ketamine_addiction_risk"]
    assert messages[-1]["response"] == "utter_decline_personal_advice"


# --- on the trained model ----------------------------------------------------------


@pytest.fixture(scope="module")
def router() -> Iterator[Router]:
    yield Router()


def test_the_classifier_reads_each_question_of_a_message(router: Router) -> None:
    parsed = router.parse(TWO)
    assert [q["intent"]["name"] for q in parsed["questions"]] == [
        "ask_what_is",
        "ask_addiction_risk",
    ]
    assert "questions" not in router.parse("What is ketamine?")


def test_the_dev_list_stays_above_its_floors(router: Router) -> None:
    """Turns 26 of 29 and messages 10 of 11 when the follow-up threshold was chosen
    (docs/dialogue.md); before this work, 20 of 29 and 2 of 11."""
    data = yaml.safe_load(DEV_LIST.read_text())
    turns = right = 0
    for conversation in data["conversations"]:
        context = Context()
        for turn in conversation["turns"]:
            routed = router.route(turn["text"], context)
            context = routed.context
            turns += 1
            right += routed.answer_id == turn["answer_id"]
    messages = data["messages"]
    both = sum(list(router.route(m["text"]).answers) == m["answers"] for m in messages)
    assert turns >= 25 and right / turns >= 0.85, f"{right}/{turns} turns"
    assert both / len(messages) >= 0.9, f"{both}/{len(messages)} messages"
