"""Checks that keep vetted content honest.

Reading level, length, dose amounts and catalog ids; that every sentence stating a
number, a date, a regulatory status or a comparison is tied to a source (a claim);
that "as of <date>" in an answer is the entry's review date; that no answer repeats
or argues with the reference articles the topics came from.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import List, Sequence, Set, Tuple

from actions.knowledge_base import MAX_WORDS, MIN_WORDS, ROOT, Answer, Claim

MAX_GRADE = 8.0
CONTENT_SPEC = ROOT.parent / "shared" / "content-spec.md"
REFERENCE_DIR = ROOT.parent / "shared" / "reference"
#: A run of this many words shared with a reference article counts as quoting it.
QUOTE_WORDS = 6

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


#: Month names count only capitalised ("may" and "march" are also verbs).
_MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
_NUMBERS = (
    "one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|forty|"
    "fifty|hundred|thousand|million|half|dozen|once|twice"
)
_STATUS = (
    r"approv\w*|schedul\w*|fda|dea|rems|legal\w*|illegal|licen[cs]\w*|declin\w*|"
    r"banned|unapproved|off-label|label|certified|controlled|authori[sz]\w*|law|"
    r"prescri\w*|retract\w*|executive order|right to try|voucher\w*|medicare"
)
_COMPARISON = (
    r"more|less|lower|higher|than|safer|fewer|better|worse|most|least|larger|smaller|"
    r"stronger|weaker|faster|slower|greater|riskier"
)
#: What makes a sentence need a source: a number, a date, a status word, a comparison.
NEEDS_SOURCE = re.compile(
    rf"\d|\b(?-i:{_MONTHS})\b|\b(?:{_NUMBERS})\b|\b(?:{_STATUS})\b|\b(?:{_COMPARISON})\b",
    re.IGNORECASE,
)
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"\u201d')]*\s+(?=[\"\u201c(]?[A-Z0-9])")
AS_OF = re.compile(r"\bas of\s+([^,.;]+?\d{4})", re.IGNORECASE)
#: Wording that argues with, or reports, what someone else wrote.
REBUTTAL = re.compile(
    r"\bsome (?:people |articles |sites )?(?:say|claim)|\bclaims?\b|\bclaimed\b|"
    r"\barticles? (?:say|says|claim)|\byou may (?:have )?(?:read|heard|see)|"
    r"\bcontrary to\b|\bmyth\b|\bit is often said\b|\bleave out key facts\b",
    re.IGNORECASE,
)


def sentences(text: str) -> List[str]:
    """The sentences of an answer (answers avoid abbreviations with inner full stops)."""
    return [s.strip() for s in _SENTENCE_END.split(" ".join(text.split())) if s.strip()]


def needs_source(sentence: str) -> bool:
    """Whether a sentence states a number, a date, a regulatory status or a comparison."""
    return bool(NEEDS_SOURCE.search(sentence))


def covered(sentence: str, claims: Sequence[Claim]) -> bool:
    """Whether some claim is this sentence, part of it, or spans it."""
    return any(c.text in sentence or sentence in c.text for c in claims)


def unsourced_sentences(answer: Answer) -> List[str]:
    """Sentences that need a source and have no claim naming one."""
    return [
        s for s in sentences(answer.answer) if needs_source(s) and not covered(s, answer.claims)
    ]


def _parse_date(text: str) -> dt.date | None:
    for fmt in ("%d %B %Y", "%B %d %Y", "%Y-%m-%d"):
        try:
            return dt.datetime.strptime(text.replace(",", "").strip(), fmt).date()
        except ValueError:
            continue
    return None


def as_of_mismatches(answer: Answer) -> List[str]:
    """Every "as of <date>" in the answer that is not the entry's review date.

    A month and year alone ("as of March 2026") is a mismatch too: the answer must
    say the exact day its facts were last checked.
    """
    wrong = []
    for match in AS_OF.finditer(answer.answer):
        if _parse_date(match.group(1)) != answer.reviewed_on:
            wrong.append(match.group(0))
    return wrong


def review_is_due(answer: Answer, today: dt.date) -> bool:
    """Whether the review interval (90 days if volatile, else 365) has run out."""
    return today > answer.review_due


def _words(text: str) -> List[str]:
    return re.findall(r"[a-z0-9]+(?:'[a-z]+)?", text.lower())


def _shingles(words: Sequence[str], n: int) -> Set[Tuple[str, ...]]:
    return {tuple(words[i : i + n]) for i in range(len(words) - n + 1)}


def reference_shingles(
    directory: Path = REFERENCE_DIR, n: int = QUOTE_WORDS
) -> Set[Tuple[str, ...]]:
    """Every run of `n` words in the reference articles."""
    found: Set[Tuple[str, ...]] = set()
    for path in sorted(directory.glob("*.txt")):
        found |= _shingles(_words(path.read_text(encoding="utf-8")), n)
    return found


def quoted_spans(text: str, shingles: Set[Tuple[str, ...]], n: int = QUOTE_WORDS) -> List[str]:
    """Runs of `n` words in `text` that also appear in a reference article."""
    words = _words(text)
    return [
        " ".join(words[i : i + n])
        for i in range(len(words) - n + 1)
        if tuple(words[i : i + n]) in shingles
    ]


def rebuttal_phrases(text: str) -> List[str]:
    """Wording that reports or argues with what another text said."""
    return [m.group(0) for m in REBUTTAL.finditer(text)]
