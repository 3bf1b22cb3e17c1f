"""The duplicate checker finds what it should and nothing else (tests/data/duplicates.py)."""

from __future__ import annotations

import random
from itertools import combinations
from typing import List

from tests.data.duplicates import (
    CHAR_JACCARD,
    WORD_JACCARD,
    Example,
    _similar_pairs,
    char_ngrams,
    find_duplicates,
    normalise,
    words,
)
from tests.data.test_nlu_data import training_examples


def _found(*examples: Example) -> List[tuple]:
    return [
        (d.first.text, d.second.text, d.kind, d.across_intents) for d in find_duplicates(examples)
    ]


def test_normalise_ignores_case_punctuation_and_spacing() -> None:
    assert normalise("  What's   KETAMINE, exactly?! ") == "whats ketamine exactly"
    assert normalise("side-effects of spravato") == "side effects of spravato"


def test_an_exact_duplicate_across_intents_is_found() -> None:
    assert _found(
        Example("Is ketamine addictive?", "ask_addiction_risk"),
        Example("is  ketamine ADDICTIVE", "ask_side_effects"),
        Example("is ketamine legal", "ask_legal_status"),
    ) == [("Is ketamine addictive?", "is  ketamine ADDICTIVE", "exact", True)]


def test_near_duplicates_by_words_and_by_characters_are_found() -> None:
    long = "how do i make sense of my ketamine experience"
    assert _found(
        Example(long, "ask_integration"),
        Example(long + " afterwards", "ask_after_session"),  # one word in ten
        Example("what exactly is molly", "ask_what_is"),
        Example("what is molly exactly", "ask_what_is"),  # the same words reordered
        Example("i don't want to live anymore", "safety_crisis"),
        Example("i dont want to live anymor", "safety_crisis"),  # a typo
    ) == [
        (long, long + " afterwards", "words", True),
        ("what exactly is molly", "what is molly exactly", "words", False),
        ("i don't want to live anymore", "i dont want to live anymor", "characters", False),
    ]


def test_a_negated_twin_and_a_different_question_are_not_duplicates() -> None:
    assert (
        _found(
            Example(
                "i have been thinking about ending my life every night lately", "safety_crisis"
            ),
            Example("i have not been thinking about ending my life every night lately", "deny"),
            Example("is ketamine addictive", "ask_addiction_risk"),
            Example("is ketamine legal", "ask_legal_status"),
            Example("is mdma addictive", "ask_addiction_risk"),
        )
        == []
    )


def test_a_duplicate_planted_in_the_real_data_is_found() -> None:
    real = training_examples()
    assert find_duplicates(real) == []
    planted = Example(real[100].text.upper() + "?!", "out_of_scope", "planted")
    found = find_duplicates([*real, planted])
    assert [(d.first, d.second, d.kind) for d in found] == [(real[100], planted, "exact")]
    assert found[0].across_intents


def test_the_index_misses_no_pair_a_full_comparison_finds() -> None:
    texts = [e.text for e in training_examples()]
    rng = random.Random(7)
    sample = rng.sample(texts, 500)
    # plant edits of some: a word dropped, a letter dropped, words swapped
    for text in rng.sample(sample, 60):
        w = text.split()
        sample.append(" ".join(w[:-1]) if len(w) > 3 else text[:-1])
        sample.append(" ".join(reversed(w)))
    for make, threshold in ((words, WORD_JACCARD), (char_ngrams, CHAR_JACCARD), (words, 0.6)):
        sets = [make(t) for t in sample]
        full = {
            (i, j)
            for i, j in combinations(range(len(sets)), 2)
            if sets[i] and len(sets[i] & sets[j]) / len(sets[i] | sets[j]) >= threshold
        }
        assert set(_similar_pairs(sets, threshold)) == full
        assert full  # the planted edits make some
