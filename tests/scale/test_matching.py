"""`SplitMatcher` finds what one spaCy `Matcher` finds (lantern/matching/split_matcher.py).

The safety screen and the lexicon match with it; these tests build both from
the same patterns and compare: on a document made of each plain pattern, on
every safety case and training text, and on the screen's decisions.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, Iterator, List, Set

import pytest
import yaml
from spacy.matcher import Matcher
from spacy.tokens import Doc

from lantern.matching import lexicon as lexicon_module
from lantern.matching.lexicon import Lexicon, lexicon, nlp
from lantern.matching.split_matcher import SplitMatcher, plain_phrases
from lantern.paths import PHRASES_FILE
from lantern.safety.screen import _compiled, screen
from lantern.safety.screen_phrases import compile_phrases

ROOT = Path(__file__).resolve().parents[2]


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        for line in value.splitlines():
            line = line.strip().lstrip("-").strip()
            if line:
                yield line
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


@pytest.fixture(scope="module")
def texts() -> List[str]:
    """Every safety case (dev suite) and every training text."""
    files = [ROOT / "tests/safety/cases.yml", *sorted((ROOT / "data").rglob("*.yml"))]
    found: Set[str] = set()
    for path in files:
        found.update(_strings(yaml.safe_load(path.read_text(encoding="utf-8"))))
    assert len(found) > 3000
    return sorted(found)


def _named(matches: Any) -> Set[tuple]:
    return {(nlp().vocab.strings[k], s, e) for k, s, e in matches}


def _doc(words: List[str], norms: List[str] | None = None) -> Doc:
    doc = Doc(nlp().vocab, words=words)
    for token, norm in zip(doc, norms or [w.lower() for w in words], strict=True):
        token.norm_ = norm
    return doc


def test_plain_patterns_are_phrases_and_the_rest_stay_token_patterns() -> None:
    assert plain_phrases([{"NORM": "want"}, {"NORM": "die"}]) == ("NORM", [["want", "die"]])
    assert plain_phrases([{"NORM": {"IN": ["a", "b", "a"]}}, {"NORM": "c"}]) == (
        "NORM",
        [["a", "c"], ["b", "c"]],
    )
    assert plain_phrases([{"LOWER": "i"}, {"LOWER": "'m"}]) == ("LOWER", [["i", "'m"]])
    # the Matcher compares LOWER exactly: an upper-case value never matches there
    assert plain_phrases([{"LOWER": "Ketamine"}]) is None
    assert plain_phrases([{"NORM": "a"}, {"LOWER": "b"}]) is None  # two attributes
    assert plain_phrases([{"NORM": "a"}, {"OP": "?"}]) is None
    assert plain_phrases([{"LOWER": {"REGEX": "^k"}}]) is None
    assert plain_phrases([{"NORM": "a", "OP": "?"}]) is None
    assert plain_phrases([{"NORM": {"IN": [str(i) for i in range(9)]}}] * 2) is None  # 81
    assert plain_phrases([]) is None


def test_overlapping_and_shared_phrases_match_under_every_key() -> None:
    patterns: Dict[str, List[List[Dict[str, Any]]]] = {
        "A": [[{"NORM": "new"}, {"NORM": "york"}]],
        "B": [[{"NORM": "new"}, {"NORM": "york"}], [{"NORM": "york"}]],
        "C": [[{"NORM": {"IN": ["new", "old"]}}, {"NORM": "york"}, {"NORM": "city"}]],
        "D": [[{"LOWER": "new"}, {"OP": "?"}, {"LOWER": "city"}]],
        "E": [[{"LOWER": "York"}]],
    }
    split, spacy_matcher = SplitMatcher(nlp().vocab), Matcher(nlp().vocab)
    for key, pats in patterns.items():
        split.add(key, pats)
        spacy_matcher.add(key, pats)
    doc = _doc(["I", "love", "new", "york", "city", "and", "old", "york", "city", "York"])
    found = split(doc)
    assert _named(found) == _named(spacy_matcher(doc))
    assert {("A", 2, 4), ("B", 2, 4), ("B", 3, 4), ("C", 2, 5), ("C", 6, 9)} <= _named(found)
    assert ("D", 2, 5) in _named(found) and not any(k == "E" for k, _, _ in _named(found))
    assert found == sorted(set(found), key=lambda m: (m[1], m[2], m[0]))
    assert len(split) == 6 and len(split.matcher) == 2  # D and E stayed token patterns


class _Recording(SplitMatcher):
    """A `SplitMatcher` that remembers its plain patterns."""

    def __init__(self, vocab: Any) -> None:
        super().__init__(vocab)
        self.plain: List[tuple] = []

    def add(self, key: str, patterns: List[List[Dict[str, Any]]]) -> None:
        self.plain += [plain for p in patterns if (plain := plain_phrases(p))]
        super().add(key, patterns)


def _both_screens(matcher_class: Any = SplitMatcher) -> Any:
    data = yaml.safe_load(PHRASES_FILE.read_text(encoding="utf-8"))
    return compile_phrases(data, matcher_class=matcher_class), compile_phrases(
        data, matcher_class=Matcher
    )


def test_every_plain_screen_pattern_matches_as_in_one_matcher() -> None:
    split, reference = _both_screens(_Recording)
    assert isinstance(_compiled().matcher, SplitMatcher)
    assert len(split.matcher.matcher) < 200 < 800 < len(split.matcher.plain)
    checked = 0
    for attr, sequences in split.matcher.plain:
        for words in sequences:
            doc = _doc(words, words if attr == "NORM" else None)
            assert _named(split.matcher(doc)) == _named(reference.matcher(doc)), words
            assert _named(split.matcher(doc)), words  # the phrase finds itself
            checked += 1
    assert checked > 900


def test_the_screen_decides_and_matches_as_with_one_matcher(texts: List[str]) -> None:
    split, reference = _both_screens()
    for text in texts:
        assert screen(text, split) == screen(text, reference), text
        doc = _doc([t.text for t in nlp().make_doc(text)], [t.norm_ for t in nlp()(text)])
        assert _named(split.matcher(doc)) == _named(reference.matcher(doc)), text


def test_the_lexicon_finds_what_it_finds_with_one_matcher(texts: List[str]) -> None:
    reference = Lexicon(lexicon().entries, matcher_class=Matcher)
    assert isinstance(lexicon()._matcher, SplitMatcher)
    phrases = [p for values in lexicon().entries.values() for ps in values.values() for p in ps]
    assert len(phrases) > 400
    for text in [*phrases, *texts]:
        assert lexicon().find(text) == reference.find(text), text


def test_the_lexicon_keeps_the_last_texts_mentions(monkeypatch: pytest.MonkeyPatch) -> None:
    lex = Lexicon(lexicon().entries)
    calls: List[str] = []
    find = lex._find
    monkeypatch.setattr(lex, "_find", lambda text, doc: calls.append(text) or find(text, doc))
    text = "can shrooms or special k help my PTSD?"
    first = lex.find(text)
    assert [(m.label, m.value) for m in first] == [
        ("substance", "psilocybin"),
        ("substance", "ketamine"),
        ("condition", "ptsd"),
    ]
    first.clear()  # a caller's list is its own
    assert lex.find(text, lex.doc(text)) == Lexicon(lexicon().entries).find(text)
    assert calls == [text]
    for i in range(lexicon_module.FOUND_KEPT):
        lex.find(f"ketamine {i}")
    assert len(lex._found) == lexicon_module.FOUND_KEPT and text not in lex._found
    lex.find(text)
    assert calls.count(text) == 2
