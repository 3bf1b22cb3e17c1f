"""The deterministic safety screen: a negation-aware spaCy matcher over `phrases.yml`.

`screen(text)` decides one of the safety categories or `None`. Phrases are matched
word by word on lower-cased lookup lemmas, so "killing myself" matches "kill myself".
Phrase syntax (one phrase per line in the YAML file):

- `word`        matches any form with the same lemma ("die" matches "died", "dying")
- `=word`       matches exactly that lower-cased word
- `a|b`         matches either lemma
- `~regex`      matches a word whose exact text matches the regular expression
- `*`           matches at most one word of any kind (optional)

Words listed under `fuzzy` also match misspellings (Damerau-Levenshtein distance
1, or 2 for words of 8+ letters; words shorter than 5 letters never fuzzy-match),
so "sucidal" and "myslef" are read as "suicidal" and "myself".

Each category has `phrases` (decisive on their own), `terms` (decisive only in
a clause that also has a first-person word: I, me, my, myself, we ...) and
`all_of` (a list of group pairs: decisive when every group of one entry has a
match anywhere in the message, e.g. "on a substance now" and "distress"). A match is
dropped when a negation stands shortly before it in the same clause ("I'm not
suicidal"), when it lies inside a `benign` phrase ("suicide headaches"), and, for
emergency and active use only, when a `hypothetical` marker stands before it in
the clause ("scared of having a bad trip", "what if I overdose").
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, List, Tuple

import yaml

from lantern.fuzzy import nearest
from lantern.lexicon import lemma, nlp
from lantern.paths import PHRASES_FILE

#: Categories in priority order: the first that matches wins.
CATEGORIES = (
    "safety_crisis",
    "safety_emergency",
    "safety_active_use",
    "request_dosing",
    "request_sourcing",
    "request_personal_advice",
)
#: Categories whose reply must always be served (crisis resources).
URGENT = frozenset({"safety_crisis", "safety_emergency", "safety_active_use"})

_CLAUSE_BREAKS = {".", "!", "?", ";", ":", "\n", "but", "though", "although", "just", "however"}
_SUBJECTS = {"i", "i'm", "im"}
_LOCK = threading.Lock()


@dataclass(frozen=True)
class Decision:
    """What the screen decided for one message."""

    category: str | None
    matched: Tuple[str, ...] = ()  # phrase keys that fired (no user text)
    negated: bool = False  # a safety phrase was present but negated
    cue: bool = False  # any safety phrase or term appeared at all
    benign: bool = False  # a known figure of speech or informational phrase appeared


@dataclass
class _Compiled:
    matcher: Any
    first_person: frozenset
    negations: frozenset
    negation_window: int
    fuzzy: Tuple[str, ...] = ()
    hypothetical: Tuple[Tuple[str, ...], ...] = ()


def _token_pattern(word: str) -> Dict[str, Any]:
    if word == "*":
        return {"OP": "?"}
    if word.startswith("~"):
        return {"TEXT": {"REGEX": word[1:]}}
    if word.startswith("="):
        return {"LOWER": word[1:]}
    if "|" in word:
        return {"NORM": {"IN": [lemma(w) for w in word.split("|")]}}
    return {"NORM": lemma(word)}


def _pattern(phrase: str) -> List[Dict[str, Any]]:
    words: List[str] = []
    for raw in phrase.split():
        if raw == "*" or raw[0] in "=~" or "|" in raw:
            words.append(raw)
        else:  # split "can't" / "don't" the way the tokenizer does
            words.extend(t.text for t in nlp().make_doc(raw))
    return [_token_pattern(w) for w in words]


def compile_phrases(data: Dict[str, Any], source: str = "phrases") -> _Compiled:
    """Build the matcher from the parsed phrase file; errors name the source."""
    from spacy.matcher import Matcher

    matcher = Matcher(nlp().vocab)
    for category in CATEGORIES:
        spec = data.get(category) or {}
        for kind in ("phrases", "terms"):
            for i, phrase in enumerate(spec.get(kind) or []):
                if not isinstance(phrase, str) or not phrase.strip():
                    raise ValueError(f"{source}: {category}.{kind}[{i}] must be a non-empty string")
                key = f"{category}|{kind}|{phrase}"
                matcher.add(key, [_pattern(phrase)])
        for n, entry in enumerate(spec.get("all_of") or []):
            groups = entry.get("groups") if isinstance(entry, dict) else None
            if not groups or not all(isinstance(g, list) and g for g in groups):
                raise ValueError(f"{source}: {category}.all_of[{n}] needs non-empty `groups`")
            for g, group in enumerate(groups):
                key = f"{category}|all_of:{n}:{g}:{len(groups)}|{entry.get('name', n)}"
                matcher.add(key, [_pattern(str(phrase)) for phrase in group])
    for phrase in data.get("benign") or []:
        matcher.add(f"benign|phrases|{phrase}", [_pattern(str(phrase))])
    return _Compiled(
        matcher=matcher,
        first_person=frozenset(lemma(w) for w in data.get("first_person", [])),
        negations=frozenset(w.lower() for w in data.get("negations", [])),
        negation_window=int(data.get("negation_window", 4)),
        fuzzy=tuple(str(w).lower() for w in data.get("fuzzy", [])),
        hypothetical=tuple(
            tuple(t.text.lower() for t in nlp().make_doc(str(m)))
            for m in data.get("hypothetical", [])
        ),
    )


def _hypothetical(doc: Any, start: int, clause: List[int], markers: Tuple) -> bool:
    """Whether a hypothetical marker ("what if", "scared of") precedes `start` in its clause."""
    words = [t.lower_ for t in doc[:start] if clause[t.i] == clause[start]]
    return any(
        words[i : i + len(m)] == list(m) for m in markers for i in range(len(words) - len(m) + 1)
    )


@lru_cache(maxsize=1)
def _compiled() -> _Compiled:
    return load(PHRASES_FILE)


def load(path: Path) -> _Compiled:
    """Load and compile a phrase file."""
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return compile_phrases(data, str(path))


def _clauses(doc: Any) -> List[int]:
    """Clause index of every token (clauses end at punctuation and 'but')."""
    ids, current = [], 0
    for token in doc:
        if token.lower_ in _CLAUSE_BREAKS:
            current += 1
        ids.append(current)
    return ids


def screen(text: str, compiled: _Compiled | None = None) -> Decision:
    """Decide the safety category of `text` (or None)."""
    comp = compiled or _compiled()
    if not text or not text.strip():
        return Decision(None)
    doc = nlp().make_doc(text.replace("’", "'"))
    for token in doc:
        fixed = nearest(token.lower_, comp.fuzzy)
        token.norm_ = lemma(fixed or token.text)
    with _LOCK:
        matches = comp.matcher(doc)
    clause = _clauses(doc)
    benign = [
        (s, e) for key_id, s, e in matches if nlp().vocab.strings[key_id].startswith("benign|")
    ]
    fired: Dict[str, List[str]] = {}
    groups_hit: Dict[Tuple[str, str, str], set] = {}
    negated = cue = False
    for key_id, start, end in matches:
        key = nlp().vocab.strings[key_id]
        category, kind, phrase = key.split("|", 2)
        if category == "benign":
            continue
        if any(bs <= start and end <= be for bs, be in benign):
            continue
        c = clause[start]
        window = range(max(0, start - comp.negation_window), start)
        is_negated = any(
            clause[i] == c
            and doc[i].lower_ in comp.negations
            # "no more, I want to die": a new first-person subject ends the negation
            and not any(doc[k].lower_ in _SUBJECTS for k in range(i + 1, start))
            for i in window
        )
        hypothetical = category in ("safety_emergency", "safety_active_use") and _hypothetical(
            doc, start, clause, comp.hypothetical
        )
        if kind.startswith("all_of:"):
            _, n, g, total = kind.split(":")
            if not is_negated and not hypothetical:
                groups_hit.setdefault((category, n, total), set()).add(g)
            continue
        cue = True
        if is_negated:
            negated = True
            continue
        if hypothetical:
            continue
        if kind == "terms" and not any(
            clause[t.i] == c and t.norm_ in comp.first_person for t in doc
        ):
            continue
        fired.setdefault(category, []).append(phrase)
    for (category, n, total), hit in groups_hit.items():
        if len(hit) == int(total):
            cue = True
            fired.setdefault(category, []).append(f"all_of:{n}")
    for category in CATEGORIES:
        if category in fired:
            return Decision(
                category, tuple(sorted(set(fired[category]))), negated, cue, bool(benign)
            )
    return Decision(None, (), negated, cue, bool(benign))
