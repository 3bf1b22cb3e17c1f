"""Typo tolerance shared by the lexicon and the safety screen."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import FrozenSet, Tuple

import yaml

from lantern.paths import LEXICON_FILE


def distance(a: str, b: str) -> int:
    """Damerau-Levenshtein distance (optimal string alignment)."""
    d = [[i + j if i * j == 0 else 0 for j in range(len(b) + 1)] for i in range(len(a) + 1)]
    for i in range(1, len(a) + 1):
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1)
    return d[len(a)][len(b)]


def load_never_correct(path: Path = LEXICON_FILE) -> FrozenSet[str]:
    """The `never_correct` words of a lexicon file (lower-cased)."""
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    words = data.get("never_correct") or []
    if not isinstance(words, list) or not all(isinstance(w, str) and w.strip() for w in words):
        raise ValueError(f"{path}: never_correct must be a list of words")
    return frozenset(w.strip().lower() for w in words)


@lru_cache(maxsize=1)
def never_correct() -> FrozenSet[str]:
    """Real English words that are never read as a typo ("thinking" is not "drinking")."""
    return load_never_correct()


@lru_cache(maxsize=65536)  # keyed by single words, never by message text
def nearest(word: str, targets: Tuple[str, ...], min_length: int = 5) -> str | None:
    """The target a misspelled `word` stands for: distance 1, or 2 for targets of 8+ letters.

    Words shorter than `min_length`, with non-letters, already a target, or in the
    lexicon's `never_correct` list never match.
    """
    if len(word) < min_length or not word.isalpha() or word in targets:
        return None
    if word in never_correct():
        return None
    best: Tuple[int, str] | None = None
    for target in targets:
        limit = 2 if len(target) >= 8 else 1
        if abs(len(word) - len(target)) <= limit:
            d = distance(word, target)
            if d <= limit and (best is None or d < best[0]):
                best = (d, target)
    return best[1] if best else None
