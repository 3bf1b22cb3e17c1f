"""Every catalog answer exists once and meets the content rules of content-spec.md."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from actions.content_checks import (
    MAX_GRADE,
    as_of_mismatches,
    catalog_ids,
    dose_mentions,
    needs_source,
    reading_grade,
    review_is_due,
    sentences,
    unsourced_sentences,
    word_count_ok,
)
from actions.knowledge_base import Answer, Claim, knowledge_base

KB = knowledge_base()
ANSWERS = sorted(KB.answers.values(), key=lambda a: a.id)


def test_catalog_has_44_ids_and_each_exists_exactly_once() -> None:
    catalog = catalog_ids()
    assert len(catalog) == 44 and len(set(catalog)) == 44
    assert sorted(KB.ids()) == sorted(catalog)  # none missing, none outside the catalog


@pytest.mark.parametrize("answer", ANSWERS, ids=lambda a: a.id)
def test_entry_meets_the_content_rules(answer: Answer) -> None:
    assert word_count_ok(answer.word_count), f"{answer.word_count} words"
    grade = reading_grade(answer.answer)
    assert grade <= MAX_GRADE, f"grade {grade:.1f}"
    assert answer.consult.strip()
    assert answer.sources and all(s.url or s.doi for s in answer.sources)
    assert answer.reviewed_by and answer.reviewed_on <= dt.date.today()
    assert 1 <= len(answer.related) <= 4 and all(r in KB for r in answer.related)
    assert dose_mentions(answer.answer) == [], "dose amounts in the answer"
    assert dose_mentions(answer.consult) == []
    assert "http" not in answer.answer, "links belong in sources"


@pytest.mark.parametrize(
    "planted",
    [
        "Most people take 50 mg the first time.",
        "A typical amount is 0.5 mg/kg over 40 minutes.",
        "Start with 1.5g of dried mushrooms.",
        "Some use 100 mcg.",
        "A microdose is about 10 µg.",
        "Take 2 ml of the spray.",
        "You will need three doses.",
        "Plan for 6 doses a week.",
    ],
)
def test_dose_check_catches_planted_amounts(planted: str) -> None:
    assert dose_mentions(planted), planted


@pytest.mark.parametrize(
    "fine",
    [
        "A course often starts with several sessions over a few weeks.",
        "In 2019 the FDA approved esketamine.",
        "Researchers studied 233 people.",
        "Monitoring lasts at least 2 hours.",
    ],
)
def test_dose_check_leaves_other_numbers_alone(fine: str) -> None:
    assert dose_mentions(fine) == []


def test_reading_grade_measures_hard_text_as_hard() -> None:
    hard = (
        "Pharmacological antagonism of N-methyl-D-aspartate receptors precipitates "
        "glutamatergic neurotransmission alterations facilitating synaptogenesis."
    )
    assert reading_grade(hard) > MAX_GRADE


def test_content_report_flags_stale_reviews() -> None:
    from actions.content_report import rows

    today = max(a.reviewed_on for a in ANSWERS)
    assert all(r[-1] == "ok" for r in rows(today))
    later = today + dt.timedelta(days=366)
    assert all("REVIEW-DUE" in r[-1] for r in rows(later))


def test_no_entry_is_out_of_limits_or_due_for_review_today() -> None:
    """Fails when a review lapses: `make content-report` then names the entries due."""
    from actions.content_report import HEADER, rows

    table = rows(dt.date.today())
    assert [r[-1] for r in table] == ["ok"] * len(ANSWERS)
    assert HEADER[:6] == ["id", "words", "grade", "sources", "claims", "cited"]
    assert "due" in HEADER and "volatile" in HEADER
    for row in table:
        cited, needing = row[HEADER.index("cited")].split("/")
        assert cited == needing and int(row[HEADER.index("claims")]) > 0


def test_volatile_entries_are_due_after_90_days_and_others_after_365() -> None:
    from actions.content_report import HEADER, rows

    volatile = {a.id for a in ANSWERS if a.volatile}
    assert {"psychedelic_legal_status", "mdma", "esketamine_spravato"} <= volatile
    assert {"how_psychedelics_work", "integration"}.isdisjoint(volatile)
    reviewed = max(a.reviewed_on for a in ANSWERS)
    fake_today = reviewed + dt.timedelta(days=91)  # a fake "today", 91 days on
    flagged = {r[0] for r in rows(fake_today) if "REVIEW-DUE" in r[-1]}
    assert flagged == volatile
    for answer in ANSWERS:
        assert answer.review_interval_days == (90 if answer.volatile else 365)
        assert not review_is_due(answer, answer.reviewed_on + dt.timedelta(days=90))
        assert review_is_due(answer, answer.review_due + dt.timedelta(days=1))
    due_column = HEADER.index("due")
    assert all(r[due_column] for r in rows(fake_today))


@pytest.mark.parametrize("answer", ANSWERS, ids=lambda a: a.id)
def test_as_of_dates_are_the_review_date(answer: Answer) -> None:
    assert as_of_mismatches(answer) == []


def test_as_of_check_catches_a_stale_or_vague_date() -> None:
    answer = KB["psychedelic_legal_status"]
    assert "as of 7 december 2026" in answer.answer.lower()
    for stale in ("As of June 2023, it was banned.", "As of 1 March 2026, it was banned."):
        planted = dataclasses.replace(answer, answer=answer.answer + " " + stale)
        assert as_of_mismatches(planted), stale
    moved = dataclasses.replace(answer, reviewed_on=answer.reviewed_on + dt.timedelta(days=1))
    assert as_of_mismatches(moved)


def test_volatile_answers_that_state_a_status_date_themselves() -> None:
    dated = [a.id for a in ANSWERS if "as of" in a.answer.lower()]
    assert dated and all(KB[i].volatile for i in dated)


@pytest.mark.parametrize(
    ("sentence", "needs"),
    [
        ("In 2019, the FDA approved esketamine.", True),
        ("It is a Schedule I drug.", True),
        ("Ketamine is legal with a prescription.", True),
        ("Colorado licensed its first healing center.", True),
        ("The FDA declined to approve it.", True),
        ("It worked better than a placebo.", True),
        ("Relief lasted about four weeks.", True),
        ("In March, the rules changed.", True),
        ("You may feel floaty or dreamy.", False),
        ("Talk with your care team.", False),
    ],
)
def test_the_source_rule_knows_which_sentences_need_a_source(sentence: str, needs: bool) -> None:
    assert needs_source(sentence) is needs


def test_an_uncited_status_sentence_is_caught() -> None:
    answer = KB["ketamine_legal_status"]
    planted = dataclasses.replace(
        answer, answer=answer.answer + " Oregon approved ketamine for everyone in 2026."
    )
    assert unsourced_sentences(planted) == ["Oregon approved ketamine for everyone in 2026."]
    cited = dataclasses.replace(
        planted,
        claims=(*planted.claims, Claim("Oregon approved ketamine", 0, "planted locator")),
    )
    assert unsourced_sentences(cited) == []


def test_sentences_split_on_full_stops_not_inside_numbers() -> None:
    assert sentences("About 2.3% needed care. Most did not! Why? Ask.") == [
        "About 2.3% needed care.",
        "Most did not!",
        "Why?",
        "Ask.",
    ]
