"""Routing that depends on more than one entity or on the turn before (actions/context.py).

Two substances in one question are a comparison; "what about X?" moves the last
question to X; a condition with a substance asks what it helps; research and
trial questions about a condition with its own answer get that answer.
"""

from __future__ import annotations

from typing import Any, Dict, List

import pytest

from actions.context import Context, next_step
from actions.knowledge_base import knowledge_base
from actions.routing import RoutingTable, routing_table

TABLE = routing_table()
KB = knowledge_base()


def ents(*pairs: str) -> List[Dict[str, Any]]:
    """Entities from "label:value" strings, in message order."""
    return [{"entity": p.split(":")[0], "value": p.split(":")[1]} for p in pairs]


def answer(intent: str, *pairs: str, context: Context | None = None) -> str | None:
    return next_step(intent, ents(*pairs), context or Context(), TABLE, KB).answer_id


@pytest.mark.parametrize(
    ("intent", "pairs", "expected"),
    [
        # ketamine and esketamine together: the Spravato answer explains the relation
        ("ask_what_is", ("substance:ketamine", "substance:esketamine"), "esketamine_spravato"),
        ("ask_what_is", ("substance:esketamine", "substance:ketamine"), "esketamine_spravato"),
        (
            "ask_delivery_methods",
            ("substance:ketamine", "substance:esketamine"),
            "esketamine_spravato",
        ),
        # two psychedelics, or a psychedelic and ketamine: the overview answers
        ("ask_what_is", ("substance:psilocybin", "substance:lsd"), "psychedelic_therapy_overview"),
        ("ask_what_is", ("substance:ketamine", "substance:mdma"), "psychedelic_therapy_overview"),
        (
            "ask_legal_status",
            ("substance:mdma", "substance:psilocybin"),
            "psychedelic_legal_status",
        ),
        ("ask_side_effects", ("substance:lsd", "substance:ayahuasca"), "psychedelic_side_effects"),
        # condition comparisons
        (
            "ask_conditions",
            ("substance:ketamine", "substance:psilocybin", "condition:depression"),
            "treatment_resistant_depression",
        ),
        (
            "ask_conditions",
            ("substance:mdma", "substance:psilocybin", "condition:ptsd"),
            "conditions_studied",
        ),
        (
            "ask_conditions",
            ("substance:psilocybin", "substance:psychedelics"),
            "conditions_studied",
        ),
        (
            "ask_conditions",
            ("substance:lsd", "substance:psilocybin", "condition:cluster_headache"),
            "cluster_headaches_migraine",
        ),
        (
            "ask_what_is",
            (
                "substance:ketamine",
                "substance:psilocybin",
                "condition:treatment_resistant_depression",
            ),
            "treatment_resistant_depression",
        ),
        # no comparison rule for the question type: the first substance named decides
        (
            "ask_side_effects",
            ("substance:ketamine", "substance:psilocybin"),
            "ketamine_side_effects",
        ),
        (
            "ask_side_effects",
            ("substance:psilocybin", "substance:ketamine"),
            "psychedelic_side_effects",
        ),
        (
            "ask_addiction_risk",
            ("substance:esketamine", "substance:ketamine"),
            "ketamine_addiction_risk",
        ),
        # the same substance twice is not a comparison
        ("ask_what_is", ("substance:lsd", "substance:lsd"), "lsd"),
    ],
)
def test_two_substances_in_one_question(intent: str, pairs: tuple, expected: str) -> None:
    assert answer(intent, *pairs) == expected


def test_after_a_comparison_follow_ups_keep_the_first_substance() -> None:
    step = next_step(
        "ask_what_is", ents("substance:ketamine", "substance:esketamine"), Context(), TABLE, KB
    )
    assert step.context.substance == "ketamine"
    assert answer("ask_addiction_risk", context=step.context) == "ketamine_addiction_risk"


@pytest.mark.parametrize(
    ("previous", "new", "expected"),
    [
        # the delivery answer is about ketamine: "what about X?" is then about X
        ("ask_delivery_methods", "ayahuasca", "ayahuasca"),
        ("ask_delivery_methods", "psilocybin", "psilocybin"),
        ("ask_delivery_methods", "psychedelics", "therapy_process"),
        ("ask_delivery_methods", "esketamine", "esketamine_spravato"),
        ("ask_kap", "mdma", "therapy_process"),
        # question types that cover every substance keep the question
        ("ask_side_effects", "lsd", "psychedelic_side_effects"),
        ("ask_legal_status", "ketamine", "ketamine_legal_status"),
    ],
)
def test_what_about_another_substance(previous: str, new: str, expected: str) -> None:
    context = Context("ketamine", None, previous)
    assert answer("inform_substance", f"substance:{new}", context=context) == expected


