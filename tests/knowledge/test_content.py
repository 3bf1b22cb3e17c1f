"""Every catalog answer exists once and meets the content rules of content-spec.md."""

from __future__ import annotations

import datetime as dt

import pytest

from actions.content_checks import (
    MAX_GRADE,
    catalog_ids,
    dose_mentions,
    reading_grade,
    word_count_ok,
)
from actions.knowledge_base import Answer, knowledge_base

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
