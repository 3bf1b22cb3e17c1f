"""The deterministic safety screen: a negation-aware spaCy matcher over `phrases.yml`.

`screen(text)` decides one of the safety categories or `None`. Phrases are matched
word by word on lower-cased lookup lemmas, so "killing myself" matches "kill myself";
their syntax, the `fuzzy` misspellings and the compilation are in
lantern/safety/screen_phrases.py. This module applies the rules below to the matches.

Each category has `phrases` (decisive on their own), `terms` (decisive only in
a clause that also has a first-person word: I, me, my, myself, we ..., or, for
a category with `fragment`, the listed terms in a message of at most
`max_words` words that is not a question: "self harm", "ayahuasca retreat
suicidal") and
`all_of` (a list of group pairs: decisive when every group of one entry has a
match anywhere in the message, e.g. "on a substance now" and "distress"). A match is
dropped when a negation stands shortly before it in the same clause ("I'm not
suicidal"), when it lies inside a `benign` phrase ("suicide headaches"), and, for
emergency and active use only, when a `hypothetical` marker stands before it in
the clause ("scared of having a bad trip", "what if I overdose") with no
`hypothetical_ends` word between the two ("scared of drugs and now I'm tripping"
is happening now).

Narrower exceptions, each declared per category in the YAML file:

- `not_within`: spans inside which a match of that category is dropped
  ("ketamine clinics near me" is not sourcing); an entry `{span, only}` drops
  only the listed phrases ("can I have" is a question, not the statement "I have").
- `statements` (on an `all_of` entry): the index of the group that states the
  person's situation ("I have", "I take"); a match right after a
  `question_openers` word ("can I have ketamine with high blood pressure?") is a
  general question, not a statement about the person.
- `amounts` with `current_medicine` (dosing): a number with a unit is decisive,
  unless it follows a statement of a medicine the person is on ("I'm on
  sertraline 100mg") with no study substance around it.
- `not_now` (active use, emergency): when the message places the experience clearly in the
  future or days in the past ("my session is tomorrow", "last month") and has
  none of the `now` markers ("right now", "took", "still"), its matches count
  only as a cue for the classifier. With `scope: part` (emergency) a marker
  counts only in the part of the sentence that holds the match (parts also end
  at a comma, "and", "then", "so" and "now"), and `only` limits the rule to the
  listed phrases: "I fainted once years ago", "my blood pressure is usually on
  the high side" are history and background, not an emergency now, while "he
  fainted years ago, now he's not breathing" and "it is usually fine but right
  now it's 200/120", "it's usually low and he passed out" still decide. A
  part-scoped rule never drops an `all_of` entry; in `only`, an `all_of` entry
  is named `all_of:<index>`.

For crisis, `not_now` also needs an `over` statement that is not negated ("I'm
well now", "long behind me"): "I attempted at 19. I'm 34 now and doing well; will
the intake ask?" is history, and the risk model reads the message instead (the
classifier alone may not assert a crisis there), while "I tried years ago and I'm
thinking about it again" still decides.

For crisis, `general` drops the category's terms and the phrases in its `only`
list (ideation, never a method) when their clause names people in general or a
study of them ("warning signs that a teenager might be thinking about suicide",
"what should a priest say when someone says they want to die"), has no
first-person word but a `possessives` one ("my crew") and the message has no
`now` marker: the risk model reads it, as it reads history told as over. A
death told as a loss ("lost a student to suicide", "died by suicide") is a
`benign` span.

Dropped matches never decide; `hypothetical`, `not_now` and `general` ones still count as a
safety cue for the classifier's second net (lantern/safety/component.py).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Dict, FrozenSet, List, Tuple

from lantern.matching.fuzzy import nearest
from lantern.matching.lexicon import lemma, nlp
from lantern.paths import PHRASES_FILE
from lantern.safety.screen_phrases import CATEGORIES, Compiled, Medicine, load

#: Categories whose reply must always be served (crisis resources).
URGENT = frozenset({"safety_crisis", "safety_emergency", "safety_active_use"})

_CLAUSE_BREAKS = {".", "!", "?", ";", ":", "\n", "but", "though", "although", "just", "however"}
#: Where a part of a sentence ends, for `not_now` with `scope: part`.
_PART_BREAKS = _CLAUSE_BREAKS | {",", "and", "&", "then", "so", "now"}
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
    # a crisis phrase placed elsewhere: in a past the message says is over, or in
    # people in general; the classifier alone may not assert it
    elsewhere: bool = False


def _occurs(words: List[str], sequence: Tuple[str, ...]) -> List[int]:
    """Start positions of `sequence` in `words`."""
    n = len(sequence)
    return [i for i in range(len(words) - n + 1) if tuple(words[i : i + n]) == sequence]


def _negated(doc: Any, start: int, clause: List[int], comp: Compiled) -> bool:
    """Whether a negation stands shortly before `start` in its clause ("I'm not suicidal").

    A new first-person subject after the negation ends it ("no more, I want to die").
    """
    return any(
        clause[i] == clause[start]
        and doc[i].lower_ in comp.negations
        and not any(doc[k].lower_ in _SUBJECTS for k in range(i + 1, start))
        for i in range(max(0, start - comp.negation_window), start)
    )


def _hypothetical(doc: Any, start: int, clause: List[int], comp: Compiled) -> bool:
    """Whether a hypothetical marker ("what if", "scared of") precedes `start` in its clause.

    A marker followed by an end word ("scared of drugs and now I'm tripping") no
    longer reaches the match.
    """
    words = [t.lower_ for t in doc[:start] if clause[t.i] == clause[start]]
    for marker in comp.hypothetical:
        for i in _occurs(words, marker):
            after = words[i + len(marker) :]
            if not any(_occurs(after, end) for end in comp.hypothetical_ends):
                return True
    return False


@lru_cache(maxsize=1)
def _compiled() -> Compiled:
    return load(PHRASES_FILE)


def _clauses(doc: Any, breaks: FrozenSet[str] | set = _CLAUSE_BREAKS) -> List[int]:
    """Clause index of every token (clauses end at punctuation and 'but')."""
    ids, current = [], 0
    for token in doc:
        if token.lower_ in breaks:
            current += 1
        ids.append(current)
    return ids


def _inverted(doc: Any, start: int, comp: Compiled) -> bool:
    """Whether the words at `start` follow a question opener ("can I have", not "I have")."""
    return start > 0 and doc[start - 1].lower_ in comp.question_openers


def _current_medicine(
    doc: Any,
    start: int,
    end: int,
    clause: List[int],
    statements: List[Tuple[int, int]],
    rule: Medicine,
) -> bool:
    """Whether the amount at `start:end` belongs to a medicine the person says they are on.

    It does when a statement ("I'm on") ends shortly before it in the same clause, a
    word next to it names a medicine ("sertraline 100mg", "20mg of lexapro") and no
    study substance is around it.
    """

    def names_medicine(i: int) -> bool:
        if not 0 <= i < len(doc):
            return False
        token = doc[i]
        return (
            token.is_alpha
            and token.lower_ not in rule.not_names
            and token.norm_ not in rule.substances
        )

    after_name = end + 1 if end < len(doc) and doc[end].lower_ == "of" else end
    for s, e in statements:
        if clause[s] != clause[start] or not e <= start <= e + rule.within:
            continue
        if not (names_medicine(after_name) or (start > e and names_medicine(start - 1))):
            continue
        window = doc[s : min(len(doc), end + rule.after)]
        if not any(t.norm_ in rule.substances for t in window):
            return True
    return False


def _fragment(
    doc: Any, text: str, term: str, rule: Tuple[int, FrozenSet[str], FrozenSet[str]] | None
) -> bool:
    """Whether `term` decides as the message is a fragment: a few words, not a question."""
    if rule is None or "?" in text or term not in rule[2]:
        return False
    most, openers, _ = rule
    words = [t for t in doc if t.is_alpha or t.like_num]
    return 0 < len(words) <= most and words[0].lower_ not in openers


def screen(text: str, compiled: Compiled | None = None) -> Decision:
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
    part = _clauses(doc, _PART_BREAKS)
    benign: List[Tuple[int, int]] = []
    exempt: List[Tuple[str, int, int, FrozenSet[str] | None]] = []
    statements: Dict[str, List[Tuple[int, int]]] = {}
    markers: Dict[str, List[int]] = {}  # category -> where its not_now markers start
    general: Dict[str, List[int]] = {}  # category -> where its general markers start
    present: set = set()
    over: set = set()  # categories whose message says the past risk is over
    candidates: List[Tuple[str, str, str, int, int]] = []
    for key_id, start, end in matches:
        category, kind, phrase = nlp().vocab.strings[key_id].split("|", 2)
        if category == "benign":
            benign.append((start, end))
        elif kind.startswith("not_within:"):
            only = comp.not_within[(category, int(kind.split(":")[1]))]
            exempt.append((category, start, end, only))
        elif kind == "not_now":
            markers.setdefault(category, []).append(start)
        elif kind == "now":
            present.add(category)
        elif kind == "general":
            general.setdefault(category, []).append(start)
        elif kind == "over":
            if not _negated(doc, start, clause, comp):
                over.add(category)
        elif kind == "statement":
            if not _inverted(doc, start, comp):
                statements.setdefault(category, []).append((start, end))
        else:
            candidates.append((category, kind, phrase, start, end))

    def placed_elsewhere(category: str, phrase: str, start: int | None) -> bool:
        """Whether a not_now rule drops this match (an all_of entry has no `start`)."""
        if category in present or category not in markers:
            return False
        if category in comp.over and category not in over:
            return False
        scope, only = comp.not_now[category]
        if only is not None and phrase not in only:
            return False
        if scope == "message":
            return True
        return start is not None and any(part[start] == part[m] for m in markers[category])

    def about_others(category: str, kind: str, phrase: str, start: int) -> bool:
        """Whether a `general` marker shares the match's clause, with no one speaking of themselves.

        "warning signs that a teenager might be suicidal", "someone says in
        confession they want to die" are about others; any first-person word but
        a possessive ("I", "me", "we") in the clause, or a `now` marker anywhere,
        keeps the match; the rule drops only the category's terms and its `only`
        phrases (never a method: "if someone took all of it, would they wake up").
        """
        if category in present or category not in general:  # no general marker in the message
            return False
        if kind != "terms" and phrase not in comp.general[category]:
            return False
        c = clause[start]
        if not any(clause[m] == c for m in general[category]):
            return False
        return not any(
            clause[t.i] == c and t.norm_ in comp.first_person and t.norm_ not in comp.possessives
            for t in doc
        )

    fired: Dict[str, List[str]] = {}
    groups_hit: Dict[Tuple[str, str, str], set] = {}
    negated = cue = elsewhere = False
    for category, kind, phrase, start, end in candidates:
        if any(bs <= start and end <= be for bs, be in benign):
            continue
        if any(
            c == category and bs <= start and end <= be and (only is None or phrase in only)
            for c, bs, be, only in exempt
        ):
            continue
        if kind == "amounts" and category in comp.current_medicine:
            rule = comp.current_medicine[category]
            if _current_medicine(doc, start, end, clause, statements.get(category, []), rule):
                continue
        c = clause[start]
        is_negated = _negated(doc, start, clause, comp)
        hypothetical = category in ("safety_emergency", "safety_active_use") and _hypothetical(
            doc, start, clause, comp
        )
        if kind.startswith("all_of:"):
            _, n, g, total = kind.split(":")
            if comp.statements.get((category, n)) == g and _inverted(doc, start, comp):
                continue
            if not is_negated and not hypothetical:
                groups_hit.setdefault((category, n, total), set()).add(g)
            continue
        cue = True
        if is_negated:
            negated = True
            continue
        if hypothetical:
            continue
        if placed_elsewhere(category, phrase, start):
            elsewhere = elsewhere or category in comp.over
            continue
        if about_others(category, kind, phrase, start):
            elsewhere = True
            continue
        if kind == "terms" and not (
            any(clause[t.i] == c and t.norm_ in comp.first_person for t in doc)
            or _fragment(doc, text, phrase, comp.fragment.get(category))
        ):
            continue
        fired.setdefault(category, []).append(phrase)
    for (category, n, total), hit in groups_hit.items():
        if len(hit) == int(total):
            cue = True
            if not placed_elsewhere(category, f"all_of:{n}", None):
                fired.setdefault(category, []).append(f"all_of:{n}")
            else:
                elsewhere = elsewhere or category in comp.over
    for category in CATEGORIES:
        if category in fired:
            matched = tuple(sorted(set(fired[category])))
            return Decision(category, matched, negated, cue, bool(benign), elsewhere)
    return Decision(None, (), negated, cue, bool(benign), elsewhere)
