"""PHQ-9 / GAD-7 scoring against published examples and every band boundary; staff flags."""

from __future__ import annotations

from typing import Any, Dict, List, Sequence

import pytest

from lantern.intake import scoring
from lantern.intake.scoring import GAD7_ITEMS, PHQ9_ITEMS, Scores, flags, score


def items(ids: Sequence[str], values: Sequence[int]) -> Dict[str, Any]:
    assert len(ids) == len(values)
    return dict(zip(ids, values, strict=True))


def with_total(ids: Sequence[str], total: int, item9_zero: bool = True) -> Dict[str, Any]:
    """Answers whose items add up to `total`, filling items from the first (item 9 last)."""
    values: List[int] = []
    left = total
    for _ in ids:
        values.append(min(3, left))
        left -= values[-1]
    assert left == 0, "total too high for the items"
    answers = items(ids, values)
    if item9_zero and "phq9_9" in answers and answers["phq9_9"]:
        # move item 9's points to an item with room (keeps the total)
        spare = next(i for i in ids if answers[i] < 3 and i != "phq9_9")
        answers[spare] += answers["phq9_9"]
        answers["phq9_9"] = 0
        assert answers[spare] <= 3
    return answers


def test_all_zeros() -> None:
    answers = {**items(PHQ9_ITEMS, [0] * 9), **items(GAD7_ITEMS, [0] * 7)}
    assert score(answers) == Scores(0, "minimal", 0, "minimal", False, False, False)
    assert flags(answers) == []


def test_all_threes() -> None:
    answers = {**items(PHQ9_ITEMS, [3] * 9), **items(GAD7_ITEMS, [3] * 7)}
    assert score(answers) == Scores(27, "severe", 21, "severe", True, True, False)
    assert flags(answers) == ["item9"]


def test_us_core_phq9_example() -> None:
    """HL7 US Core QuestionnaireResponse 'phq-9-example': answers 2,2,2,2,1,1,2,0,0, total 12."""
    answers = items(PHQ9_ITEMS, [2, 2, 2, 2, 1, 1, 2, 0, 0])
    result = score(answers)
    assert (result.phq9_total, result.phq9_band) == (12, "moderate")
    assert not result.item9_positive
    assert (result.gad7_total, result.gad7_band) == (None, None)  # GAD-7 not answered


def test_hl7_phr_gad7_example() -> None:
    """HL7 personal health record IG GAD-7 example: 0,0,1,1,0,1,0 -> 3, minimal."""
    result = score(items(GAD7_ITEMS, [0, 0, 1, 1, 0, 1, 0]))
    assert (result.gad7_total, result.gad7_band) == (3, "minimal")


def test_mixed_case_with_item9() -> None:
    answers = {
        **items(PHQ9_ITEMS, [3, 2, 2, 1, 1, 3, 2, 1, 1]),
        **items(GAD7_ITEMS, [2, 3, 2, 1, 3, 2, 2]),
    }
    assert score(answers) == Scores(16, "moderately severe", 15, "severe", True, True, False)
    assert flags(answers) == ["item9"]


PHQ9_BOUNDARIES = [
    (0, "minimal"),
    (4, "minimal"),
    (5, "mild"),
    (9, "mild"),
    (10, "moderate"),
    (14, "moderate"),
    (15, "moderately severe"),
    (19, "moderately severe"),
    (20, "severe"),
    (27, "severe"),
]
GAD7_BOUNDARIES = [
    (0, "minimal"),
    (4, "minimal"),
    (5, "mild"),
    (9, "mild"),
    (10, "moderate"),
    (14, "moderate"),
    (15, "severe"),
    (21, "severe"),
]


@pytest.mark.parametrize("total, band", PHQ9_BOUNDARIES)
def test_phq9_band_boundaries(total: int, band: str) -> None:
    answers = with_total(PHQ9_ITEMS, total, item9_zero=total <= 24)
    assert sum(answers.values()) == total
    result = score(answers)
    assert (result.phq9_total, result.phq9_band) == (total, band)


@pytest.mark.parametrize("total, band", GAD7_BOUNDARIES)
def test_gad7_band_boundaries(total: int, band: str) -> None:
    result = score(with_total(GAD7_ITEMS, total))
    assert (result.gad7_total, result.gad7_band) == (total, band)


def test_every_total_has_exactly_one_band() -> None:
    assert [scoring.band(t, scoring.PHQ9_BANDS) for t in range(28)] == (
        ["minimal"] * 5
        + ["mild"] * 5
        + ["moderate"] * 5
        + ["moderately severe"] * 5
        + ["severe"] * 8
    )
    assert [scoring.band(t, scoring.GAD7_BANDS) for t in range(22)] == (
        ["minimal"] * 5 + ["mild"] * 5 + ["moderate"] * 5 + ["severe"] * 7
    )


@pytest.mark.parametrize("bad", [None, "prefer_not_to_say", 4, -1, "often", True, 1.5])
def test_a_missing_or_invalid_item_leaves_the_total_empty(bad: Any) -> None:
    answers = {**items(PHQ9_ITEMS, [1] * 9), **items(GAD7_ITEMS, [1] * 7)}
    answers["phq9_4"] = bad
    del answers["gad7_7"]
    result = score(answers)
    assert (result.phq9_total, result.phq9_band) == (None, None)
    assert (result.gad7_total, result.gad7_band) == (None, None)
    assert result.item9_positive  # item 9 itself was answered 1


def test_slot_values_as_float_or_digit_text_count() -> None:
    """Rasa may hand back 2.0 or "2"; both mean 2."""
    answers = items(PHQ9_ITEMS, [2.0, "2", 2, 0, 0, 0, 0, 0, 0])  # type: ignore[list-item]
    assert score(answers).phq9_total == 6


def test_item9_alone_is_flagged_even_with_a_minimal_total() -> None:
    answers = items(PHQ9_ITEMS, [0] * 8 + [1])
    result = score(answers)
    assert (result.phq9_total, result.phq9_band, result.item9_positive) == (1, "minimal", True)
    assert flags(answers) == ["item9"]
    assert not score(items(PHQ9_ITEMS[:8], [0] * 8)).item9_positive  # item 9 not answered


def test_flags_are_raised_by_yes_only_in_a_fixed_order() -> None:
    answers = {
        "hx_pregnancy": "yes",
        "med_lithium": "yes",
        "hx_cardiovascular": "yes",
        "hx_psychosis_bipolar": "yes",
        "med_maoi": "yes",
        "phq9_9": 2,
        "med_ssri_snri": "yes",  # not a flag
    }
    assert flags(answers) == [
        "item9",
        "lithium",
        "maoi",
        "psychosis_bipolar",
        "cardiovascular",
        "pregnancy",
    ]
    for other in ("no", "unsure", "prefer_not_to_say"):
        quiet = {question: other for question in scoring.YES_FLAGS.values()}
        assert flags({**quiet, "phq9_9": 0}) == []


def test_every_flag_is_documented() -> None:
    doc = scoring.__doc__ or ""
    for flag in scoring.FLAGS:
        assert f"`{flag}`" in doc
