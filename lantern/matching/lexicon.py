"""The vetted terminology: what people say mapped to entity values, matched with spaCy.

The pipeline is `spacy.blank("en")` with the lookup lemmatizer tables from
`spacy-lookups-data`; no pretrained model is downloaded. Multiword phrases and
single words are matched on lower-cased lemmas, so "magic mushrooms" and
"magic mushroom" are one entry; lexicon words of 7+ letters also match their
misspellings ("psilocibin", "fibromyalga").
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, List, Tuple

import yaml

from lantern.matching.fuzzy import nearest
from lantern.paths import LEXICON_FILE

#: Lexicon words this long or longer also match their misspellings (typed words
#: of at least one letter less: "clustr" -> "cluster").
FUZZY_MIN_LENGTH = 7

#: Labels matched only by their listed phrases, as written: never as a typo's
#: correction ("masculine" is not "mescaline"), and their value names are not phrases
#: ("other psychedelics" is not the topic `other_psychedelics`). The topics no
#: answer covers yet.
NOT_CORRECTED = frozenset({"gap"})

_LOCK = threading.Lock()
#: texts whose mentions `Lexicon.find` keeps (the NLU pipeline asks twice per message)
FOUND_KEPT = 64

#: Adverbs people slip inside a phrase ("nothing has *really* helped my depression",
#: "antidepressants *never even* worked"): a multiword phrase matches with any one of
#: them between two of its words.
FILLERS = ("really", "actually", "truly", "ever", "even", "properly", "fully", "still", "just")


@dataclass(frozen=True)
class Mention:
    """One lexicon match in a text."""

    label: str  # entity name: substance, condition, region
    value: str  # canonical value
    start: int  # character offsets in the text
    end: int
    text: str
    token_start: int
    token_end: int


@lru_cache(maxsize=1)
def nlp() -> Any:
    """The shared spaCy pipeline: blank English tokenizer plus lookup lemmas."""
    import spacy

    pipeline = spacy.blank("en")
    pipeline.add_pipe("lemmatizer", config={"mode": "lookup"})
    pipeline.initialize()
    return pipeline


@lru_cache(maxsize=1)
def _lemma_table() -> Any:
    return nlp().get_pipe("lemmatizer").lookups.get_table("lemma_lookup")


def lemma(word: str) -> str:
    """Lower-cased lookup lemma of one word."""
    lower = word.lower()
    return str(_lemma_table().get(lower, lower))


class Lexicon:
    """Entity synonyms from `content/knowledge/lexicon.yml`, matched on lemmas."""

    def __init__(self, entries: Dict[str, Dict[str, List[str]]], matcher_class: Any = None) -> None:
        """Build the matcher from {label: {value: [phrases]}}.

        `matcher_class` is the matcher kind: `SplitMatcher` unless given (tests
        compare with spaCy's `Matcher`).
        """
        from lantern.matching.split_matcher import SplitMatcher

        self.entries = entries
        self._found: OrderedDict[str, Tuple[Mention, ...]] = OrderedDict()
        self._matcher = (matcher_class or SplitMatcher)(nlp().vocab)
        self._fuzzy = tuple(
            sorted(
                {
                    word
                    for label, values in entries.items()
                    if label not in NOT_CORRECTED
                    for phrases in values.values()
                    for phrase in phrases
                    for word in phrase.lower().split()
                    if word.isalpha() and len(word) >= FUZZY_MIN_LENGTH
                }
            )
        )
        for label, values in entries.items():
            for value, phrases in values.items():
                patterns = []
                # a value name is also a phrase, unless it is a short code ("ca", "us"):
                # spaCy splits "can't" into "ca" + "n't"
                names = set()
                if len(value) > 2 and label not in NOT_CORRECTED:
                    names = {value.replace("_", " ")}
                for phrase in names | set(phrases):
                    words = [t.text for t in nlp().make_doc(str(phrase))]
                    pattern: List[Dict[str, Any]] = [{"NORM": lemma(words[0])}]
                    for w in words[1:]:
                        pattern += [{"NORM": {"IN": list(FILLERS)}, "OP": "?"}, {"NORM": lemma(w)}]
                    patterns.append(pattern)
                self._matcher.add(f"{label}|{value}", patterns)

    @classmethod
    def from_file(cls, path: Path = LEXICON_FILE) -> Lexicon:
        """Load and check a lexicon file."""
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        # `descriptions` are matched by meaning, not here (lantern/descriptions.py)
        entries = {k: v for k, v in data.items() if isinstance(v, dict) and k != "descriptions"}
        for label, values in entries.items():
            for value, phrases in values.items():
                if not isinstance(phrases, list) or not all(isinstance(p, str) for p in phrases):
                    raise ValueError(f"{path}: {label}.{value} must be a list of phrases")
        return cls(entries)

    def doc(self, text: str) -> Any:
        """Tokenize `text`; each token's NORM is its lemma, with lexicon typos corrected."""
        doc = nlp().make_doc(text)
        for token in doc:
            fixed = nearest(token.lower_, self._fuzzy, FUZZY_MIN_LENGTH - 1)
            token.norm_ = lemma(fixed or token.text)
        return doc

    def find(self, text: str, doc: Any | None = None) -> List[Mention]:
        """All non-overlapping mentions in `text`, longest match first.

        `doc`, if given, is `self.doc(text)`. The NLU pipeline asks twice per
        message (tokenizer, entity extractor): the last texts' mentions are kept.
        """
        with _LOCK:
            known = self._found.get(text)
        if known is not None:
            return list(known)
        mentions = self._find(text, doc)
        with _LOCK:
            self._found[text] = tuple(mentions)
            while len(self._found) > FOUND_KEPT:
                self._found.popitem(last=False)
        return mentions

    def _find(self, text: str, doc: Any | None) -> List[Mention]:
        from spacy.util import filter_spans

        doc = doc if doc is not None else self.doc(text)
        with _LOCK:  # spaCy matchers are not documented as thread-safe
            matches = self._matcher(doc)
        spans = []
        for match_id, start, end in matches:
            span = doc[start:end]
            span.label_ = nlp().vocab.strings[match_id]
            spans.append(span)
        mentions = []
        for span in sorted(filter_spans(spans), key=lambda s: s.start):
            label, value = span.label_.split("|", 1)
            mentions.append(
                Mention(
                    label, value, span.start_char, span.end_char, span.text, span.start, span.end
                )
            )
        return mentions


@lru_cache(maxsize=1)
def lexicon() -> Lexicon:
    """The project lexicon, loaded once per process on first use."""
    return Lexicon.from_file()
