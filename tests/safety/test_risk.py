"""The risk stage's parts, without servers: segments, the decision, the model, the component."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, List

import pytest
from rasa.shared.nlu.constants import ENTITIES, INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from lantern.language import language_of
from lantern.safety.risk import (
    CHECK_IN,
    RiskModel,
    decide,
    labelled,
    mark_negation,
    segments,
)
from lantern.safety.risk_component import RiskStage

RISKY = [
    "i have been saving my pills for a while now",
    "i stood on the bridge for an hour last night",
    "i just want it all to be over",
    "nobody would miss me if i was gone",
    "i keep thinking about ending it",
    "i bought rope today and i know what i will do",
]
CALM = [
    "how long does a ketamine infusion take",
    "is psilocybin legal in oregon",
    "what should i eat before my session",
    "does insurance cover spravato",
    "how many sessions do people usually need",
    "can my husband drive me home afterwards",
]


@pytest.fixture(scope="module")
def model() -> RiskModel:
    texts = RISKY * 3 + CALM * 3
    labels = ["crisis"] * len(RISKY) * 3 + ["none"] * len(CALM) * 3
    return RiskModel().fit(texts, labels)


def test_segments_are_the_sentences_and_the_whole() -> None:
    text = "I read about ketamine. My doctor mentioned it! Is it addictive?"
    assert segments(text) == [
        "I read about ketamine.",
        "My doctor mentioned it!",
        "Is it addictive?",
        text,
    ]
    assert segments("just one") == ["just one"]


def test_one_risky_sentence_in_a_long_story_counts(model: RiskModel) -> None:
    story = " ".join(f"{q}." for q in CALM * 4)
    calm = model.assess(story)["crisis"]
    risky = model.assess(story + " i have been saving my pills for a while now.")
    assert risky["crisis"] > 0.5 > calm


def test_a_negated_sentence_does_not_count(model: RiskModel) -> None:
    assert model.assess("i keep thinking about ending it")["crisis"] > 0.5
    # the screen reads "not suicidal" as negated safety words: that sentence is set aside
    assert model.assess("I'm not suicidal.")["crisis"] == 0.0


def test_a_negated_sentence_the_model_reads_as_risk_counts_at_most_the_cap() -> None:
    # "I don't trust myself not to kill myself": the screen reads its words as negated
    text = "i dont trust myself not to kill myself"
    model = RiskModel().fit([text] * 3 + CALM * 3, ["crisis"] * 3 + ["none"] * len(CALM) * 3)
    assert model.probabilities([text])[0, 1] > 0.5
    assert model.assess(text)["crisis"] == 0.0  # the cap off: set aside, as before
    assert model.assess(text, negated_cap=0.45)["crisis"] == pytest.approx(0.45)


def test_negation_marks_the_words_it_governs() -> None:
    assert mark_negation("I'm not tripping now, I'm curious") == (
        "i'm not NOT_tripping NOT_now , i'm curious"
    )


@pytest.mark.parametrize(
    "scores, intent, expected",
    [
        ({"crisis": 0.7}, None, "safety_crisis"),
        ({"crisis": 0.4}, None, CHECK_IN),
        ({"crisis": 0.2}, None, None),
        ({"abuse": 0.8}, None, "safety_abuse"),
        ({"abuse": 0.5}, None, None),  # the check-in's question does not fit abuse
        ({"active_use": 0.5, "crisis": 0.32}, None, CHECK_IN),
        ({"active_use": 0.5, "crisis": 0.1}, None, None),
        ({"active_use": 0.9, "emergency": 0.65}, None, "safety_emergency"),
        ({"active_use": 0.9, "emergency": 0.5}, None, "safety_active_use"),
        ({"crisis": 0.8}, "request_dosing", None),
        ({"crisis": 0.95}, "request_dosing", "safety_crisis"),
    ],
)
def test_three_outcomes(scores: Dict[str, float], intent: str | None, expected: str | None) -> None:
    assert decide(scores, 0.6, 0.3, intent=intent, over_decline=0.9).intent == expected


def test_nlu_examples_are_labelled_by_their_safety_intent() -> None:
    texts, labels = labelled(
        [("a", "safety_crisis"), ("b", "ask_cost_insurance"), ("c", "safety_abuse")]
    )
    assert labels == ["crisis", "none", "abuse"]


def test_spanish_is_told_from_english() -> None:
    assert language_of("ya no quiero vivir, estoy muy cansada de todo") == "es"
    assert language_of("i can't keep going like this anymore") == "en"
    assert language_of("im sucidal") == "en"  # a short English typo is not Spanish


class FakeModel:
    def __init__(self, scores: Dict[str, float]) -> None:
        self.scores = scores

    def assess(
        self, text: str, weight: float = 1.0, floor: float = 0.0, cap: float = 0.0
    ) -> Dict[str, float]:
        return dict(self.scores)


def stage(scores: Dict[str, float]) -> RiskStage:
    return RiskStage({}, None, None, FakeModel(scores))  # type: ignore[arg-type]


def message(text: str, intent: str, screen: Dict[str, Any] | None = None) -> Message:
    m = Message(data={TEXT: text})
    m.set(INTENT, {"name": intent, "confidence": 0.9})
    m.set(INTENT_RANKING_KEY, [{"name": intent, "confidence": 0.9}])
    m.set("safety", screen or {"category": None, "source": None})
    return m


def processed(scores: Dict[str, float], text: str, intent: str, screen: Any = None) -> Message:
    return stage(scores).process([message(text, intent, screen)])[0]


@pytest.mark.parametrize("intent", ["greet", "thank", "intake_stop", "deny_crisis", "show_menu"])
def test_no_other_intent_wins_over_a_risk_reading(intent: str) -> None:
    m = processed({"crisis": 0.9}, "stop. i can't do this anymore", intent)
    assert m.get(INTENT)["name"] == "safety_crisis"
    assert [r["name"] for r in m.get(INTENT_RANKING_KEY)][1] == intent  # kept for the check-in


def test_an_uncertain_reading_gets_the_check_in_with_the_question_kept() -> None:
    m = processed({"crisis": 0.4}, "how soon can i start?", "ask_treatment_course")
    ranking: List[Dict[str, Any]] = m.get(INTENT_RANKING_KEY)
    assert [r["name"] for r in ranking] == [CHECK_IN, "ask_treatment_course"]


def test_the_screen_is_a_floor_and_an_emergency_outranks_its_active_use() -> None:
    floor = {"category": "safety_crisis", "source": "matcher"}
    assert processed({"crisis": 0.0}, "x", "safety_crisis", floor).get(INTENT)["name"] == (
        "safety_crisis"
    )
    active = {"category": "safety_active_use", "source": "matcher"}
    m = processed({"emergency": 0.9, "active_use": 0.5}, "x", "safety_active_use", active)
    assert m.get(INTENT)["name"] == "safety_emergency"


def test_the_screens_decline_phrases_stand_unless_the_model_is_very_sure() -> None:
    decline = {"category": "request_dosing", "source": "matcher"}
    m = processed({"crisis": 0.9}, "I'm taking 3g tonight, enough?", "request_dosing", decline)
    assert m.get(INTENT)["name"] == "request_dosing"
    # ...unless the model is very sure of a risk (a method question: "would 40 of
    # my tablets be fatal?" shares its words with dosing questions)
    sure = processed({"crisis": 0.99}, "would 40 of them be fatal", "request_dosing", decline)
    assert sure.get(INTENT)["name"] == "safety_crisis"


def test_a_safety_reading_carries_the_language() -> None:
    m = processed({"crisis": 0.9}, "ya no quiero vivir, estoy muy cansada de todo", "greet")
    assert {"entity": "language", "value": "es"}.items() <= m.get(ENTITIES)[0].items()
    calm = processed(
        {"crisis": 0.0}, "¿cuánto cuesta la ketamina en la clínica?", "ask_cost_insurance"
    )
    assert not calm.get(ENTITIES)


def test_button_payloads_are_left_alone() -> None:
    m = processed({"crisis": 0.99}, "/deny_risk", "deny_risk")
    assert m.get(INTENT)["name"] == "deny_risk"


def test_probabilities_are_the_classifiers_own(model: RiskModel) -> None:
    """The view-by-view computation gives predict_proba's numbers."""
    import numpy as np

    texts = RISKY[:2] + CALM[:2] + ["something else entirely. and more"]
    mine = model.probabilities(texts)
    classes = list(model.classifier.classes_)
    theirs = model.classifier.predict_proba(model._features(texts))
    for column, label in enumerate(("none", "crisis")):
        assert np.allclose(mine[:, column], theirs[:, classes.index(label)])
    # the blocks derived for speed are not pickled with the model
    assert "_fast" not in model.__getstate__() and "_fast" in model.__dict__


