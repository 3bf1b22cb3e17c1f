"""Where a Rasa server's time goes, from a py-spy profile taken under load.

py-spy is not a project dependency; to profile, install it into the venv and
record the Rasa server while `make bench-load` (or bench/load.py) runs:

    .venv/bin/pip install py-spy
    .venv/bin/py-spy record -p <rasa pid> -d 30 -r 200 -f raw -o results/profile/rasa-50.txt
    .venv/bin/python -m bench.profile_summary results/profile/rasa-50.txt

Each sample is put in the first matching bucket below (the most specific
first). py-spy cuts very deep stacks (jsonschema's recursion) so that their
outer frames are lost; those are bucketed by the library they are in.
"""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path
from typing import Iterator, List, Sequence, Tuple

#: (bucket, substrings of a frame); the first bucket with a match wins.
BUCKETS: Sequence[Tuple[str, Sequence[str]]] = (
    (
        "action response JSON-schema check (RemoteAction._validate_action_result)",
        ("_validate_action_result",),
    ),
    ("action server HTTP call, client side", ("request (rasa/utils/endpoints.py",)),
    ("tracker store save (SQLite count + insert + commit)", ("save (rasa/core/tracker_store.py",)),
    (
        "tracker store retrieve (SQLite select + deserialise events)",
        ("retrieve (rasa/core/tracker_store.py",),
    ),
    ("lock store", ("rasa/core/lock_store.py",)),
    ("NLU: LanternTokenizer (spaCy + lexicon)", ("lantern/nlu/tokenizer.py",)),
    ("NLU: LexiconEntityExtractor", ("lantern/nlu/entities.py",)),
    ("NLU: CountVectorsFeaturizer x2", ("count_vectors_featurizer.py",)),
    (
        "NLU: LogisticRegressionClassifier",
        ("logistic_regression_classifier.py", "lantern/nlu/classifier.py"),
    ),
    ("NLU: FallbackClassifier", ("fallback_classifier.py",)),
    ("NLU: SafetyScreen", ("lantern/safety/component.py",)),
    ("NLU: graph runner and messages", ("_parse_message_with_graph",)),
    ("policies: RulePolicy", ("rule_policy.py",)),
    ("policies: AugmentedMemoizationPolicy", ("memoization.py",)),
    ("policies: graph runner, ensemble, state featurising", ("_predict_next_with_tracker",)),
    ("NLG (LanternNLG + Rasa templates)", ("lantern/nlg.py", "rasa/core/nlg/")),
    ("guard: safety audit insert (SQLite)", ("record_replies (lantern/safety/audit.py",)),
    ("guard: input check", ("check (lantern/channels/guard.py",)),
    ("Rasa processor: events, slots, session", ("handle_message (rasa/core/processor.py",)),
    ("Sanic HTTP, REST channel, JSON", ("connection_task",)),
    # stacks cut short by py-spy
    ("action response JSON-schema check (RemoteAction._validate_action_result)", ("jsonschema/",)),
    ("tracker store (cut stack)", ("sqlalchemy/",)),
)


def read_raw(path: Path) -> Iterator[Tuple[str, int]]:
    """(stack, samples) from py-spy's `-f raw` (collapsed stacks) output."""
    for line in path.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if stack and count.isdigit():
            yield stack, int(count)


#: Leaf frames of a thread that is only waiting (py-spy may still sample it).
IDLE_LEAVES = ("_worker (concurrent/futures/thread.py", "serve (sanic/server/runners.py")


def summarise(path: Path) -> Tuple[List[Tuple[str, int]], int]:
    """Busy samples per bucket, most first, and the busy total (idle waits left out)."""
    buckets: Counter = Counter()
    total = 0
    for stack, count in read_raw(path):
        if stack.split(";")[-1].startswith(IDLE_LEAVES):
            continue
        total += count
        bucket = next(
            (name for name, parts in BUCKETS if any(p in stack for p in parts)),
            "other (outside a request)",
        )
        buckets[bucket] += count
    return buckets.most_common(), total


def main(argv: List[str] | None = None) -> int:
    """Print the buckets of each profile given."""
    for arg in argv if argv is not None else sys.argv[1:]:
        rows, total = summarise(Path(arg))
        print(f"{arg}: {total} busy samples")
        for name, count in rows:
            print(f"  {count / total:6.1%}  {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
