"""Exact and near-duplicate NLU training examples, within and across intents.

Two examples are exact duplicates when they are equal after `normalise` (case,
punctuation and spacing ignored), and near-duplicates when their word sets or
their character 3-gram sets overlap by at least a Jaccard threshold. The same
text under two intents teaches the classifier a contradiction; twice under one
intent it only weighs that phrasing double (and hides a copy-paste slip).
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Dict, FrozenSet, Iterable, List, Sequence, Set, Tuple

#: word sets overlapping this much are near-duplicates (one word in ten differs)
WORD_JACCARD = 0.9
#: character 3-gram sets overlapping this much are near-duplicates (a typo or two in a long text)
CHAR_JACCARD = 0.85

_NOT_WORD = re.compile(r"[\W_]+")
#: a pair that differs in these is a contrast, not a duplicate ("i'm (not) thinking about it")
NEGATIONS = frozenset(
    re.findall(
        r"\w+",
        "no not never nothing nobody none nor neither without dont doesnt didnt cant cannot "
        "wont isnt arent wasnt werent havent hasnt hadnt shouldnt wouldnt couldnt",
    )
)


@dataclass(frozen=True)
class Example:
    """One training example: its text as Rasa reads it, its intent and where it came from."""

    text: str
    intent: str
    where: str = ""


@dataclass(frozen=True)
class Duplicate:
    """Two examples found too alike: `kind` is "exact", "words" or "characters"."""

    first: Example
    second: Example
    kind: str
    similarity: float

    @property
    def across_intents(self) -> bool:
        """The same text under two intents: a contradiction, not just a repetition."""
        return self.first.intent != self.second.intent


def normalise(text: str) -> str:
    """Lower case, punctuation dropped (what's -> whats), single spaces."""
    return " ".join(_NOT_WORD.sub(" ", text.lower().replace("'", "").replace("’", "")).split())


def words(text: str) -> FrozenSet[str]:
    """The normalised text's set of words."""
    return frozenset(normalise(text).split())


def char_ngrams(text: str, n: int = 3) -> FrozenSet[str]:
    """The normalised text's set of character n-grams (spaces included, ends padded)."""
    padded = f" {normalise(text)} "
    return frozenset(padded[i : i + n] for i in range(max(1, len(padded) - n + 1)))


def _similar_pairs(
    sets: Sequence[FrozenSet[str]], threshold: float
) -> Dict[Tuple[int, int], float]:
    """Pairs of indices whose sets have Jaccard >= threshold (prefix filtering, no n² scan).

    Two sets that overlap by at least `threshold` share an element among the
    rarest |A| - ceil(threshold * |A|) + 1 of each, so only those are indexed.
    """
    frequency: Counter = Counter(e for s in sets for e in s)
    index: Dict[str, List[int]] = defaultdict(list)
    found: Dict[Tuple[int, int], float] = {}
    for i, s in enumerate(sets):
        if not s:
            continue
        ordered = sorted(s, key=lambda e: (frequency[e], e))
        prefix = ordered[: len(s) - math.ceil(threshold * len(s)) + 1]
        candidates: Set[int] = set()
        for e in prefix:
            candidates.update(index[e])
            index[e].append(i)
        for j in candidates:
            other = sets[j]
            if min(len(s), len(other)) < threshold * max(len(s), len(other)):
                continue
            similarity = len(s & other) / len(s | other)
            if similarity >= threshold:
                found[(j, i)] = similarity
    return found


def find_duplicates(
    examples: Iterable[Example],
    word_threshold: float = WORD_JACCARD,
    char_threshold: float = CHAR_JACCARD,
) -> List[Duplicate]:
    """Every pair of examples that are exact or near-duplicates, each pair once.

    Exact duplicates are reported as such; a pair is reported as "words" or
    "characters" only when it is not an exact duplicate, and never when one
    side negates and the other does not.
    """
    items = list(examples)
    keys = [normalise(e.text) for e in items]
    result: Dict[Tuple[int, int], Duplicate] = {}
    first_of: Dict[str, int] = {}
    for i, key in enumerate(keys):
        for j in [first_of[key]] if key in first_of else []:
            result[(j, i)] = Duplicate(items[j], items[i], "exact", 1.0)
        first_of.setdefault(key, i)
    for kind, sets, threshold in (
        ("words", [words(e.text) for e in items], word_threshold),
        ("characters", [char_ngrams(e.text) for e in items], char_threshold),
    ):
        for (i, j), similarity in _similar_pairs(sets, threshold).items():
            if keys[i] == keys[j] or (i, j) in result:
                continue
            if NEGATIONS & words(items[i].text) != NEGATIONS & words(items[j].text):
                continue
            result[(i, j)] = Duplicate(items[i], items[j], kind, similarity)
    return [result[k] for k in sorted(result)]
