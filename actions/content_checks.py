"""Checks that keep vetted content honest: reading level, length, dose amounts, catalog ids."""

from __future__ import annotations

import re
from pathlib import Path
from typing import List

from actions.knowledge_base import MAX_WORDS, MIN_WORDS, ROOT

MAX_GRADE = 8.0
CONTENT_SPEC = ROOT.parent / "shared" / "content-spec.md"

_NUMBER_WORDS = r"one|two|three|four|five|six|seven|eight|nine|ten|several|multiple|\d+"
#: An amount with a unit, or a count of doses: what a self-use dosing instruction looks like.
DOSE_PATTERN = re.compile(
    r"(?<![\w.])\d+(?:[.,]\d+)?\s*(?:mg/kg|mg|mcg|µg|μg|ug|g|ml|milligrams?|micrograms?|grams?)(?![\w])"
    rf"|\b(?:{_NUMBER_WORDS})\s+doses?\b",
    re.IGNORECASE,
)


def dose_mentions(text: str) -> List[str]:
    """Every dose amount or dose count in `text`."""
    return [m.group(0) for m in DOSE_PATTERN.finditer(text)]


def reading_grade(text: str) -> float:
    """Flesch-Kincaid grade level (textstat)."""
    import textstat

    return float(textstat.flesch_kincaid_grade(text))


def word_count_ok(words: int) -> bool:
    """Whether an answer's length is within the catalog's limits."""
    return MIN_WORDS <= words <= MAX_WORDS


def catalog_ids(spec: Path = CONTENT_SPEC) -> List[str]:
    """The knowledge-base ids of catalog sections A-F in content-spec.md."""
    text = spec.read_text(encoding="utf-8")
    catalog = text.split("## The catalog", 1)[1].split("## Scripted replies", 1)[0]
    return re.findall(r"^\| `([a-z0-9_]+)` \|", catalog, flags=re.MULTILINE)
