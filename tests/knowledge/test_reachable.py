"""Every catalog answer is reachable in conversation: one plain question per id, over HTTP."""

from __future__ import annotations

import pytest

from actions.content_checks import catalog_ids
from tests.conftest import answer_ids
from tests.servers import Servers

pytestmark = pytest.mark.server

QUESTIONS = {
    "psychedelic_therapy_overview": "what is psychedelic-assisted therapy?",
    "conditions_studied": "which conditions are psychedelics being studied for?",
    "how_psychedelics_work": "how do psychedelics work in the brain?",
    "therapy_process": "what are the phases of psychedelic therapy?",
    "treatment_resistant_depression": "what is treatment-resistant depression?",
    "psychedelic_side_effects": "what are the side effects of psilocybin?",
    "psychedelic_legal_status": "is psilocybin legal?",
    "psychedelic_addiction_risk": "are psychedelics addictive?",
    "who_should_avoid_psychedelics": "who should not take psychedelics?",
    "drug_interactions": "do psychedelics interact with antidepressant medication?",
    "psilocybin": "what is psilocybin?",
    "mdma": "what is mdma therapy?",
    "ayahuasca": "what is ayahuasca?",
    "lsd": "what is lsd?",
    "ketamine_overview": "what is ketamine?",
    "ketamine_how_it_works": "how does ketamine work?",
    "ketamine_for_depression": "does ketamine help depression?",
    "ketamine_for_ptsd": "can ketamine help with ptsd?",
    "ketamine_for_pain": "can ketamine help chronic pain?",
    "ketamine_for_addiction": "can ketamine treat alcohol addiction?",
    "ketamine_addiction_risk": "is ketamine addictive?",
    "ketamine_side_effects": "what are the side effects of ketamine?",
    "ketamine_delivery_methods": "how is ketamine given? IV or nasal spray?",
    "esketamine_spravato": "what is spravato?",
    "ketamine_assisted_psychotherapy": "what is ketamine-assisted psychotherapy?",
    "ketamine_legal_status": "is ketamine legal?",
    "ketamine_who_should_avoid": "who should not take ketamine?",
    "ketamine_treatment_course": "how many ketamine sessions will I need?",
    "preparing_for_session": "how do I prepare for my session?",
    "during_session": "what happens during a ketamine session?",
    "after_session": "what should I do after my session?",
    "integration": "what is integration after a psychedelic experience?",
    "psychedelics_for_pain": "can psychedelics help chronic pain?",
    "cluster_headaches_migraine": "can psilocybin help cluster headaches?",
    "phantom_limb_pain": "can psilocybin help phantom limb pain?",
    "fibromyalgia": "can psychedelics help fibromyalgia?",
    "dosing_approaches": "what is psycholytic therapy?",
    "microdosing": "does microdosing work?",
    "finding_a_provider": "how do I find a good ketamine clinic?",
    "clinical_trials": "how can I join a clinical trial?",
    "cost_and_insurance": "does insurance cover ketamine therapy?",
    "talking_to_your_doctor": "how do I bring up psychedelic therapy with my doctor?",
    "research_outlook": "what is the future of psychedelic research?",
    "end_of_life_distress": "can psilocybin help anxiety at the end of life?",
}


def test_one_question_for_every_catalog_id() -> None:
    assert sorted(QUESTIONS) == sorted(catalog_ids())


@pytest.mark.parametrize(("answer_id", "question"), sorted(QUESTIONS.items()))
def test_answer_is_reachable(servers: Servers, sender: str, answer_id: str, question: str) -> None:
    assert answer_id in answer_ids(servers.send(sender, question))
