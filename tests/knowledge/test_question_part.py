"""The question of a long message weighs in on its question type (lantern/nlu/question.py).

A story before the question ("My cousin swears ketamine fixed his back pain.
Can it be habit-forming?") is full of another question type's words. The
featurizer gives the question sentences features of their own and the
classifier weighs their scores in; one-sentence messages are scored as before.
"""

from __future__ import annotations

from typing import Dict, List

import numpy as np
import pytest
import scipy.sparse
from rasa.shared.nlu.constants import FEATURE_TYPE_SENTENCE, TEXT
from rasa.shared.nlu.training_data.features import Features
from rasa.shared.nlu.training_data.message import Message
from scipy.special import softmax

from lantern.nlu.classifier import LanternLogisticRegression
from lantern.nlu.question import QUESTION, question_spans
from tests.conftest import answer_ids
from tests.servers import Servers


def asked(text: str) -> List[str]:
    return [text[a:b].strip() for a, b in question_spans(text)]


def test_one_sentence_has_no_separate_question() -> None:
    assert asked("how long does a ketamine infusion take?") == []
    assert asked("tell me about psilocybin") == []


def test_the_sentences_that_ask_are_the_question() -> None:
    text = "We moved to Oregon last spring. Is psilocybin therapy allowed there? Thanks a lot."
    assert asked(text) == ["Is psilocybin therapy allowed there?"]
    # no question mark: opens with a question word, or says what the writer wants to know
    assert asked("My aunt is on lithium. what happens if she takes ketamine") == [
        "what happens if she takes ketamine"
    ]
    assert asked("My mood has been low for months. I'd like to know how esketamine works.") == [
        "I'd like to know how esketamine works."
    ]
    assert asked("Ketamine helped me. So can it be addictive? And does it last?") == [
        "So can it be addictive?",
        "And does it last?",
    ]


def test_no_separate_question_when_no_sentence_or_every_sentence_asks() -> None:
    assert asked("I had an infusion in May. It went fine.") == []
    assert asked("Is MDMA legal? Is LSD?") == []


INTENTS = ["ask_addiction_risk", "ask_conditions", "greet", "safety_crisis"]


def classifier(weight: float) -> LanternLogisticRegression:
    """A fitted 4-intent classifier over 3 features (feature i votes for intent i)."""
    component = LanternLogisticRegression(
        {"question_weight": weight},
        "classifier",
        None,
        None,  # type: ignore[arg-type]
    )
    component.clf.coef_ = np.asfortranarray(np.eye(4)[:, :3] * 4.0)
    component.clf.intercept_ = np.zeros(4)
    component.clf.classes_ = np.array(INTENTS)
    return component


def message(whole: List[float], question: List[float] | None = None) -> Message:
    m = Message(data={TEXT: "text"})
    m.add_features(Features(scipy.sparse.coo_matrix([whole]), FEATURE_TYPE_SENTENCE, TEXT, "cv"))
    if question is not None:
        row = scipy.sparse.coo_matrix([question])
        m.add_features(Features(row, FEATURE_TYPE_SENTENCE, QUESTION, "cv"))
    return m


def ranking(component: LanternLogisticRegression, m: Message) -> Dict[str, float]:
    component.process([m])
    return {r["name"]: r["confidence"] for r in m.get("intent_ranking")}


def test_the_question_part_outweighs_the_story() -> None:
    # the story has more words of conditions, the question is about addiction
    long = message([1.0, 2.0, 0.0], question=[1.0, 0.0, 0.0])
    assert classifier(0.0).process([long])[0].get("intent")["name"] == "ask_conditions"
    long = message([1.0, 2.0, 0.0], question=[1.0, 0.0, 0.0])
    assert classifier(0.7).process([long])[0].get("intent")["name"] == "ask_addiction_risk"


def test_a_message_without_question_features_is_scored_as_before() -> None:
    short = message([1.0, 2.0, 0.0])
    expected = softmax(np.array([4.0, 8.0, 0.0, 0.0]))
    got = ranking(classifier(0.7), short)
    assert [got[name] for name in INTENTS] == pytest.approx(list(expected))


def test_a_question_part_that_is_no_question_type_does_not_count() -> None:
    # "Is that true?" alone reads as small talk: it must not move the whole message
    long = message([2.0, 1.0, 0.0], question=[0.0, 0.0, 3.0])
    assert ranking(classifier(0.7), long) == ranking(classifier(0.0), message([2.0, 1.0, 0.0]))


def test_a_safety_reading_of_the_whole_message_stands() -> None:
    component = classifier(0.7)
    component.clf.coef_ = np.asfortranarray(np.array([[4, 0, 0], [0, 4, 0], [0, 0, 0], [0, 0, 4]]))
    long = message([0.0, 0.0, 2.0], question=[0.0, 3.0, 0.0])
    assert component.process([long])[0].get("intent")["name"] == "safety_crisis"
    assert ranking(component, long)["safety_crisis"] == pytest.approx(
        softmax(np.array([0.0, 0.0, 0.0, 8.0]))[3]
    )


@pytest.mark.parametrize(
    ("text", "answer_id"),
    [
        # stories written for this test, full of another question type's words; each
        # went to the story's question type before the question part was weighed in
        (
            "My cousin swears ketamine infusions fixed his depression and his back pain "
            "within a week. I'm thinking about trying it too. Can it be habit-forming?",
            "ketamine_addiction_risk",
        ),
        (
            "After my infusion yesterday I felt foggy and a bit sick, which the nurse said "
            "was normal. My partner is worried. Who shouldn't get ketamine?",
            "ketamine_who_should_avoid",
        ),
    ],
)
def test_a_long_story_routes_by_its_question(
    servers: Servers, sender: str, text: str, answer_id: str
) -> None:
    """The story's question is answered: at once, or after the check-in's "No".

    The risk stage may ask first ("I'm thinking about trying it too." read alone
    is unsure since corpus round 5); the check-in keeps the reading below it, so
    its "No, I was asking for information" must then give this answer.
    """
    first = answer_ids(servers.send(sender, text))
    if first == ["safety_check_in"]:
        first = answer_ids(servers.send(sender, "/deny_risk"))
    assert answer_id in first
