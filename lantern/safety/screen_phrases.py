"""The safety screen's phrase file: its syntax, and its compilation into one matcher.

`load(path)` reads a phrase file (content/safety/phrases.yml) and `compile_phrases`
builds a `Compiled` from it: one matcher holding every phrase under the key
"category|kind|phrase", plus the exception rules the screen applies to the
matches (lantern/safety/screen.py says what each key of a category means).
Compiling once keeps the screen to a single matcher pass per message; a
malformed file is refused with an error that names the file and the entry.

Phrase syntax (one phrase per line in the YAML file):

- `word`        matches any form with the same lemma ("die" matches "died", "dying")
- `=word`       matches exactly that lower-cased word ("=i'm" is the two words "i" "'m")
- `a|b`         matches either lemma
- `~regex`      matches a word whose lower-cased text matches the regular expression
- `*`           matches at most one word of any kind (optional)

Words listed under `fuzzy` also match misspellings (Damerau-Levenshtein distance
1, or 2 for words of 8+ letters; words shorter than 5 letters never fuzzy-match),
so "sucidal" and "myslef" are read as "suicidal" and "myself".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, FrozenSet, List, Tuple

import yaml

from lantern.matching.lexicon import lemma, nlp

#: The categories a phrase file declares, in priority order: the first that matches wins.
CATEGORIES = (
    "safety_crisis",
    "safety_emergency",
    "safety_active_use",
    "request_dosing",
    "request_sourcing",
    "request_personal_advice",
)


@dataclass(frozen=True)
class Medicine:
    """The `current_medicine` rule of a category (see phrases.yml, request_dosing)."""

    within: int  # words allowed between the statement and the amount
    after: int  # words after the amount checked for a substance
    substances: FrozenSet[str]  # lemmas of the study substances
    not_names: FrozenSet[str]  # words next to an amount that do not name a medicine


@dataclass
class Compiled:
    """A compiled phrase file: the matcher and the rules that read its matches."""

    matcher: Any
    first_person: frozenset
    negations: frozenset
    negation_window: int
    # first-person words that only own a noun ("my nephew"): they do not stop a
    # `general` rule
    possessives: frozenset = frozenset()
    fuzzy: Tuple[str, ...] = ()
    hypothetical: Tuple[Tuple[str, ...], ...] = ()
    hypothetical_ends: Tuple[Tuple[str, ...], ...] = ()
    question_openers: FrozenSet[str] = frozenset()
    # (category, entry index) -> the phrases a not_within span drops (None: all)
    not_within: Dict[Tuple[str, int], FrozenSet[str] | None] = field(default_factory=dict)
    # (category, all_of index) -> index of the group that states the person's situation
    statements: Dict[Tuple[str, str], str] = field(default_factory=dict)
    current_medicine: Dict[str, Medicine] = field(default_factory=dict)
    # category -> (marker scope "message" or "part", the phrases it may drop or None)
    not_now: Dict[str, Tuple[str, FrozenSet[str] | None]] = field(default_factory=dict)
    # categories whose not_now also needs the message to say it is over ("I'm well now")
    over: FrozenSet[str] = frozenset()
    # category -> the phrases its `general` rule may drop (its terms always)
    general: Dict[str, FrozenSet[str]] = field(default_factory=dict)
    # category -> (most words of a fragment, words that open a question instead,
    # the terms that decide in one)
    fragment: Dict[str, Tuple[int, FrozenSet[str], FrozenSet[str]]] = field(default_factory=dict)


def _token_pattern(word: str) -> Dict[str, Any]:
    if word == "*":
        return {"OP": "?"}
    if word.startswith("~"):
        return {"LOWER": {"REGEX": word[1:]}}
    if "|" in word:
        if any(w[:1] in ("=", "~", "") for w in word.split("|")):
            raise ValueError(f"`{word}`: alternatives are plain words (use ~regex for exact ones)")
        return {"NORM": {"IN": [lemma(w) for w in word.split("|")]}}
    if word.startswith("="):
        return {"LOWER": word[1:]}
    return {"NORM": lemma(word)}


def _pattern(phrase: str) -> List[Dict[str, Any]]:
    words: List[str] = []
    for raw in phrase.split():
        if raw == "*" or raw[0] == "~" or "|" in raw:
            words.append(raw)
        elif raw[0] == "=":  # "=i'm" is two exact words, "i" and "'m", like the text
            words.extend("=" + t.text for t in nlp().make_doc(raw[1:]))
        else:  # split "can't" / "don't" the way the tokenizer does
            words.extend(t.text for t in nlp().make_doc(raw))
    return [_token_pattern(w) for w in words]


def compile_phrases(
    data: Dict[str, Any], source: str = "phrases", matcher_class: Any = None
) -> Compiled:
    """Build the matcher from the parsed phrase file; errors name the source.

    `matcher_class` is the matcher kind: `SplitMatcher` unless given (tests
    compare with spaCy's `Matcher`).
    """
    from lantern.matching.split_matcher import SplitMatcher

    matcher = (matcher_class or SplitMatcher)(nlp().vocab)
    not_within: Dict[Tuple[str, int], FrozenSet[str] | None] = {}
    statements: Dict[Tuple[str, str], str] = {}
    current_medicine: Dict[str, Medicine] = {}
    not_now_rules: Dict[str, Tuple[str, FrozenSet[str] | None]] = {}
    needs_over: set = set()
    general: Dict[str, FrozenSet[str]] = {}
    fragments: Dict[str, Tuple[int, FrozenSet[str], FrozenSet[str]]] = {}

    def add(key: str, phrases: Any, where: str) -> None:
        if not isinstance(phrases, list) or not all(
            isinstance(p, str) and p.strip() for p in phrases
        ):
            raise ValueError(f"{source}: {where} must be a list of non-empty strings")
        for phrase in phrases:
            matcher.add(key.format(phrase=phrase), [_pattern(phrase)])

    for category in CATEGORIES:
        spec = data.get(category) or {}
        for kind in ("phrases", "terms", "amounts"):
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
                for phrase in group:
                    key = f"{category}|all_of:{n}:{g}:{len(groups)}|{phrase}"
                    matcher.add(key, [_pattern(str(phrase))])
            if "statements" in entry:
                statements[(category, str(n))] = str(int(entry["statements"]))
        for i, entry in enumerate(spec.get("not_within") or []):
            span = entry if isinstance(entry, str) else entry.get("span")
            listed = entry.get("only") if isinstance(entry, dict) else None
            only = None if listed is None else frozenset(str(p) for p in listed)
            add(f"{category}|not_within:{i}|{{phrase}}", [span], f"{category}.not_within[{i}]")
            not_within[(category, i)] = only
        not_now = spec.get("not_now")
        if not_now:
            add(f"{category}|not_now|{{phrase}}", not_now.get("markers"), f"{category}.not_now")
            add(f"{category}|now|{{phrase}}", not_now.get("now"), f"{category}.not_now.now")
            if "over" in not_now:
                add(f"{category}|over|{{phrase}}", not_now["over"], f"{category}.not_now.over")
                needs_over.add(category)
            scope = not_now.get("scope", "message")
            if scope not in ("message", "part"):
                raise ValueError(f"{source}: {category}.not_now.scope must be message or part")
            listed = not_now.get("only")
            if listed is not None and (
                not isinstance(listed, list) or not all(isinstance(p, str) for p in listed)
            ):
                raise ValueError(f"{source}: {category}.not_now.only must be a list of phrases")
            not_now_rules[category] = (
                scope,
                None if listed is None else frozenset(str(p) for p in listed),
            )
        rule = spec.get("general")
        if rule:
            add(f"{category}|general|{{phrase}}", rule.get("markers"), f"{category}.general")
            listed = rule.get("only") or []
            if not set(listed) <= set(spec.get("phrases") or []):
                raise ValueError(f"{source}: {category}.general.only must be among its phrases")
            general[category] = frozenset(str(p) for p in listed)
        fragment = spec.get("fragment")
        if fragment:
            terms = frozenset(str(t) for t in fragment.get("terms") or [])
            if not terms <= set(spec.get("terms") or []):
                raise ValueError(f"{source}: {category}.fragment.terms must be among its terms")
            fragments[category] = (
                int(fragment["max_words"]),
                frozenset(str(w).lower() for w in fragment.get("not_after") or []),
                terms,
            )
        medicine = spec.get("current_medicine")
        if medicine:
            add(f"{category}|statement|{{phrase}}", medicine.get("statements"), category)
            current_medicine[category] = Medicine(
                within=int(medicine.get("within", 3)),
                after=int(medicine.get("after", 2)),
                substances=frozenset(lemma(str(w)) for w in medicine.get("substances") or []),
                not_names=frozenset(str(w).lower() for w in medicine.get("not_names") or []),
            )
    for phrase in data.get("benign") or []:
        matcher.add(f"benign|phrases|{phrase}", [_pattern(str(phrase))])

    def sequences(key: str) -> Tuple[Tuple[str, ...], ...]:
        return tuple(
            tuple(t.text.lower() for t in nlp().make_doc(str(m))) for m in data.get(key) or []
        )

    return Compiled(
        matcher=matcher,
        first_person=frozenset(lemma(w) for w in data.get("first_person", [])),
        possessives=frozenset(lemma(w) for w in data.get("possessives", [])),
        negations=frozenset(w.lower() for w in data.get("negations", [])),
        negation_window=int(data.get("negation_window", 4)),
        fuzzy=tuple(str(w).lower() for w in data.get("fuzzy", [])),
        hypothetical=sequences("hypothetical"),
        hypothetical_ends=sequences("hypothetical_ends"),
        question_openers=frozenset(str(w).lower() for w in data.get("question_openers", [])),
        not_within=not_within,
        statements=statements,
        current_medicine=current_medicine,
        not_now=not_now_rules,
        over=frozenset(needs_over),
        general=general,
        fragment=fragments,
    )


def load(path: Path) -> Compiled:
    """Load and compile a phrase file."""
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return compile_phrases(data, str(path))
