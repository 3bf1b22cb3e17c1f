"""Long personal questions: the substance or condition the question is about routes.

A story before the question often names other things ("I tried ketamine last
year. Now my doctor mentions psilocybin. Is it addictive?"); the lexicon
extractor marks the mentions in the question (`focus`, lantern/nlu/entities.py)
and routing (actions/context.py) uses only those.
"""

from __future__ import annotations

from typing import Any, Dict, List, Tuple

import pytest

from actions.context import Context, entity_values, next_step
from actions.knowledge_base import knowledge_base
from actions.routing import routing_table
from lantern.matching.lexicon import lexicon
from lantern.nlu.entities import mark_focus
from lantern.text import sentences
from tests.conftest import answer_ids
from tests.servers import Servers

TABLE = routing_table()
KB = knowledge_base()


def extract(text: str) -> List[Dict[str, Any]]:
    """Entities as the pipeline's extractor gives them."""
    found = [
        {"entity": m.label, "value": m.value, "start": m.start, "end": m.end}
        for m in lexicon().find(text)
    ]
    mark_focus(text, found)
    return found


def route(intent: str, text: str) -> str | None:
    return next_step(intent, extract(text), Context(), TABLE, KB).answer_id


def test_sentences_split_on_end_punctuation_but_not_inside_words() -> None:
    text = "I read clinicaltrials.gov today. Is 2.5 hours long? ok"
    assert [(text[a:b].strip(), q) for a, b, q in sentences(text)] == [
        ("I read clinicaltrials.gov today.", False),
        ("Is 2.5 hours long?", True),
        ("ok", False),
    ]


@pytest.mark.parametrize(
    ("intent", "text", "expected"),
    [
        # the substance in the question wins over the one in the story
        (
            "ask_side_effects",
            "My sister had ketamine infusions and felt fine. I've been offered a place "
            "in a psilocybin study. What side effects does psilocybin have?",
            "psychedelic_side_effects",
        ),
        (
            "ask_addiction_risk",
            "I took magic mushrooms twice at college. My psychiatrist now suggests "
            "ketamine. Can ketamine become a habit?",
            "ketamine_addiction_risk",
        ),
        (
            "ask_what_is",
            "Years ago I tried acid at a concert. Now my counsellor talks about "
            "ayahuasca retreats. What is ayahuasca?",
            "ayahuasca",
        ),
        # no substance in the question: the latest sentence that names one ("it")
        (
            "ask_legal_status",
            "Psilocybin didn't do much for me in a study. Then my doctor mentioned "
            "ketamine. Is it legal?",
            "ketamine_legal_status",
        ),
        (
            "ask_conditions",
            "I went to a mushroom retreat once and it did little. Now I'm reading about "
            "ketamine for my low mood. What does the research say?",
            "ketamine_for_depression",
        ),
        # a condition in the question wins; without one, the story's condition counts
        (
            "ask_conditions",
            "I've had depression since school. These days my back pain is worse. "
            "Could ketamine help the back pain?",
            "ketamine_for_pain",
        ),
        (
            "ask_conditions",
            "I came back from the army with PTSD. Could ketamine help someone like me?",
            "ketamine_for_ptsd",
        ),
        # a broad condition in the question keeps the story's specific one
        (
            "ask_conditions",
            "My uncle lost his leg in a work accident years ago. He still hurts where "
            "the foot was. Can psilocybin help that kind of pain?",
            "phantom_limb_pain",
        ),
        # one sentence naming two substances is still a comparison
        (
            "ask_what_is",
            "is esketamine the same thing as ketamine?",
            "esketamine_spravato",
        ),
    ],
)
def test_the_question_decides_what_a_long_message_is_about(
    intent: str, text: str, expected: str
) -> None:
    assert route(intent, text) == expected


def test_a_question_without_a_question_mark_is_its_last_sentence() -> None:
    text = "I had ketamine last spring. Tell me about psilocybin side effects"
    assert entity_values(extract(text), "substance") == ["psilocybin"]


def test_entities_without_focus_marks_all_count() -> None:
    entities = [
        {"entity": "substance", "value": "ketamine"},
        {"entity": "substance", "value": "esketamine"},
    ]
    assert entity_values(entities, "substance") == ["ketamine", "esketamine"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("my antidepressants aren't working", ("condition", "treatment_resistant_depression")),
        ("depression that won't lift", ("condition", "treatment_resistant_depression")),
        ("depression meds don't work for me", ("condition", "treatment_resistant_depression")),
        ("he still has flashbacks from the war", ("condition", "ptsd")),
        ("does it reduce cravings for alcohol", ("condition", "addiction")),
        ("the new nasal spray for depression", ("substance", "esketamine")),
        ("mirror therapy for a missing leg", ("condition", "phantom_limb_pain")),
        # a typo after "phantom" no longer loses the condition
        ("phantom lim pains after surgery", ("condition", "phantom_limb_pain")),
        ("a trial found fewer headache attacks", ("condition", "cluster_headache")),
        ("she has a headache disorder", ("condition", "migraine")),
        ("a man at my recovery group mentioned it", ("condition", "addiction")),
        ("does it help heavy drinkers", ("condition", "addiction")),
        (
            "it hasn't responded to several antidepressants",
            ("condition", "treatment_resistant_depression"),
        ),
        ("she failed two antidepressants", ("condition", "treatment_resistant_depression")),
        # an adverb inside a phrase
        (
            "nothing has really helped my depression",
            ("condition", "treatment_resistant_depression"),
        ),
        ("my antidepressants never even worked", ("condition", "treatment_resistant_depression")),
    ],
)
def test_new_synonym_families(text: str, expected: Tuple[str, str]) -> None:
    assert expected in [(m.label, m.value) for m in lexicon().find(text)]


def test_several_substances_for_depression_is_the_treatment_resistance_answer() -> None:
    text = "what is known about ketamine, esketamine and psilocybin for depression"
    assert route("ask_what_is", text) == "treatment_resistant_depression"


def test_a_therapy_question_about_phantom_limbs_gets_the_phantom_limb_answer() -> None:
    text = "how is psilocybin combined with mirror therapy"
    assert route("ask_therapy_process", text) == "phantom_limb_pain"
    assert route("ask_therapy_process", "how does psilocybin therapy work") == "therapy_process"


def test_phantom_pain_is_more_specific_than_pain() -> None:
    assert entity_values(extract("phantom lim pain and psilocybin"), "condition") == [
        "phantom_limb_pain",
        "chronic_pain",
    ]


@pytest.mark.server
@pytest.mark.parametrize(
    ("question", "answer_id"),
    [
        (
            "My sister had ketamine infusions last year and felt fine. Now I'm offered "
            "a place in a psilocybin study. What side effects does psilocybin have?",
            "psychedelic_side_effects",
        ),
        (
            "I took magic mushrooms twice at college. My psychiatrist now suggests "
            "ketamine. Is ketamine addictive?",
            "ketamine_addiction_risk",
        ),
    ],
)
def test_the_focus_reaches_the_action_server(
    servers: Servers, sender: str, question: str, answer_id: str
) -> None:
    """The extractor's marks travel with the message to `action_answer` over HTTP."""
    assert answer_id in answer_ids(servers.send(sender, question))
