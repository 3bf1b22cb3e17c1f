"""`make content-report`: one row per vetted answer, with flags for anything out of limits."""

from __future__ import annotations

import datetime as dt
import sys
from typing import List

from actions.content_checks import MAX_GRADE, dose_mentions, reading_grade, word_count_ok
from actions.knowledge_base import knowledge_base

MAX_REVIEW_AGE_DAYS = 365


def rows(today: dt.date) -> List[List[str]]:
    """The table rows (id, words, grade, sources, reviewed, age, flags)."""
    table = []
    for answer in sorted(knowledge_base().answers.values(), key=lambda a: a.id):
        grade = reading_grade(answer.answer)
        age = (today - answer.reviewed_on).days
        flags = []
        if not word_count_ok(answer.word_count):
            flags.append("LENGTH")
        if grade > MAX_GRADE:
            flags.append("GRADE")
        if age > MAX_REVIEW_AGE_DAYS:
            flags.append("REVIEW-DUE")
        if dose_mentions(answer.answer):
            flags.append("DOSE")
        table.append(
            [
                answer.id,
                str(answer.word_count),
                f"{grade:.1f}",
                str(len(answer.sources)),
                answer.reviewed_on.isoformat(),
                str(age),
                " ".join(flags) or "ok",
            ]
        )
    return table


def main() -> int:
    """Print the report; exit 1 if any entry is flagged."""
    header = ["id", "words", "grade", "sources", "reviewed", "days", "flags"]
    table = rows(dt.date.today())
    widths = [max(len(r[i]) for r in [header, *table]) for i in range(len(header))]
    for row in [header, ["-" * w for w in widths], *table]:
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())
    flagged = [r for r in table if r[-1] != "ok"]
    print(
        f"\n{len(table)} answers; {len(flagged)} flagged "
        f"(limits: 60-160 words, grade <= {MAX_GRADE:g}, review within {MAX_REVIEW_AGE_DAYS} days)"
    )
    return 1 if flagged else 0


if __name__ == "__main__":
    sys.exit(main())