def test_a_sentence_alone_must_be_clearer_than_the_whole(model: RiskModel) -> None:
    story = "how long does a ketamine infusion take. i keep thinking about ending it."
    full = model.assess(story)["crisis"]
    weighted = model.assess(story, sentence_weight=0.5)["crisis"]
    alone = model.assess("i keep thinking about ending it.")["crisis"]
    assert weighted < full and abs(full - alone) < 1e-9  # the sentence was what decided


def test_a_sentence_read_alone_counts_only_from_the_floor(model: RiskModel) -> None:
    story = "how long does a ketamine infusion take. i keep thinking about ending it."
    alone = model.assess("i keep thinking about ending it.")["crisis"]
    whole = model.assess(story, sentence_weight=0.5, sentence_floor=1.0)["crisis"]
    assert whole < alone * 0.5  # the sentence no longer counts: only the whole message
    above = model.assess(story, sentence_weight=0.5, sentence_floor=alone - 0.01)["crisis"]
    assert above == max(whole, alone * 0.5)


def test_abuse_the_model_reads_outranks_the_screens_reading_of_the_violence() -> None:
    emergency = {"category": "safety_emergency", "source": "matcher"}
    m = processed(
        {"abuse": 0.9, "crisis": 0.2}, "he choked me last week", "safety_emergency", emergency
    )
    assert m.get(INTENT)["name"] == "safety_abuse"
    crisis = {"category": "safety_crisis", "source": "matcher"}
    text = "he hits me and i want to die"
    both = processed({"abuse": 0.9, "crisis": 0.8}, text, "safety_crisis", crisis)
    assert both.get(INTENT)["name"] == "safety_crisis"  # self-harm read too: crisis first


