"""The fact-check's five major findings cannot come back, and every fact keeps its source.

Each check is a small function run on every shipped answer and, to show it can fail,
on planted text that breaks it (issue 18: MDMA's FDA decision, SSRI-with-MAOI
reassurance, slowed breathing with ketamine, quoting or rebutting the reference
articles, the state psilocybin programs).
"""

from __future__ import annotations

import re
from typing import List

import pytest

from actions.content_checks import (
    quoted_spans,
    rebuttal_phrases,
    reference_shingles,
    sentences,
    unsourced_sentences,
)
from actions.knowledge_base import Answer, knowledge_base

KB = knowledge_base()
ANSWERS = sorted(KB.answers.values(), key=lambda a: a.id)
SHINGLES = reference_shingles()

# 1. MDMA -------------------------------------------------------------------------------
_EFFICACY = re.compile(
    r"\b(?:eas\w*|help\w*|improv\w*|fewer|better|benefit\w*|results?|works? (?:for|well)|effective|"
    r"hopeful|promising|good|reliev\w*)\b",
    re.IGNORECASE,
)
_FDA_DECISION = re.compile(
    r"\bFDA\b[^.]*\b(?:declined|did not approve|not approved|had not approved|"
    r"has not approved|said no)\b|\bnot approved\b[^.]*\bFDA\b",
    re.IGNORECASE,
)


def mdma_efficacy_without_fda_decision(text: str) -> bool:
    """A sentence speaks of MDMA working, and the text never says the FDA declined it."""
    speaks = any("MDMA" in s and _EFFICACY.search(s) for s in sentences(text))
    return speaks and not _FDA_DECISION.search(text)


# 2. SSRIs with MAOIs ----------------------------------------------------------------------
_MAOI = re.compile(r"\bMAOIs?\b|\bMAO\b|ayahuasca", re.IGNORECASE)
_SSRI = re.compile(r"\bSSRIs?\b|antidepressant", re.IGNORECASE)
_REASSURANCE = re.compile(
    r"less risky|low(?:er)? risk|safer|\bsafe\b|\bfine\b|\bokay\b|not a problem|no problem|"
    r"no (?:known )?interaction",
    re.IGNORECASE,
)
_WARNING = re.compile(r"serotonin (?:toxicity|syndrome)", re.IGNORECASE)
_DANGER = re.compile(r"life-threatening|can kill|dangerous|fatal|deadly", re.IGNORECASE)


def ssri_maoi_problems(text: str) -> List[str]:
    """In a text about MAOIs or ayahuasca: SSRI reassurance, or SSRIs without the warning."""
    if not _MAOI.search(text):
        return []
    problems = [s for s in sentences(text) if _SSRI.search(s) and _REASSURANCE.search(s)]
    if _SSRI.search(text) and not (_WARNING.search(text) and _DANGER.search(text)):
        problems.append("SSRIs mentioned without the serotonin-toxicity warning")
    return problems


# 3. Ketamine and breathing -------------------------------------------------------------
#: The ketamine answers about side effects, delivery and the spray (the fact-check's list).
BREATHING_IDS = {
    "ketamine_side_effects",
    "ketamine_delivery_methods",
    "esketamine_spravato",
    "ketamine_who_should_avoid",
}
_BREATHING = re.compile(
    r"slow(?:s|ed|ing)? (?:your |their |down )?breathing|breathing (?:slows|problems)|"
    r"respiratory depression|trouble breathing|effects on breathing",
    re.IGNORECASE,
)


def about_ketamine_effects_or_delivery(answer: Answer) -> bool:
    """A ketamine/esketamine answer whose title is about side effects or how it is given."""
    ketamine = {"ketamine", "esketamine"} & set(answer.substances)
    topic = re.search(r"side effect|how is ketamine given|spravato|avoid", answer.title, re.I)
    return bool(ketamine and topic)


# 5. State programs ---------------------------------------------------------------------
STATE_PROGRAMS = ("Oregon", "Colorado", "New Mexico")


# ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("answer", ANSWERS, ids=lambda a: a.id)
def test_mdma_efficacy_always_comes_with_the_fda_decision(answer: Answer) -> None:
    assert not mdma_efficacy_without_fda_decision(answer.answer)


def test_the_mdma_answers_say_the_fda_declined_it() -> None:
    for answer_id in ("mdma", "conditions_studied"):
        assert _FDA_DECISION.search(KB[answer_id].answer), answer_id
    assert "August 2024" in KB["mdma"].answer and "another" in KB["mdma"].answer


@pytest.mark.parametrize(
    "planted",
    [
        "For PTSD, MDMA with therapy has been tested in large trials, with good results.",
        "In two trials, people who had MDMA had fewer symptoms than with a dummy pill.",
    ],
)
def test_mdma_check_catches_efficacy_without_the_decision(planted: str) -> None:
    assert mdma_efficacy_without_fda_decision(planted)
    assert not mdma_efficacy_without_fda_decision(
        planted + " But in August 2024, the FDA declined to approve it."
    )


@pytest.mark.parametrize("answer", ANSWERS, ids=lambda a: a.id)
def test_no_reassurance_about_ssris_with_maois(answer: Answer) -> None:
    assert ssri_maoi_problems(answer.answer) == []


