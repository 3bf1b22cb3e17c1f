"""Questions no reviewed answer covers yet, counted by topic for content review.

Each `not_covered` reply adds one to its topic's count for the month (the topics
are the lexicon's `gap` values: alcohol, breastfeeding, ...). Only the topic, the
month and the count are kept: no message text, no conversation id, no time of
day. SQLite under `LANTERN_VAR_DIR` (`gaps.sqlite`, mode 600 like every store).
`python -m actions.gaps` prints the counts.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
import sys
from contextlib import closing
from pathlib import Path
from typing import List, Tuple

from lantern.paths import var_dir
from lantern.private_files import private_file

FILE_NAME = "gaps.sqlite"


def _connect(path: Path | None = None) -> sqlite3.Connection:
    conn = sqlite3.connect(private_file(path or var_dir() / FILE_NAME))
    conn.execute(
        "CREATE TABLE IF NOT EXISTS gaps (topic TEXT NOT NULL, month TEXT NOT NULL,"
        " count INTEGER NOT NULL, PRIMARY KEY (topic, month))"
    )
    return conn


def record(topic: str) -> None:
    """Count one question on `topic` (a gap value, never text) this month."""
    month = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m")
    with closing(_connect()) as conn, conn:
        conn.execute(
            "INSERT INTO gaps (topic, month, count) VALUES (?, ?, 1)"
            " ON CONFLICT (topic, month) DO UPDATE SET count = count + 1",
            (topic, month),
        )


def summary() -> List[Tuple[str, str, int]]:
    """(topic, month, count) for content reviewers, most asked first."""
    with closing(_connect()) as conn:
        rows = conn.execute("SELECT topic, month, count FROM gaps ORDER BY count DESC, topic")
        return [(str(t), str(m), int(n)) for t, m, n in rows]


def main() -> int:
    """Print the counts."""
    for topic, month, count in summary():
        print(f"{month}  {topic:<24} {count}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
