"""The intake questions (content/intake/questions.yml) and how a typed or tapped answer is read.

`parse(question, text)` turns what the patient typed or tapped into the stored
value (option code, list of codes, 0-3, ISO date, text, or PREFER_NOT), or None
when it can't tell; the form then asks again. A frequency said with "not" in
front ("not often", "not every day") is not that frequency: it is None too.

PHQ-9 item 9 (thoughts of death or self-harm) is never asked again:
`read_item9(text)` returns 0 only for a clear "not at all", PREFER_NOT for a
refusal ("skip", "prefer not to say"), the frequency when one is named, and
ITEM9_UNCLEAR for anything else (counted as positive).
"""

from __future__ import annotations

import datetime as dt
import os
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Dict, List, Tuple

import yaml

from lantern.paths import INTAKE_QUESTIONS_FILE as QUESTIONS_FILE


@lru_cache(maxsize=1)
def _data() -> Dict[str, Any]:
    return dict(yaml.safe_load(QUESTIONS_FILE.read_text(encoding="utf-8")))


PREFER_NOT = "prefer_not_to_say"
#: How some answers are shown (questions.yml `answers`): the summary, buttons, FHIR.
PREFER_NOT_DISPLAY = str(_data()["answers"]["prefer_not_to_say"])
NONE_DISPLAY = str(_data()["answers"]["none"])
PREFER_NOT_WORDS = (
    "prefer not to say",
    "prefer not",
    "rather not say",
    "i'd rather not say",
    "i would rather not say",
    "skip",
    "pass",
    "not telling",
)
#: Item 9 answers that are a clear "not at all" (the whole answer, after normalise()).
ITEM9_CLEAR_NO = frozenset(
    {"not at all", "0", "zero", "never", "no", "nope", "none", "no never", "never ever"}
)
#: Item 9 refusals, besides PREFER_NOT_WORDS and anything starting with "skip".
ITEM9_REFUSALS = frozenset(
    {
        "rather not",
        "i'd rather not",
        "i would rather not",
        "i'd rather not answer",
        "i prefer not to say",
        "i'd prefer not to say",
        "prefer not to answer",
        "i'd prefer not to answer",
        "i don't want to answer",
        "i dont want to answer",
        "i don't want to say",
        "i dont want to say",
        "no comment",
        "decline",
        "i decline",
        "next",
        "next question",
        "not saying",
    }
)
#: Item 9 answered with something other than a clear "not at all" and no frequency:
#: positive, with no score (the PHQ-9 total stays empty).
ITEM9_UNCLEAR = "positive_unclear"
ITEM9_UNCLEAR_DISPLAY = str(_data()["answers"]["item9_unclear"])
NONE_WORDS = ("none", "nothing", "no", "no medicines", "i don't take any", "nothing at all")
IDENTITY_MODES = ("appointment_code", "name_and_birth_date")
MAX_TEXT = 500
_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]{2,15}$")
_MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for name in names
}


@dataclass(frozen=True)
class Option:
    """One fixed answer."""

    code: str
    display: str
    words: Tuple[str, ...] = ()
    value: int | None = None


@dataclass(frozen=True)
class Question:
    """One intake question."""

    id: str
    section: str
    type: str
    label: str
    text: str
    options: Tuple[Option, ...] = ()
    prefer_not_to_say: bool = False
    none_option: bool = False
    identity: str | None = None
    loinc: str | None = None
    self_harm: bool = False


@dataclass(frozen=True)
class Section:
    """A group of questions."""

    id: str
    title: str
    intro: str | None = None
    prompt: str = "{text}"
    first_prompt: str | None = None


def _options(raw: List[Dict[str, Any]]) -> Tuple[Option, ...]:
    return tuple(
        Option(
            code=str(o["code"]),
            display=str(o["display"]),
            words=tuple(str(w) for w in o.get("words", ())),
            value=o.get("value"),
        )
        for o in raw
    )


