"""General before clarification (issue 20, point 3).

A question with no substance named and none from the conversation that speaks of
the class ("are these drugs addictive?") gets its question type's general answer
(`general` in content/knowledge/routing.yml); "Which one do you mean?" is left for a
question about one thing it does not name ("is it addictive?"), which the general
answers (about psychedelics as a class) do not answer.
"""

from __future__ import annotations

from typing import Any, Dict, List

import pytest

from actions.answer import ActionAnswer
from actions.context import Context, Step, next_step
from actions.knowledge_base import knowledge_base
from actions.routing import routing_table
from tests.dialogue.test_actions import run, slots_of, tracker

TABLE = routing_table()
KB = knowledge_base()
#: the catalog's section A: psychedelic-assisted therapy in general
GENERAL_ANSWERS = {
    "psychedelic_therapy_overview",
    "conditions_studied",
    "how_psychedelics_work",
    "therapy_process",
    "treatment_resistant_depression",
    "psychedelic_side_effects",
    "psychedelic_legal_status",
    "psychedelic_addiction_risk",
    "who_should_avoid_psychedelics",
    "drug_interactions",
}


def step(intent: str, text: str, entities: List[Dict[str, Any]] | None = None) -> Step:
    return next_step(intent, entities or [], Context(), TABLE, KB, text)


@pytest.mark.parametrize(
    ("intent", "text", "expected"),
    [
        ("ask_addiction_risk", "are these drugs addictive?", "psychedelic_addiction_risk"),
        ("ask_how_it_works", "how does this kind of therapy work?", "how_psychedelics_work"),
        ("ask_side_effects", "risks of treatments like this", "psychedelic_side_effects"),
        ("ask_legal_status", "are such treatments legal anywhere?", "psychedelic_legal_status"),
        (
            "ask_who_should_avoid",
            "who should avoid these medicines",
            "who_should_avoid_psychedelics",
        ),
        ("ask_what_is", "what are these therapies in general", "psychedelic_therapy_overview"),
    ],
)
def test_a_question_about_the_class_gets_the_general_answer(
    intent: str, text: str, expected: str
) -> None:
    got = step(intent, text)
    assert (got.answer_id, got.clarify) == (expected, False)
    assert got.context.substance == "psychedelics"  # "is it legal?" next is about them too


@pytest.mark.parametrize(
    ("intent", "text"),
    [
        ("ask_addiction_risk", "is it addictive?"),
        ("ask_side_effects", "what are the side effects?"),
        ("ask_legal_status", "is this treatment legal?"),
        ("ask_what_is", "what is it"),
    ],
)
def test_a_question_about_one_unnamed_thing_still_asks_which_one(intent: str, text: str) -> None:
    assert step(intent, text).clarify


def test_the_conversation_or_a_named_substance_comes_before_the_general_answer() -> None:
    after_ketamine = Context("ketamine", None, "ask_what_is")
    got = next_step(
        "ask_addiction_risk", [], after_ketamine, TABLE, KB, "are these drugs addictive?"
    )
    assert got.answer_id == "ketamine_addiction_risk"
    named = [{"entity": "substance", "value": "mdma"}]
    assert step("ask_side_effects", "are these drugs risky", named).answer_id == (
        "psychedelic_side_effects"
    )
    assert step("ask_legal_status", "are these drugs legal", named).answer_id == "mdma"


def test_every_question_type_that_asks_which_one_has_a_general_answer_in_section_a() -> None:
    """So "Which one do you mean?" is only ever about one thing the question did not name."""
    needs = [i for i, needed in TABLE.needs_substance.items() if needed]
    assert needs
    for intent in needs:
        route = TABLE.resolve(intent, TABLE.general_substance, None)
        assert route is not None and route.answer_id in GENERAL_ANSWERS, intent


async def test_the_action_gives_the_general_answer_and_keeps_its_substance() -> None:
    t = tracker("ask_addiction_risk")
    t.latest_message["text"] = "are these sorts of drugs habit forming?"
    messages, events = await run(ActionAnswer(), t)
    assert messages[0]["custom"]["answer_id"] == "psychedelic_addiction_risk"
    assert slots_of(events)["substance"] == "psychedelics"