def test_drug_interactions_names_the_signs_of_serotonin_toxicity() -> None:
    text = KB["drug_interactions"].answer.lower()
    for sign in ("muscle jerks", "stiffness", "fever", "racing heart", "agitation", "seizure"):
        assert sign in text, sign
    assert "emergency" in text


@pytest.mark.parametrize(
    "planted",
    [
        "MAOIs are in ayahuasca brews. Common antidepressants called SSRIs seem less risky "
        "in this way. Mixed with other drugs they can cause serotonin toxicity, which can "
        "be life-threatening.",
        "Ayahuasca contains MAO blockers. SSRIs are fine to take with it.",
        "Ayahuasca contains MAO blockers. Tell your doctor if you take an SSRI.",
    ],
)
def test_ssri_check_catches_reassurance_and_a_missing_warning(planted: str) -> None:
    assert ssri_maoi_problems(planted)


@pytest.mark.parametrize("answer", ANSWERS, ids=lambda a: a.id)
def test_ketamine_side_effect_and_delivery_answers_warn_of_slowed_breathing(
    answer: Answer,
) -> None:
    if answer.id in BREATHING_IDS or about_ketamine_effects_or_delivery(answer):
        assert _BREATHING.search(answer.answer), answer.id


def test_the_breathing_rule_covers_the_answers_it_must() -> None:
    found = {a.id for a in ANSWERS if about_ketamine_effects_or_delivery(a)}
    assert found == BREATHING_IDS  # a new ketamine side-effect answer would be found too
    assert not _BREATHING.search("Other common effects are dizziness and nausea.")


def test_ketamine_answers_warn_about_mixing_with_sedatives() -> None:
    for answer_id in ("ketamine_side_effects", "esketamine_spravato", "ketamine_who_should_avoid"):
        text = KB[answer_id].answer.lower()
        assert "opioids" in text and "calming drugs" in text, answer_id
    assert "alcohol" in KB["ketamine_side_effects"].answer.lower()
    assert "benzodiazepines" in KB["ketamine_side_effects"].answer.lower()


def test_the_spray_answer_keeps_the_suicidality_warning() -> None:
    assert "suicidal thoughts" in KB["esketamine_spravato"].answer


@pytest.mark.parametrize("answer", ANSWERS, ids=lambda a: a.id)
def test_no_answer_quotes_a_reference_article(answer: Answer) -> None:
    assert quoted_spans(answer.answer, SHINGLES) == []


@pytest.mark.parametrize("answer", ANSWERS, ids=lambda a: a.id)
def test_no_answer_reports_or_argues_with_what_others_say(answer: Answer) -> None:
    assert rebuttal_phrases(answer.answer) == []
    assert rebuttal_phrases(answer.consult) == []


def test_the_quote_check_finds_a_planted_reference_passage() -> None:
    span = next(iter(SHINGLES))
    assert quoted_spans("Our answer says " + " ".join(span) + " and more.", SHINGLES)
    assert quoted_spans("Ketamine is a medicine used in surgery.", SHINGLES) == []


@pytest.mark.parametrize(
    "planted",
    [
        'Claims that the risk is "remarkably low" leave out key facts.',
        "Some say ketamine is not addictive.",
        "You may read that ketamine softens trauma memories.",
        "Articles say it works for everyone.",
    ],
)
def test_the_rebuttal_check_catches_arguing_with_a_source(planted: str) -> None:
    assert rebuttal_phrases(planted)


def test_legal_status_names_every_state_program_and_the_federal_status() -> None:
    text = KB["psychedelic_legal_status"].answer
    for state in STATE_PROGRAMS:
        assert state in text, state
    assert "Schedule I" in text and "did not change any drug's schedule" in text
    assert KB["psychedelic_legal_status"].volatile


@pytest.mark.parametrize("answer", ANSWERS, ids=lambda a: a.id)
def test_every_sentence_with_a_number_date_status_or_comparison_has_a_source(
    answer: Answer,
) -> None:
    assert unsourced_sentences(answer) == []


@pytest.mark.parametrize("answer", ANSWERS, ids=lambda a: a.id)
def test_every_claim_names_a_source_of_its_entry_and_a_locator(answer: Answer) -> None:
    assert answer.claims
    for claim in answer.claims:
        assert 0 <= claim.source < len(answer.sources)
        assert claim.text in answer.answer and claim.locator.strip()


def test_secondary_sources_say_so_in_their_publisher() -> None:
    secondary = [s for a in ANSWERS for s in a.sources if s.secondary]
    assert secondary  # company releases and news are marked
    assert all("secondary" in s.publisher.lower() for s in secondary)


def test_the_spray_label_is_cited_the_same_way_everywhere() -> None:
    labels = {
        (s.title, s.year)
        for a in ANSWERS
        for s in a.sources
        if s.url and "d81a6a79-a74a-44b7-822c-0dfa3036eaed" in s.url
    }
    assert len(labels) == 1 and "13 March 2026" in next(iter(labels))[0]


def test_the_chatgpt_searched_scoping_review_is_no_longer_cited() -> None:
    dois = {s.doi for a in ANSWERS for s in a.sources}
    assert "10.2147/JPR.S439348" not in dois