def test_a_substance_with_a_condition_asks_what_it_helps() -> None:
    # a terse first message, "ketamine chronic pain"
    assert answer("inform_substance", "substance:ketamine", "condition:chronic_pain") == (
        "ketamine_for_pain"
    )
    assert answer("inform_substance", "substance:psychedelics", "condition:chronic_pain") == (
        "psychedelics_for_pain"
    )
    # after another question: "and psilocybin for depression?"
    after_side_effects = Context("ketamine", None, "ask_side_effects")
    assert (
        answer(
            "inform_substance",
            "substance:psilocybin",
            "condition:depression",
            context=after_side_effects,
        )
        == "psilocybin"
    )
    # a condition alone keeps the question that came before: "what about for PTSD?"
    after_conditions = Context("ketamine", "depression", "ask_conditions")
    assert answer("inform_substance", "condition:ptsd", context=after_conditions) == (
        "ketamine_for_ptsd"
    )
    after_avoid = Context("ketamine", None, "ask_who_should_avoid")
    assert answer("inform_substance", "condition:anxiety", context=after_avoid) == (
        "ketamine_who_should_avoid"
    )


@pytest.mark.parametrize(
    ("intent", "pairs", "expected"),
    [
        ("ask_clinical_trials", ("substance:psilocybin", "condition:fibromyalgia"), "fibromyalgia"),
        ("ask_clinical_trials", ("condition:migraine",), "cluster_headaches_migraine"),
        ("ask_clinical_trials", ("substance:psilocybin",), "clinical_trials"),
        ("ask_clinical_trials", ("condition:depression",), "clinical_trials"),
        ("ask_research_outlook", ("condition:phantom_limb_pain",), "phantom_limb_pain"),
        ("ask_research_outlook", ("substance:ketamine",), "research_outlook"),
        # "how fast does ketamine work for depression": what it does for that condition
        (
            "ask_how_it_works",
            ("substance:ketamine", "condition:depression"),
            "ketamine_for_depression",
        ),
        ("ask_how_it_works", ("substance:esketamine", "condition:ptsd"), "ketamine_for_ptsd"),
        ("ask_how_it_works", ("substance:ketamine",), "ketamine_how_it_works"),
        (
            "ask_how_it_works",
            ("substance:psilocybin", "condition:depression"),
            "how_psychedelics_work",
        ),
        # treatment resistance named without a substance is about that condition
        (
            "ask_treatment_course",
            ("condition:treatment_resistant_depression",),
            "treatment_resistant_depression",
        ),
        (
            "ask_therapy_process",
            ("condition:treatment_resistant_depression",),
            "treatment_resistant_depression",
        ),
        (
            "ask_treatment_course",
            ("substance:ketamine", "condition:treatment_resistant_depression"),
            "ketamine_treatment_course",
        ),
        # "what is Spravato? my antidepressants did not work"
        (
            "ask_what_is",
            ("substance:esketamine", "condition:treatment_resistant_depression"),
            "esketamine_spravato",
        ),
        (
            "ask_what_is",
            ("condition:treatment_resistant_depression",),
            "treatment_resistant_depression",
        ),
    ],
)
def test_conditions_decide_where_they_have_their_own_answer(
    intent: str, pairs: tuple, expected: str
) -> None:
    assert answer(intent, *pairs) == expected


def test_route_as_hands_over_and_bad_tables_are_refused() -> None:
    table = RoutingTable(
        {
            "several_substances": [{"within": ["a", "b"], "as": "a_and_b"}],
            "intents": {
                "ask_x": {"rules": [{"substance": ["b"], "route_as": "ask_y"}, {"answer": "x"}]},
                "ask_y": {
                    "rules": [{"substance": ["a_and_b"], "answer": "y_both"}, {"answer": "y"}]
                },
            },
        }
    )
    assert table.resolve("ask_x", "b", None).answer_id == "y"
    assert table.resolve("ask_x", "a", None).answer_id == "x"
    assert table.answers() == ["x", "y", "y_both"]
    assert table.combine(["a", "b"]) == "a_and_b"
    assert table.combine(["a", "a"]) is None and table.combine(["a", "c"]) is None
    assert table.resolve_explicit("ask_y", "a_and_b", None).answer_id == "y_both"
    assert table.resolve_explicit("ask_x", "a_and_b", None) is None  # catch-alls do not count
    with pytest.raises(ValueError, match="unknown intent"):
        RoutingTable({"intents": {"ask_x": {"rules": [{"route_as": "ask_missing"}]}}})
    with pytest.raises(ValueError, match="answer or route_as"):
        RoutingTable({"intents": {"ask_x": {"rules": [{"answer": "x", "route_as": "ask_x"}]}}})
    # a cycle of route_as never loops
    cyclic = RoutingTable(
        {
            "intents": {
                "ask_x": {"rules": [{"route_as": "ask_y"}]},
                "ask_y": {"rules": [{"route_as": "ask_x"}]},
            }
        }
    )
    assert cyclic.resolve("ask_x", None, None).clarify