@lru_cache(maxsize=1)
def _load() -> Tuple[Tuple[Question, ...], Tuple[Section, ...]]:
    data = _data()
    shared = {"scale": _options(data["scale_options"]), "yes_no": _options(data["yes_no_options"])}
    questions = tuple(
        Question(
            id=q["id"],
            section=q["section"],
            type=q["type"],
            label=q["label"],
            text=q["text"],
            options=shared.get(q["type"]) or _options(q.get("options", [])),
            prefer_not_to_say=bool(q.get("prefer_not_to_say", False)),
            none_option=bool(q.get("none_option", False)),
            identity=q.get("identity"),
            loinc=q.get("loinc"),
            self_harm=bool(q.get("self_harm", False)),
        )
        for q in data["questions"]
    )
    sections = tuple(
        Section(
            id=s["id"],
            title=s["title"],
            intro=s.get("intro"),
            prompt=s.get("prompt", "{text}"),
            first_prompt=s.get("first_prompt"),
        )
        for s in data["sections"]
    )
    return questions, sections


def questions() -> Tuple[Question, ...]:
    """Every question in questions.yml, in order (both identity modes)."""
    return _load()[0]


@lru_cache(maxsize=1)
def sections() -> Dict[str, Section]:
    """The sections by id (one shared dict: read it, don't change it)."""
    return {s.id: s for s in _load()[1]}


@lru_cache(maxsize=1)
def by_id() -> Dict[str, Question]:
    """Questions by id (one shared dict: read it, don't change it)."""
    return {q.id: q for q in questions()}


def yes_or_no(text: str) -> bool | None:
    """A typed answer to the form's own yes/no questions: True, False, or None (unclear)."""
    words = normalise(text)
    for answer, said in _data()["form_answers"].items():
        if words in said:
            return str(answer) == "yes"
    return None


def identity_mode() -> str:
    """Which identity questions are asked (LANTERN_INTAKE_IDENTITY)."""
    mode = os.environ.get("LANTERN_INTAKE_IDENTITY", "appointment_code").strip()
    if mode not in IDENTITY_MODES:
        raise ValueError(f"LANTERN_INTAKE_IDENTITY must be one of {', '.join(IDENTITY_MODES)}")
    return mode


def asked(mode: str | None = None) -> List[Question]:
    """The questions asked in an identity mode, in order."""
    mode = mode or identity_mode()
    return [q for q in questions() if q.identity in (None, mode)]


_PUNCTUATION = re.compile(r"[^\w\s'/-]+")


def normalise(text: str) -> str:
    """Lower-case, straight apostrophes, punctuation as spaces, single spaces."""
    return " ".join(_PUNCTUATION.sub(" ", text.replace("\u2019", "'").lower()).split())


def _contains(words: str, phrase: str) -> bool:
    return re.search(rf"(?<![\w']){re.escape(phrase)}(?![\w'])", words) is not None


def _phrases(option: Option) -> List[str]:
    return [normalise(p) for p in (option.display, option.code.replace("_", " "), *option.words)]


_NEGATION = re.compile(
    r"(?<![\w'])(?:not|never|hardly|barely|isn't|wasn't|don't|didn't|doesn't)"
    r"(?: (?:really|that|very|so|quite|too|always))? $"
)


def _negated(question: Question, words: str) -> bool:
    """Whether an option's phrase comes right after "not" ("not often", "not really every day")."""
    for option in question.options:
        for phrase in _phrases(option):
            pattern = rf"(?<![\w']){re.escape(phrase)}(?![\w'])"
            if phrase and any(
                _NEGATION.search(words[: m.start()]) for m in re.finditer(pattern, words)
            ):
                return True
    return False


def _matches(question: Question, words: str) -> List[Tuple[int, Option]]:
    """Options named in `words`, with the length of the longest phrase that named each."""
    found = []
    for option in question.options:
        lengths = [len(p) for p in _phrases(option) if p and _contains(words, p)]
        if lengths:
            found.append((max(lengths), option))
    return found


def _one(question: Question, words: str) -> Option | None:
    """The option named by the longest phrase; None when two options tie."""
    found = sorted(_matches(question, words), key=lambda m: -m[0])
    if not found or (len(found) > 1 and found[0][0] == found[1][0]):
        return None
    return found[0][1]


