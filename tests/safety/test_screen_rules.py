"""The safety screen's mechanisms, each on a small phrase file of its own, without servers.

Exception rules (not_within, statements, current_medicine, not_now, hypothetical
markers, fragments), exact-word splitting and the refusal of malformed files,
apart from the wording of the vetted phrase list.
"""

from __future__ import annotations

from typing import Any, Dict

import pytest

from lantern.safety.screen import screen
from lantern.safety.screen_phrases import compile_phrases

BASE: Dict[str, Any] = {
    "first_person": ["i", "my"],
    "negations": ["not"],
    "question_openers": ["can"],
}


def _compiled(**categories: Any) -> Any:
    return compile_phrases({**BASE, **categories}, "test")


def test_not_within_drops_matches_inside_the_span_and_only_those_listed() -> None:
    comp = _compiled(
        request_sourcing={"phrases": ["near me"], "not_within": ["clinic * near me"]},
        request_personal_advice={
            "phrases": ["do i have"],
            "all_of": [{"groups": [["i have"], ["can i"]]}],
            "not_within": [{"span": "do i have to", "only": ["i have"]}],
        },
    )
    assert screen("clinic near me", comp).category is None
    assert screen("pizza near me", comp).category == "request_sourcing"
    # the span "do i have to" drops the group match "i have", not the phrase "do i have"
    assert screen("do i have to wait", comp).category == "request_personal_advice"
    assert screen("do i have to wait, can i leave", comp).matched == ("do i have",)


def test_a_statement_after_a_question_opener_is_a_question() -> None:
    comp = _compiled(
        request_personal_advice={"all_of": [{"statements": 0, "groups": [["i have"], ["can i"]]}]}
    )
    assert screen("can i have it with a cold", comp).category is None
    assert screen("i have a cold, can i have it", comp).category == "request_personal_advice"


def test_current_medicine_skips_an_amount_that_names_another_medicine() -> None:
    comp = _compiled(
        request_dosing={
            "amounts": ["~^\\d+$ mg"],
            "current_medicine": {
                "statements": ["i take"],
                "substances": ["ketamine"],
                "not_names": ["tonight"],
            },
        }
    )
    assert screen("i take 20 mg of lexapro", comp).category is None
    assert screen("i take lexapro 20 mg", comp).category is None
    assert screen("i take 20 mg of ketamine", comp).category == "request_dosing"
    assert screen("i take 20 mg tonight", comp).category == "request_dosing"
    assert screen("can i take 20 mg of lexapro", comp).category == "request_dosing"
    assert screen("20 mg of lexapro", comp).category == "request_dosing"


def test_not_now_needs_a_marker_and_no_sign_of_now() -> None:
    comp = _compiled(
        safety_active_use={
            "phrases": ["freaking out"],
            "not_now": {"markers": ["tomorrow"], "now": ["right now"]},
        }
    )
    assert screen("freaking out", comp).category == "safety_active_use"
    assert screen("freaking out about tomorrow", comp).category is None
    assert screen("freaking out right now, tomorrow too", comp).category == "safety_active_use"


def test_not_now_with_over_also_needs_an_unnegated_statement_that_it_is_over() -> None:
    comp = _compiled(
        safety_crisis={
            "phrases": ["tried to die"],
            "not_now": {"markers": ["years ago"], "over": ["doing well"], "now": ["again"]},
        }
    )
    history = screen("i tried to die years ago, doing well", comp)
    assert history.category is None
    # the classifier alone may not assert what the screen read as history
    assert history.elsewhere and history.cue and not history.benign
    assert screen("i tried to die years ago", comp).category == "safety_crisis"
    assert screen("i tried to die years ago, not doing well", comp).category == "safety_crisis"
    assert screen("i tried to die years ago, doing well, again", comp).category == "safety_crisis"
    assert screen("i tried to die, doing well", comp).category == "safety_crisis"


def test_not_now_in_part_scope_needs_the_marker_in_the_part_and_a_listed_phrase() -> None:
    comp = _compiled(
        safety_emergency={
            "phrases": ["fainted", "not breathing"],
            "not_now": {
                "scope": "part",
                "only": ["fainted"],
                "markers": ["years ago"],
                "now": ["now"],
            },
        }
    )
    assert screen("i fainted years ago", comp).category is None
    assert screen("i fainted years ago", comp).cue
    assert screen("i fainted. that was years ago", comp).category == "safety_emergency"
    assert screen("years ago, and i fainted", comp).category == "safety_emergency"
    assert screen("i fainted years ago and now i fainted again", comp).category is not None
    # a phrase not listed in `only` is never placed in the past
    assert screen("not breathing years ago", comp).category == "safety_emergency"