@pytest.mark.parametrize(
    ("pairs", "expected"),
    [
        # the catalog's ketamine pain answer covers fibromyalgia and the other pain
        # conditions, whichever question type asks about them
        (("substance:ketamine", "condition:fibromyalgia"), "ketamine_for_pain"),
        (("substance:ketamine", "condition:phantom_limb_pain"), "ketamine_for_pain"),
        (("substance:esketamine", "condition:migraine"), "ketamine_for_pain"),
        (("substance:ketamine", "condition:crps"), "ketamine_for_pain"),
        # without ketamine the condition's own answer still explains it
        (("substance:psilocybin", "condition:phantom_limb_pain"), "phantom_limb_pain"),
        (("substance:psilocybin", "condition:fibromyalgia"), "psychedelics_for_pain"),
    ],
)
def test_how_ketamine_helps_a_pain_condition_matches_what_it_is_used_for(
    pairs: tuple, expected: str
) -> None:
    assert answer("ask_how_it_works", *pairs) == expected
    if pairs[0].endswith("ketamine"):
        assert answer("ask_conditions", *pairs) == expected


def test_ayahuasca_interactions_get_the_ayahuasca_answer_others_the_general_one() -> None:
    # the ayahuasca answer explains its MAOI and why it clashes with antidepressants
    assert answer("ask_drug_interactions", "substance:ayahuasca") == "ayahuasca"
    for pairs in [("substance:psilocybin",), ("substance:ketamine",), ()]:
        assert answer("ask_drug_interactions", *pairs) == "drug_interactions"
    # "what about ayahuasca?" after an interactions answer moves to ayahuasca too
    after = Context("psilocybin", None, "ask_drug_interactions")
    assert answer("inform_substance", "substance:ayahuasca", context=after) == "ayahuasca"


@pytest.mark.parametrize(
    ("intent", "pairs", "expected"),
    [
        # people with different conditions, one question about what is studied
        (
            "ask_conditions",
            ("condition:end_of_life_distress", "condition:ptsd"),
            "conditions_studied",
        ),
        (
            "ask_conditions",
            ("substance:psychedelics", "condition:fibromyalgia", "condition:addiction"),
            "conditions_studied",
        ),
        # two conditions with one answer are not "several"
        (
            "ask_conditions",
            ("condition:migraine", "condition:cluster_headache"),
            "cluster_headaches_migraine",
        ),
        # a broad condition beside a specific one: the specific one decides
        (
            "ask_conditions",
            ("condition:depression", "condition:end_of_life_distress"),
            "end_of_life_distress",
        ),
        # ketamine has no rule for several conditions: the first named decides
        (
            "ask_conditions",
            ("substance:ketamine", "condition:ptsd", "condition:addiction"),
            "ketamine_for_ptsd",
        ),
        # other question types have no such rule
        (
            "ask_clinical_trials",
            ("condition:fibromyalgia", "condition:end_of_life_distress"),
            "fibromyalgia",
        ),
    ],
)
def test_several_different_conditions_ask_what_is_studied(
    intent: str, pairs: tuple, expected: str
) -> None:
    assert answer(intent, *pairs) == expected


def test_a_table_without_several_conditions_routes_by_the_first_condition() -> None:
    table = RoutingTable(
        {
            "intents": {
                "ask_x": {
                    "rules": [
                        {"condition": ["several_conditions"], "answer": "conditions_studied"},
                        {"condition": ["ptsd"], "answer": "mdma"},
                        {"answer": "psilocybin"},
                    ]
                }
            }
        }
    )
    pairs = ents("condition:ptsd", "condition:fibromyalgia")
    assert next_step("ask_x", pairs, Context(), table, KB).answer_id == "mdma"
    table.several_conditions = "several_conditions"
    assert next_step("ask_x", pairs, Context(), table, KB).answer_id == "conditions_studied"