def _date(words: str, today: dt.date) -> str | None:
    iso = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", words)
    numeric = re.fullmatch(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})", words)
    named = re.fullmatch(r"(\d{1,2})(?:st|nd|rd|th)? (?:of )?([a-z]+),? (\d{4})", words)
    named_us = re.fullmatch(r"([a-z]+) (\d{1,2})(?:st|nd|rd|th)?,? (\d{4})", words)
    try:
        if iso:
            date = dt.date(int(iso[1]), int(iso[2]), int(iso[3]))
        elif numeric:
            first, second, year = int(numeric[1]), int(numeric[2]), int(numeric[3])
            if first <= 12 and second <= 12 and first != second:
                return None  # 03/04/1985: March or April? ask for the month's name
            day, month = (first, second) if first > 12 else (second, first)
            date = dt.date(year, month, day)
        elif named and named[2] in _MONTHS:
            date = dt.date(int(named[3]), _MONTHS[named[2]], int(named[1]))
        elif named_us and named_us[1] in _MONTHS:
            date = dt.date(int(named_us[3]), _MONTHS[named_us[1]], int(named_us[2]))
        else:
            return None
    except ValueError:
        return None
    if not (today.replace(year=today.year - 120) <= date < today):
        return None
    return date.isoformat()


def parse(question: Question, text: str, today: dt.date | None = None) -> Any:
    """The stored value for an answer, or None if it isn't a valid answer."""
    raw = " ".join(text.split())
    words = normalise(raw)
    if not words:
        return None
    if question.prefer_not_to_say and words in {normalise(p) for p in PREFER_NOT_WORDS}:
        return PREFER_NOT
    kind = question.type
    if kind == "scale" and words in {"0", "1", "2", "3"}:
        return int(words)
    if kind == "scale" and _negated(question, words):
        return None  # "not often" is neither "not at all" nor "more than half the days"
    if kind in ("scale", "yes_no", "choice"):
        option = _one(question, words)
        if option is None:
            return None
        return option.value if kind == "scale" else option.code
    if kind == "multi":
        codes = [o.code for _, o in _matches(question, words)]
        if len(codes) > 1 and "none" in codes:
            codes.remove("none")
        return codes or None
    if kind == "text":
        if len(raw) > MAX_TEXT:
            return None
        if question.none_option and words in NONE_WORDS:
            return "none"
        return raw
    if kind == "date":
        return _date(words, today or dt.date.today())
    if kind == "code":
        code = raw.replace(" ", "").upper()
        return code if _CODE.match(code) else None
    raise ValueError(f"unknown question type {kind!r}")


def self_harm_question() -> Question:
    """PHQ-9 item 9, the question marked `self_harm: true`."""
    return next(x for x in questions() if x.self_harm)


def read_item9(text: str) -> Any:
    """Item 9's stored value: only a clear "not at all" is 0; nothing is asked again.

    0 for a clear "not at all" (the whole answer; its button too), PREFER_NOT for a
    refusal, 1-3 when the answer names a frequency, else ITEM9_UNCLEAR: "yes", "a
    little", "rarely", "not often", "I think about it", or anything unreadable.
    """
    words = normalise(text)
    if words in ITEM9_CLEAR_NO:
        return 0
    refusals = ITEM9_REFUSALS | {normalise(p) for p in PREFER_NOT_WORDS}
    if words in refusals or words.split(" ")[0] == "skip":
        return PREFER_NOT
    value = parse(self_harm_question(), text)
    if isinstance(value, int) and value > 0:
        return value
    return ITEM9_UNCLEAR


def display(question: Question, value: Any) -> str:
    """How an answer is shown back to the patient in the summary."""
    if value == PREFER_NOT:
        return PREFER_NOT_DISPLAY
    if question.self_harm and value == ITEM9_UNCLEAR:
        return ITEM9_UNCLEAR_DISPLAY
    names = {o.code: o.display for o in question.options}
    if question.type == "scale":
        names = {str(o.value): o.display for o in question.options}
        return names.get(str(value), str(value))
    if question.type == "multi" and isinstance(value, list):
        return ", ".join(names.get(str(v), str(v)) for v in value)
    if question.type == "text" and value == "none":
        return NONE_DISPLAY
    return names.get(str(value), str(value))
