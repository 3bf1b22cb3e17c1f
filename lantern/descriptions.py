"""Entity values found from what people say about a thing, by meaning.

People who do not know a drug's name describe it: "the nose spray from Johnson &
Johnson", "the Amazon tea", "the horse anesthetic". The lexicon
(`content/knowledge/lexicon.yml`) keeps a few short descriptions with each value, under
`descriptions`. A message's short phrases (runs of two to `MAX_WORDS` content
words inside one clause, stop words left out) are compared with them through the
risk stage's sentence vectors (`lantern.semantic`, WordLlama: the mean of the
words' token rows); a phrase whose cosine with a description reaches the
threshold is a mention of that value. The threshold is measured on
`eval/lexicon/descriptions_dev.yml` (docs/dialogue.md) and set in config.yml.

Only a label the lexicon found nothing for is looked up (a named value always
wins), and only for messages of `MAX_CHARS` or fewer. No text is kept: word vectors
are cached by single word.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, Iterable, List, Sequence, Tuple

import numpy as np
import yaml

from lantern.paths import LEXICON_FILE
from lantern.semantic import DIMENSIONS

#: The lexicon file's key holding the descriptions: {label: {value: [description]}}.
KEY = "descriptions"
MIN_WORDS = 2
MAX_WORDS = 4
#: The lexicon's labels whose words are left out of phrases and descriptions.
NAMED = frozenset({"substance", "condition"})
#: Ordering bonus per word: "janssen nasal spray" (1.0) goes before "nasal spray" (1.0).
LONGER = 0.02
#: The value whose descriptions are look-alikes that are none of the label's values.
NOT_THESE = "none"
#: Longer messages are not searched (a story's every phrase would be compared).
MAX_CHARS = 1200
#: Tokens that end a phrase: a phrase never runs across a clause.
BREAKS = frozenset({",", ".", "?", "!", ";", ":", "(", ")", "and", "or", "but", "\n"})
#: Lemmas too vague to say anything about what a thing is.
VAGUE = frozenset(
    {
        "thing", "stuff", "kind", "sort", "type", "lot", "bit", "way", "time",
        "help", "work", "use", "take", "give", "get", "make", "treat", "know",
        "go", "come", "do", "need", "want", "say", "tell", "happen", "try",
        "start", "stop", "keep", "feel", "think", "hear", "read", "call", "like",
    }
)  # fmt: skip

_LOCK = threading.Lock()


@dataclass(frozen=True)
class Described:
    """A phrase of a message read as a description of an entity value."""

    label: str
    value: str
    start: int  # character offsets of the phrase in the text
    end: int
    score: float


def content_words(
    doc: Any, named: Sequence[Tuple[int, int]] = ()
) -> List[List[Tuple[int, int, str, bool]]]:
    """The content words of a spaCy doc as (start, end, lower text, named), by clause.

    `named` are the lexicon's mentions: a word inside one is marked, and a phrase
    made only of them ("for depression") says what a thing is for, not which it is.
    """
    clauses: List[List[Tuple[int, int, str, bool]]] = [[]]
    for token in doc:
        lower = token.lower_
        if lower in BREAKS or token.is_punct or token.is_space:
            if clauses[-1]:
                clauses.append([])
            continue
        if token.is_stop or token.norm_ in VAGUE or not any(c.isalpha() for c in lower):
            continue
        if any(a <= token.idx < b for a, b in named):
            continue
        clauses[-1].append((token.idx, token.idx + len(token.text), lower, False))
    return [c for c in clauses if c]


class Descriptions:
    """The lexicon's descriptions, as unit vectors, and the search of a message."""

    def __init__(self, entries: Dict[str, Dict[str, List[str]]]) -> None:
        """Keep {label: {value: [description]}}; vectors are made on first use."""
        self.entries = entries
        self._matrix: Dict[str, Tuple[np.ndarray, List[str]]] | None = None

    @classmethod
    def from_file(cls, path: Path = LEXICON_FILE) -> Descriptions:
        """The `descriptions` of a lexicon file, checked."""
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        entries = data.get(KEY) or {}
        for label, values in entries.items():
            for value, phrases in (values or {}).items():
                if not isinstance(phrases, list) or not all(isinstance(p, str) for p in phrases):
                    raise ValueError(f"{path}: {KEY}.{label}.{value} must be a list of phrases")
        return cls(entries)

    @property
    def labels(self) -> List[str]:
        """The labels that have descriptions."""
        return sorted(self.entries)

    def _vectors(self) -> Dict[str, Tuple[np.ndarray, List[str]]]:
        """Per label: (one unit row per description, its value)."""
        if self._matrix is None:
            from lantern.matching.lexicon import lexicon

            built = {}
            for label, values in self.entries.items():
                rows, names = [], []
                for value, phrases in values.items():
                    for phrase in phrases:
                        doc = lexicon().doc(phrase)
                        named = named_spans(lexicon().find(phrase, doc))
                        words = [w[2] for c in content_words(doc, named) for w in c]
                        rows.append(_pool(words))
                        names.append(value)
                built[label] = (np.vstack(rows), names)
            with _LOCK:
                self._matrix = built
        return self._matrix

    def find(
        self,
        doc: Any,
        labels: Iterable[str],
        threshold: float,
        named: Sequence[Tuple[int, int]] = (),
    ) -> List[Described]:
        """The described values of `labels` in a tokenized message, best first.

        Each phrase (with at least one word outside the `named` mentions) is scored
        against every description of a label; its best description names its value,
        unless that is `NOT_THESE` (a look-alike: an allergy spray is not the
        Spravato spray). A value is found where one of its phrases reaches
        `threshold`; phrases of different values may not overlap.
        """
        wanted = [label for label in labels if label in self.entries]
        if not wanted or len(doc.text) > MAX_CHARS:
            return []
        phrases = [
            clause[i : i + n]
            for clause in content_words(doc, named)
            for n in range(MIN_WORDS, MAX_WORDS + 1)
            for i in range(len(clause) - n + 1)
            if not all(w[3] for w in clause[i : i + n])
        ]
        if not phrases:
            return []
        vectors = np.vstack([_pool([w[2] for w in p]) for p in phrases])
        found: List[Described] = []
        for label in wanted:
            matrix, values = self._vectors()[label]
            scores = vectors @ matrix.T
            columns = scores.argmax(axis=1)
            candidates = sorted(
                (
                    (len(p), Described(label, values[c], p[0][0], p[-1][1], float(scores[r, c])))
                    for r, (p, c) in enumerate(zip(phrases, columns, strict=True))
                    if scores[r, c] >= threshold
                ),
                # of two phrases that score about as well, the longer says more
                key=lambda nd: -(nd[1].score + LONGER * nd[0]),
            )
            kept: List[Described] = []
            for _, candidate in candidates:  # the best phrase keeps its words, a look-alike too
                if all(candidate.end <= d.start or candidate.start >= d.end for d in kept):
                    kept.append(candidate)
            for candidate in kept:
                if candidate.value != NOT_THESE and all(d.value != candidate.value for d in found):
                    found.append(candidate)
        return found


def named_spans(mentions: Iterable[Any]) -> List[Tuple[int, int]]:
    """(start, end) of the lexicon's substance and condition mentions (not regions)."""
    return [(m.start, m.end) for m in mentions if m.label in NAMED]


def _pool(words: Sequence[str]) -> np.ndarray:
    """The unit mean of the words' token rows (WordLlama's own pooling over a text)."""
    total = np.zeros(DIMENSIONS, dtype=np.float32)
    count = 0
    for word in words:
        summed, n = _word(word)
        total = total + summed
        count += n
    if count == 0:
        return total
    norm = float(np.linalg.norm(total))
    return total / norm if norm > 0 else total


@lru_cache(maxsize=8192)  # keyed by single words, never by message text
def _word(word: str) -> Tuple[np.ndarray, int]:
    """One word's summed token rows and its number of tokens."""
    from lantern.semantic import encoder

    return encoder().word_rows(word)


@lru_cache(maxsize=1)
def descriptions() -> Descriptions:
    """The project lexicon's descriptions, loaded once per process."""
    return Descriptions.from_file()
