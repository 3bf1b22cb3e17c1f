"""content/knowledge/routing.yml: question type + substance + condition -> answer."""

from __future__ import annotations

import pytest

from actions.knowledge_base import knowledge_base
from actions.routing import RoutingTable, routing_table

TABLE = routing_table()


def test_every_catalog_answer_is_reachable_and_every_route_exists() -> None:
    TABLE.check(knowledge_base())
    assert sorted(TABLE.answers()) == knowledge_base().ids()


@pytest.mark.parametrize(
    ("intent", "substance", "condition", "expected"),
    [
        ("ask_side_effects", "ketamine", None, "ketamine_side_effects"),
        ("ask_side_effects", "esketamine", None, "ketamine_side_effects"),
        ("ask_side_effects", "psilocybin", None, "psychedelic_side_effects"),
        ("ask_legal_status", "ketamine", None, "ketamine_legal_status"),
        ("ask_legal_status", "mdma", None, "mdma"),
        ("ask_legal_status", "psilocybin", None, "psychedelic_legal_status"),
        ("ask_addiction_risk", "lsd", None, "psychedelic_addiction_risk"),
        ("ask_who_should_avoid", "ketamine", None, "ketamine_who_should_avoid"),
        ("ask_who_should_avoid", "ayahuasca", None, "who_should_avoid_psychedelics"),
        ("ask_how_it_works", "psychedelics", None, "how_psychedelics_work"),
        ("ask_what_is", "esketamine", None, "esketamine_spravato"),
        ("ask_what_is", "psychedelics", None, "psychedelic_therapy_overview"),
        ("ask_what_is", None, "treatment_resistant_depression", "treatment_resistant_depression"),
        ("ask_conditions", "ketamine", "ptsd", "ketamine_for_ptsd"),
        ("ask_conditions", "mdma", "ptsd", "mdma"),
        ("ask_conditions", "ketamine", "fibromyalgia", "ketamine_for_pain"),
        ("ask_conditions", "psilocybin", "fibromyalgia", "fibromyalgia"),
        ("ask_conditions", "psilocybin", "cluster_headache", "cluster_headaches_migraine"),
        ("ask_conditions", "lsd", "cluster_headache", "cluster_headaches_migraine"),
        ("ask_conditions", None, "phantom_limb_pain", "phantom_limb_pain"),
        ("ask_conditions", "ketamine", "addiction", "ketamine_for_addiction"),
        ("ask_conditions", "psilocybin", "end_of_life_distress", "end_of_life_distress"),
        ("ask_conditions", "psilocybin", "chronic_pain", "psychedelics_for_pain"),
        ("ask_conditions", None, None, "conditions_studied"),
        ("ask_conditions", "psilocybin", "anxiety", "psilocybin"),
        ("ask_conditions", "psilocybin", "depression", "psilocybin"),
        ("ask_conditions", "psilocybin", "ptsd", "conditions_studied"),
        ("ask_conditions", "psychedelics", "anxiety", "conditions_studied"),
        ("ask_treatment_course", "ketamine", None, "ketamine_treatment_course"),
        ("ask_treatment_course", "psilocybin", None, "therapy_process"),
        ("ask_therapy_process", "ketamine", None, "ketamine_assisted_psychotherapy"),
        ("ask_preparing_session", None, None, "preparing_for_session"),
        ("ask_what_is", None, "ptsd", "conditions_studied"),
        ("ask_what_is", "ketamine", "ptsd", "ketamine_overview"),
    ],
)
def test_routes(intent: str, substance: str, condition: str, expected: str) -> None:
    route = TABLE.resolve(intent, substance, condition)
    assert route is not None and route.answer_id == expected


@pytest.mark.parametrize("intent", ["ask_side_effects", "ask_legal_status", "ask_what_is"])
def test_substance_specific_questions_without_a_substance_clarify(intent: str) -> None:
    route = TABLE.resolve(intent, None, None)
    assert route is not None and route.clarify and route.answer_id is None


def test_unrouted_intents_are_not_answered() -> None:
    assert TABLE.resolve("greet", "ketamine", None) is None


def test_first_matching_rule_wins_and_absent_fields_match_anything() -> None:
    table = RoutingTable(
        {
            "intents": {
                "ask_x": {
                    "needs_substance": True,
                    "rules": [
                        {"substance": ["a"], "condition": ["none"], "answer": "a_plain"},
                        {"substance": ["a"], "answer": "a_any"},
                    ],
                }
            }
        }
    )
    assert table.resolve("ask_x", "a", None).answer_id == "a_plain"
    assert table.resolve("ask_x", "a", "c").answer_id == "a_any"
    assert table.resolve("ask_x", None, None).clarify


@pytest.mark.parametrize(
    "intent", ["ask_delivery_methods", "ask_during_session", "ask_after_session"]
)
def test_spravato_session_questions_get_the_spravato_answer(intent: str) -> None:
    assert TABLE.resolve(intent, "esketamine", None).answer_id == "esketamine_spravato"
    assert TABLE.resolve(intent, "ketamine", None).answer_id != "esketamine_spravato"


def test_lexicon_does_not_read_contractions_as_regions() -> None:
    from lantern.matching.lexicon import lexicon

    found = [(m.label, m.value) for m in lexicon().find("I'm in the UK but I can't find a clinic")]
    assert ("region", "uk") in found and ("region", "ca") not in found
    assert [(m.label, m.value) for m in lexicon().find("we live in canada")] == [("region", "ca")]