def test_a_hypothetical_marker_ends_at_an_end_word() -> None:
    comp = compile_phrases(
        {
            **BASE,
            "hypothetical": ["scared of"],
            "hypothetical_ends": ["now"],
            "safety_active_use": {"phrases": ["tripping"]},
        },
        "test",
    )
    assert screen("scared of tripping", comp).category is None
    assert screen("scared of it and now tripping", comp).category == "safety_active_use"


def test_exact_words_are_split_like_the_text() -> None:
    comp = _compiled(safety_active_use={"phrases": ["=i'm =tripping"]})
    assert screen("I'm tripping", comp).category == "safety_active_use"
    assert screen("I’m tripping", comp).category == "safety_active_use"
    assert screen("I was tripping", comp).category is None


@pytest.mark.parametrize(
    "spec",
    [
        {"phrases": ["=is|=was here"]},
        {"not_now": {"markers": "tomorrow", "now": ["now"]}},
        {"current_medicine": {"statements": [True]}},
        {"not_now": {"markers": ["tomorrow"], "now": ["now"], "scope": "sentence"}},
        {"not_now": {"markers": ["tomorrow"], "now": ["now"], "only": "fainted"}},
    ],
)
def test_malformed_phrase_files_are_refused(spec: Dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        _compiled(safety_active_use=spec)


def test_a_fragment_decides_its_listed_terms_without_a_first_person_word() -> None:
    fragment = {"max_words": 4, "not_after": ["what"], "terms": ["suicidal"]}
    comp = _compiled(safety_crisis={"terms": ["suicidal", "end it"], "fragment": fragment})
    assert screen("retreat suicidal", comp).category == "safety_crisis"
    assert screen("i am not suicidal", comp).category is None  # negated
    assert screen("retreat suicidal?", comp).category is None  # a question
    assert screen("what suicidal means", comp).category is None  # opens a question
    assert screen("retreat and suicidal thoughts here", comp).category is None  # 5 words
    assert screen("end it", comp).category is None  # not a listed term
    assert screen("i want to end it", comp).category == "safety_crisis"  # first person
    # without `fragment`, terms need the first person
    plain = _compiled(safety_crisis={"terms": ["suicidal"]})
    assert screen("retreat suicidal", plain).category is None
    with pytest.raises(ValueError):
        _compiled(safety_crisis={"terms": ["suicidal"], "fragment": {**fragment, "terms": ["x"]}})


def test_general_drops_terms_and_listed_phrases_about_people_in_general_only() -> None:
    crisis = {
        "phrases": ["want to die", "not wake up"],
        "terms": ["suicidal"],
        "general": {"only": ["want to die"], "markers": ["someone", "warning signs"]},
        "not_now": {"markers": ["years ago"], "over": ["doing well"], "now": ["tonight"]},
    }
    comp = compile_phrases({**BASE, "possessives": ["my"], "safety_crisis": crisis}, "test")
    general = screen("what to say when someone says they want to die", comp)
    assert general.category is None
    # the classifier alone may not assert what the screen read as general
    assert general.elsewhere and general.cue
    assert screen("warning signs a teen is suicidal", comp).category is None
    # a possessive is no first-person subject: "my crew" is still people in general
    assert screen("warning signs someone on my crew is suicidal", comp).category is None
    # the writer in the clause, a `now` marker, or no marker: the match decides
    assert screen("someone told me i want to die", comp).category == "safety_crisis"
    assert screen("someone says they want to die tonight", comp).category == "safety_crisis"
    assert screen("my son says he wants to die", comp).category == "safety_crisis"
    # a phrase not listed in `only` (a method) is never dropped
    assert screen("if someone took it all would they not wake up", comp).category == (
        "safety_crisis"
    )
    # the marker must share the match's clause
    assert screen("someone asked. i am suicidal", comp).category == "safety_crisis"
    with pytest.raises(ValueError):
        _compiled(safety_crisis={**crisis, "general": {"only": ["x"], "markers": ["someone"]}})