def test_the_risk_model_never_learns_from_a_blind_set() -> None:
    """Evaluation sets in the training folders are used ones (eval/manifest.yml), never blind."""
    import yaml

    from lantern.safety.risk import read_corpus
    from lantern.safety.risk_component import corpus_folders, read_training

    root = Path(__file__).resolve().parents[2]
    pipeline = yaml.safe_load((root / "config.yml").read_text(encoding="utf-8"))["pipeline"]
    (stage,) = [c for c in pipeline if c["name"].endswith("RiskStage")]
    folders = [f.relative_to(root).as_posix() for f in corpus_folders(stage)]
    manifest = yaml.safe_load((root / "eval/manifest.yml").read_text(encoding="utf-8"))
    status = {s["path"]: s["status"] for s in manifest["sets"]}
    evaluation = [f for f in folders if f.startswith("eval/")]
    assert folders[0] == "corpus/safety" and evaluation
    assert all(status[f] == "used" for f in evaluation)
    # of a dev set, only the risk texts are learned
    texts, labels = read_training(stage)
    corpus_texts, _ = read_corpus(root / "corpus/safety")
    learned, in_corpus = set(texts[len(corpus_texts) :]), set(corpus_texts)
    for folder in corpus_folders(stage)[1:]:
        for text, label in zip(*read_corpus(folder), strict=True):
            assert (text in learned) == (label != "none") or text in in_corpus
    assert len(texts) == len(labels) and "none" not in labels[len(corpus_texts) :]
    # the latest two scored safety sets stay out: they are what the stage is measured on
    scored = [
        s["path"] for s in manifest["sets"] if s["kind"] == "safety" and s["status"] == "used"
    ]
    assert len(scored) >= 2 and not set(scored[-2:]) & set(folders)
