"""PHQ-9 and GAD-7 totals, severity bands, and the flags staff must see.

Scoring (Kroenke et al. 2001; Spitzer et al. 2006): each item 0-3, total = sum.
PHQ-9 bands: 0-4 minimal, 5-9 mild, 10-14 moderate, 15-19 moderately severe,
20-27 severe. GAD-7 bands: 0-4 minimal, 5-9 mild, 10-14 moderate, 15-21 severe.
A total is None unless every item of its questionnaire has a 0-3 answer.

PHQ-9 item 9 (thoughts of being better off dead or of self-harm) is positive when
it is 1-3 or ITEM9_UNCLEAR (an answer other than a clear "not at all" that names no
frequency). Its history (the form's `intake_item9_history` slot: the first positive
answer and when, the time of a refusal) keeps a flag raised after "go back".

Flags (`FLAGS`, in this order; the yes/no ones are raised by the answer "yes" only):

- `item9`: PHQ-9 item 9 positive now, or at any time during the intake
- `item9_declined`: PHQ-9 item 9 refused ("prefer not to say", "skip"), now or earlier
- `lithium`: takes lithium
- `maoi`: takes an MAOI antidepressant
- `psychosis_bipolar`: own or close family history of psychosis, schizophrenia or bipolar
- `cardiovascular`: heart disease, high blood pressure, stroke or aneurysm
- `pregnancy`: pregnant, trying to get pregnant, or breastfeeding
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Dict, List, Mapping, Sequence, Tuple

from lantern.intake.questions import ITEM9_UNCLEAR, PREFER_NOT

PHQ9_ITEMS: Tuple[str, ...] = tuple(f"phq9_{n}" for n in range(1, 10))
GAD7_ITEMS: Tuple[str, ...] = tuple(f"gad7_{n}" for n in range(1, 8))
ITEM9 = "phq9_9"

#: (lowest total, band) pairs, highest first.
PHQ9_BANDS: Tuple[Tuple[int, str], ...] = (
    (20, "severe"),
    (15, "moderately severe"),
    (10, "moderate"),
    (5, "mild"),
    (0, "minimal"),
)
GAD7_BANDS: Tuple[Tuple[int, str], ...] = (
    (15, "severe"),
    (10, "moderate"),
    (5, "mild"),
    (0, "minimal"),
)

#: flag -> the yes/no question whose "yes" raises it (item9 is scored separately).
YES_FLAGS: Dict[str, str] = {
    "lithium": "med_lithium",
    "maoi": "med_maoi",
    "psychosis_bipolar": "hx_psychosis_bipolar",
    "cardiovascular": "hx_cardiovascular",
    "pregnancy": "hx_pregnancy",
}
FLAGS: Tuple[str, ...] = (
    "item9",
    "item9_declined",
    "lithium",
    "maoi",
    "psychosis_bipolar",
    "cardiovascular",
    "pregnancy",
)

#: Flags that make an intake urgent on the staff list.
URGENT_FLAGS: Tuple[str, ...] = ("item9", "item9_declined")


@dataclass(frozen=True)
class Scores:
    """Questionnaire totals and bands (None when a questionnaire is incomplete)."""

    phq9_total: int | None
    phq9_band: str | None
    gad7_total: int | None
    gad7_band: str | None
    item9_positive: bool
    item9_ever_positive: bool
    item9_declined: bool

    def as_dict(self) -> Dict[str, Any]:
        """Plain dict (for JSON)."""
        return asdict(self)


def item_value(value: Any) -> int | None:
    """An item's 0-3 score, or None (missing, declined, or not a 0-3 answer)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, str) and value.strip() in {"0", "1", "2", "3"}:
        value = int(value.strip())
    if isinstance(value, int) and 0 <= value <= 3:
        return value
    return None


def total(answers: Mapping[str, Any], items: Sequence[str]) -> int | None:
    """Sum of the items, or None unless every item has a 0-3 answer."""
    values = [item_value(answers.get(item)) for item in items]
    if any(v is None for v in values):
        return None
    return sum(v for v in values if v is not None)


def band(score: int | None, bands: Sequence[Tuple[int, str]]) -> str | None:
    """The severity band of a total (None for None)."""
    if score is None:
        return None
    for lowest, name in bands:
        if score >= lowest:
            return name
    raise ValueError(f"negative total {score}")


def item9_positive(value: Any) -> bool:
    """Whether an item 9 answer is positive: 1-3, or ITEM9_UNCLEAR."""
    number = item_value(value)
    return value == ITEM9_UNCLEAR or (number is not None and number > 0)


def score(answers: Mapping[str, Any], item9_history: Mapping[str, Any] | None = None) -> Scores:
    """PHQ-9 and GAD-7 totals and bands, and item 9: positive now, ever, or refused."""
    phq9 = total(answers, PHQ9_ITEMS)
    gad7 = total(answers, GAD7_ITEMS)
    history = item9_history or {}
    positive = item9_positive(answers.get(ITEM9))
    return Scores(
        phq9_total=phq9,
        phq9_band=band(phq9, PHQ9_BANDS),
        gad7_total=gad7,
        gad7_band=band(gad7, GAD7_BANDS),
        item9_positive=positive,
        item9_ever_positive=positive or bool(history.get("first_positive")),
        item9_declined=answers.get(ITEM9) == PREFER_NOT or bool(history.get("declined_at")),
    )


def flags(answers: Mapping[str, Any], item9_history: Mapping[str, Any] | None = None) -> List[str]:
    """The raised flags, in `FLAGS` order (item 9's history keeps its flags raised)."""
    raised = set()
    scores = score(answers, item9_history)
    if scores.item9_ever_positive:
        raised.add("item9")
    if scores.item9_declined:
        raised.add("item9_declined")
    for flag, question in YES_FLAGS.items():
        if answers.get(question) == "yes":
            raised.add(flag)
    return [flag for flag in FLAGS if flag in raised]
