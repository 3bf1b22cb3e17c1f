"""The lexicon's typo tolerance and its never-correct list; "kap" for routing and classifier."""

from __future__ import annotations

from typing import List, Tuple

import pytest
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message

from lantern.matching.fuzzy import distance, load_never_correct, never_correct
from lantern.matching.lexicon import FUZZY_MIN_LENGTH, lexicon
from lantern.nlu.tokenizer import LanternTokenizer
from lantern.paths import LEXICON_FILE
from lantern.safety.screen import _compiled, screen


def _found(text: str) -> List[Tuple[str, str]]:
    return [(m.label, m.value) for m in lexicon().find(text) if m.label != "region"]


@pytest.mark.parametrize(
    "text",
    [
        "is ketamine addicting",
        "I want to quit thinking about my trip so much",
        "my first impression of the clinic was good",
        "the doctor will examine me before ketamine",
        "what qualifications should my therapist have",
    ],
)
def test_ordinary_words_are_not_read_as_conditions(text: str) -> None:
    assert ("condition", "addiction") not in _found(text)
    assert ("condition", "depression") not in _found(text)
    assert [v for label, v in _found(text) if label == "condition"] == []


def test_examine_is_not_ketamine_and_therapist_keeps_its_word() -> None:
    assert _found("the doctor will examine me") == []
    tokens = _lemmas("how do I find a psychedelic therapist")
    assert "therapist" in tokens


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("is ketamin adictive", ("substance", "ketamine")),
        ("can psilocibin help", ("substance", "psilocybin")),
        ("fibromyalga and ketamine", ("condition", "fibromyalgia")),
        ("can ketamine help me quit drinking", ("condition", "addiction")),
        ("treatment resistance", ("condition", "treatment_resistant_depression")),
    ],
)
def test_real_typos_and_phrases_are_still_found(text: str, expected: Tuple[str, str]) -> None:
    assert expected in _found(text)


def test_every_never_correct_word_is_one_a_typo_corrector_would_otherwise_change() -> None:
    """The list stays honest: each word is near a lexicon or safety key word."""
    lexicon_words = lexicon()._fuzzy
    safety_words = _compiled().fuzzy

    def near(word: str, targets: Tuple[str, ...], min_length: int) -> bool:
        return len(word) >= min_length and any(
            word != t and distance(word, t) <= (2 if len(t) >= 8 else 1) for t in targets
        )

    unneeded = [
        w
        for w in sorted(never_correct())
        if not (near(w, lexicon_words, FUZZY_MIN_LENGTH - 1) or near(w, safety_words, 5))
    ]
    assert unneeded == []
    assert len(never_correct()) >= 100
    assert never_correct() == load_never_correct(LEXICON_FILE)


def test_never_correct_words_are_not_lexicon_key_words() -> None:
    """A lexicon key word is never corrected anyway; a safety key word on the list
    ("clinic") must be one the lexicon's corrector would otherwise change ("clinical")."""
    lexicon_words = tuple(lexicon()._fuzzy)
    assert sorted(never_correct() & set(lexicon_words)) == []
    for word in sorted(never_correct() & set(_compiled().fuzzy)):
        assert any(
            word != t and distance(word, t) <= (2 if len(t) >= 8 else 1) for t in lexicon_words
        ), word


@pytest.mark.parametrize(
    "text",
    [
        "I was conscious the whole time, is that normal",
        "my doctor is not treating me well",
        "I have trouble reaching my clinic",
        "I'm going to overcome this depression with ketamine",
        "I'm going to overdo it",
    ],
)
def test_safety_screen_does_not_correct_ordinary_words(text: str) -> None:
    assert screen(text).category is None


def _lemmas(text: str) -> List[str]:
    tokenizer = LanternTokenizer(LanternTokenizer.get_default_config())
    return [t.lemma for t in tokenizer.tokenize(Message({TEXT: text}), TEXT)]


def test_kap_is_ketamine_for_routing_and_kap_for_the_classifier() -> None:
    assert ("substance", "ketamine") in _found("side effects of KAP?")
    assert "kap" in _lemmas("side effects of KAP?")
    # other substance words still reach the classifier as their canonical value
    assert "psilocybin" in _lemmas("are shrooms addictive")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # depression other treatments did not help, in everyday words
        ("my antidepressants haven't worked", ("condition", "treatment_resistant_depression")),
        ("she failed on antidepressants twice", ("condition", "treatment_resistant_depression")),
        ("depression not responding to treatment", ("condition", "treatment_resistant_depression")),
        # alcohol and drug problems
        ("can it help someone quit booze", ("condition", "addiction")),
        ("my uncle is hooked on painkillers", ("condition", "addiction")),
        ("getting sober with ketamine", ("condition", "addiction")),
        ("using ketamine to give up alcohol", ("condition", "addiction")),
        # slang for psychedelic therapy, and "ph" spelled "f"
        ("is tripping therapy real", ("substance", "psychedelics")),
        ("fantom pains after an amputation", ("condition", "phantom_limb_pain")),
    ],
)
def test_synonym_families(text: str, expected: Tuple[str, str]) -> None:
    assert expected in _found(text)


def test_whats_ketamine_is_ketamine_not_esketamine() -> None:
    # spaCy splits "whats" into "what" + "s"; "s ketamine" must not read as esketamine
    assert _found("whats ketamine used for") == [("substance", "ketamine")]
    assert _found("is s-ketamine the same as spravato") == [
        ("substance", "esketamine"),
        ("substance", "esketamine"),
    ]


def test_ordinary_relapse_and_cravings_are_not_addiction() -> None:
    assert _found("can my depression relapse after the treatment") == [("condition", "depression")]
    assert _found("food cravings after a session") == []


def test_misspelled_question_words_inside_a_mention_reach_the_classifier_corrected() -> None:
    lemmas = _lemmas("what happens in ketamine asisted psychotheraphy")
    assert tuple(lemmas[-3:]) == ("ketamine", "assist", "psychotherapy")


def test_a_mention_made_only_of_kept_words_still_carries_its_value() -> None:
    assert _lemmas("what is trip therapy") == ["what", "be", "psychedelics", "therapy"]
    assert "trip" in _lemmas("I had a bad trip once")
