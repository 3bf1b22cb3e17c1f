"""A spaCy `Matcher` whose plain patterns are matched by `PhraseMatcher`s instead.

The safety screen and the lexicon add about a thousand token patterns each to a
`Matcher`, which tests every pattern at every token. Most of them are plain
phrases: each token must equal one value of one attribute (`NORM` or
`LOWER`), or one of a few values (`IN`). `SplitMatcher` gives those to a
`PhraseMatcher` per attribute (a hash lookup per token), with `IN` written out
as the phrases it allows, and keeps the rest (`OP`, `REGEX`, mixed attributes)
in a `Matcher`. It finds the same (key, start, end) matches as one `Matcher`
with every pattern; tests/scale/test_matching.py checks that on every pattern
and on the test texts. Matches come sorted by start, end and key, each once.
"""

from __future__ import annotations

import itertools
import math
from typing import Any, Dict, List, Sequence, Tuple

from spacy.matcher import Matcher, PhraseMatcher
from spacy.tokens import Doc

#: the attributes a plain pattern may use
PHRASE_ATTRS = ("NORM", "LOWER")
#: a pattern with more `IN` combinations than this stays in the `Matcher`
MAX_PHRASES_PER_PATTERN = 64

Match = Tuple[int, int, int]


def _values(token: Dict[str, Any]) -> Tuple[str, List[str]] | None:
    """(attribute, allowed values) of a plain token pattern, else None."""
    if len(token) != 1:
        return None
    ((attr, value),) = token.items()
    if attr not in PHRASE_ATTRS:
        return None
    if isinstance(value, dict):
        if set(value) != {"IN"} or not isinstance(value["IN"], list):
            return None
        values = list(dict.fromkeys(value["IN"]))
    else:
        values = [value]
    # the Matcher compares text exactly; a phrase document would lower-case LOWER
    if not values or not all(isinstance(v, str) and v for v in values):
        return None
    if attr == "LOWER" and any(v != v.lower() for v in values):
        return None
    return attr, values


def plain_phrases(pattern: Sequence[Dict[str, Any]]) -> Tuple[str, List[List[str]]] | None:
    """(attribute, every token sequence the pattern allows) for a plain pattern, else None."""
    found = [_values(token) for token in pattern]
    parts = [part for part in found if part is not None]
    if not parts or len(parts) != len(found):
        return None
    attrs = {attr for attr, _ in parts}
    options = [values for _, values in parts]
    if len(attrs) != 1 or math.prod(map(len, options)) > MAX_PHRASES_PER_PATTERN:
        return None
    return attrs.pop(), [list(words) for words in itertools.product(*options)]


class SplitMatcher:
    """`Matcher.add` and `__call__`, with plain patterns in `PhraseMatcher`s."""

    def __init__(self, vocab: Any) -> None:
        """An empty matcher over `vocab`."""
        self.vocab = vocab
        self.matcher = Matcher(vocab)
        self.phrases: Dict[str, PhraseMatcher] = {
            attr: PhraseMatcher(vocab, attr=attr) for attr in PHRASE_ATTRS
        }
        self.patterns = 0

    def _doc(self, attr: str, words: List[str]) -> Doc:
        doc = Doc(self.vocab, words=words)
        if attr == "NORM":
            for token, word in zip(doc, words, strict=True):
                token.norm_ = word
        return doc

    def add(self, key: str, patterns: List[List[Dict[str, Any]]]) -> None:
        """Add `patterns` under `key`, as `Matcher.add` does."""
        rest = []
        for pattern in patterns:
            plain = plain_phrases(pattern)
            if plain is None:
                rest.append(pattern)
                continue
            attr, sequences = plain
            self.phrases[attr].add(key, [self._doc(attr, words) for words in sequences])
        if rest:
            self.matcher.add(key, rest)
        self.patterns += len(patterns)

    def __len__(self) -> int:
        """How many patterns were added (as given, before any `IN` was written out)."""
        return self.patterns

    def __call__(self, doc: Doc) -> List[Match]:
        """Every (key, start, end) match, each once, by start, end and key."""
        found = set(self.matcher(doc))
        for phrase_matcher in self.phrases.values():
            if len(phrase_matcher):
                found.update(phrase_matcher(doc))
        return sorted(found, key=lambda m: (m[1], m[2], m[0]))
