"""`make content-report`: one row per vetted answer, with flags for anything out of limits.

Columns: words, reading grade, sources, claims (each names its source and a locator),
how many sentences that need a source have one ("cited"), whether the entry is
volatile (regulatory or latest research: reviewed every 90 days, else 365), the
review date and the date the next review is due. Flags: LENGTH, GRADE, DOSE,
UNSOURCED (a sentence with a number, date, regulatory status or comparison and no
source), AS-OF ("as of" differs from the review date), REVIEW-DUE. Exits 1 when
anything is flagged.
"""

from __future__ import annotations

import datetime as dt
import sys
from typing import List

from actions.content_checks import (
    MAX_GRADE,
    as_of_mismatches,
    dose_mentions,
    needs_source,
    reading_grade,
    review_is_due,
    sentences,
    unsourced_sentences,
    word_count_ok,
)
from actions.knowledge_base import (
    REVIEW_INTERVAL_DAYS,
    VOLATILE_REVIEW_INTERVAL_DAYS,
    Answer,
    knowledge_base,
)

HEADER = [
    "id",
    "words",
    "grade",
    "sources",
    "claims",
    "cited",
    "volatile",
    "reviewed",
    "due",
    "flags",
]


def flags(answer: Answer, today: dt.date, grade: float) -> List[str]:
    """Everything out of limits for one entry."""
    found = []
    if not word_count_ok(answer.word_count):
        found.append("LENGTH")
    if grade > MAX_GRADE:
        found.append("GRADE")
    if dose_mentions(answer.answer):
        found.append("DOSE")
    if unsourced_sentences(answer):
        found.append("UNSOURCED")
    if as_of_mismatches(answer):
        found.append("AS-OF")
    if review_is_due(answer, today):
        found.append("REVIEW-DUE")
    return found


def rows(today: dt.date) -> List[List[str]]:
    """The table rows, in HEADER's order (flags last: "ok" when nothing is flagged)."""
    table = []
    for answer in sorted(knowledge_base().answers.values(), key=lambda a: a.id):
        grade = reading_grade(answer.answer)
        needing = [s for s in sentences(answer.answer) if needs_source(s)]
        missing = unsourced_sentences(answer)
        table.append(
            [
                answer.id,
                str(answer.word_count),
                f"{grade:.1f}",
                str(len(answer.sources)),
                str(len(answer.claims)),
                f"{len(needing) - len(missing)}/{len(needing)}",
                "yes" if answer.volatile else "no",
                answer.reviewed_on.isoformat(),
                answer.review_due.isoformat(),
                " ".join(flags(answer, today, grade)) or "ok",
            ]
        )
    return table


def main() -> int:
    """Print the report; exit 1 if any entry is flagged."""
    today = dt.date.today()
    table = rows(today)
    widths = [max(len(r[i]) for r in [HEADER, *table]) for i in range(len(HEADER))]
    for row in [HEADER, ["-" * w for w in widths], *table]:
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())
    flagged = [r for r in table if r[-1] != "ok"]
    claims = sum(len(a.claims) for a in knowledge_base().answers.values())
    print(
        f"\n{len(table)} answers, {claims} claims with sources; {len(flagged)} flagged on "
        f"{today.isoformat()} (limits: 60-160 words, grade <= {MAX_GRADE:g}; every sentence "
        "with a number, date, regulatory status or comparison cited; review within "
        f"{VOLATILE_REVIEW_INTERVAL_DAYS} days if volatile, else {REVIEW_INTERVAL_DAYS})"
    )
    return 1 if flagged else 0


if __name__ == "__main__":
    sys.exit(main())
