"""The vetted knowledge base: schema, loading and validation of `content/knowledge/answers/*.yml`.

Loaded once per process (`knowledge_base()`), never at import time. Any invalid
entry raises `KnowledgeBaseError` naming the file, the entry and the field, and
the action server refuses to start. Each entry lists its claims (a sentence of the
answer, or a fragment of one, with the source and the place in it that supports it),
so a reviewer can check every fact and the widget can show numbered citations.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, Iterable, List, Tuple

import yaml

from lantern.paths import ANSWERS_DIR, ROOT

SCHEMA_VERSION = 1
MIN_WORDS, MAX_WORDS = 60, 160
SUBSTANCES = frozenset(
    {"ketamine", "esketamine", "psilocybin", "mdma", "lsd", "ayahuasca", "psychedelics"}
)
CONDITIONS = frozenset(
    {
        "depression",
        "treatment_resistant_depression",
        "anxiety",
        "ptsd",
        "addiction",
        "chronic_pain",
        "neuropathic_pain",
        "fibromyalgia",
        "crps",
        "cluster_headache",
        "migraine",
        "phantom_limb_pain",
        "end_of_life_distress",
    }
)
#: Days between reviews: answers about regulation or the latest research change fast.
REVIEW_INTERVAL_DAYS = 365
VOLATILE_REVIEW_INTERVAL_DAYS = 90
_ID = re.compile(r"^[a-z][a-z0-9_]*$")
_KEY = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
_DOI = re.compile(r"^10\.\d{4,9}/\S+$")


class KnowledgeBaseError(ValueError):
    """An invalid knowledge-base file; the message names file, entry and field."""

    def __init__(self, file: str, entry: str, field: str, problem: str) -> None:
        """Record where the problem is."""
        self.file, self.entry, self.field = file, entry, field
        super().__init__(f"{file}: entry '{entry}': field '{field}': {problem}")


@dataclass(frozen=True)
class Source:
    """A citation behind an answer."""

    title: str
    publisher: str
    year: int
    url: str | None
    doi: str | None
    key: str | None = None
    #: Not a regulator, label or peer-reviewed paper (news, company release): said so.
    secondary: bool = False

    @property
    def link(self) -> str:
        """A stable link: the URL, else the DOI resolver."""
        return self.url or f"https://doi.org/{self.doi}"


@dataclass(frozen=True)
class Claim:
    """One fact in an answer and where its source supports it."""

    text: str  # a sentence of the answer, or a stable fragment of one (whitespace-normalised)
    source: int  # index into the answer's sources (0-based)
    locator: str  # page, section or a short quote


@dataclass(frozen=True)
class Answer:
    """One vetted answer."""

    id: str
    title: str
    answer: str
    consult: str
    sources: Tuple[Source, ...]
    reviewed_by: str
    reviewed_on: dt.date
    related: Tuple[str, ...]
    substances: Tuple[str, ...]
    conditions: Tuple[str, ...]
    file: str
    claims: Tuple[Claim, ...] = ()
    volatile: bool = False

    @property
    def word_count(self) -> int:
        """Words in the answer text."""
        return len(self.answer.split())

    @property
    def review_interval_days(self) -> int:
        """How long a review holds: 90 days for volatile entries, else 365."""
        return VOLATILE_REVIEW_INTERVAL_DAYS if self.volatile else REVIEW_INTERVAL_DAYS

    @property
    def review_due(self) -> dt.date:
        """The date by which the entry must be reviewed again."""
        return self.reviewed_on + dt.timedelta(days=self.review_interval_days)

    def payload(self) -> Dict[str, Any]:
        """The structured payload sent with the answer (`json_message`)."""
        return {
            "answer_id": self.id,
            "title": self.title,
            "consult": self.consult,
            "sources": [
                {
                    "n": i + 1,
                    "title": s.title,
                    "publisher": s.publisher,
                    "year": s.year,
                    "url": s.link,
                    "secondary": s.secondary,
                }
                for i, s in enumerate(self.sources)
            ],
            # numbered citations: the widget puts [n] after the sentence holding `text`
            "citations": [{"text": c.text, "source": c.source + 1} for c in self.claims],
            "reviewed": {"by": self.reviewed_by, "date": self.reviewed_on.isoformat()},
            "related": list(self.related),
        }


class KnowledgeBase:
    """All answers, by id."""

    def __init__(self, answers: Iterable[Answer]) -> None:
        """Index answers by id."""
        self.answers: Dict[str, Answer] = {a.id: a for a in answers}

    def __contains__(self, answer_id: object) -> bool:
        """Whether an id exists."""
        return answer_id in self.answers

    def __getitem__(self, answer_id: str) -> Answer:
        """The answer with this id."""
        return self.answers[answer_id]

    def ids(self) -> List[str]:
        """All ids, sorted."""
        return sorted(self.answers)


def _text(file: str, entry: str, raw: Dict[str, Any], field: str) -> str:
    value = raw.get(field)
    if not isinstance(value, str) or not value.strip():
        raise KnowledgeBaseError(file, entry, field, "missing or empty (a text is required)")
    return " ".join(value.split())


def _str_list(file: str, entry: str, raw: Dict[str, Any], field: str) -> Tuple[str, ...]:
    value = raw.get(field, [])
    if value is None:
        value = []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise KnowledgeBaseError(file, entry, field, "must be a list of strings")
    return tuple(value)


def _source(file: str, entry: str, i: int, raw: Any) -> Source:
    field = f"sources[{i}]"
    if not isinstance(raw, dict):
        raise KnowledgeBaseError(file, entry, field, "must be a mapping")
    title = raw.get("title")
    publisher = raw.get("publisher") or raw.get("journal")
    year = raw.get("year")
    url, doi = raw.get("url"), raw.get("doi")
    if not isinstance(title, str) or not title.strip():
        raise KnowledgeBaseError(file, entry, f"{field}.title", "missing")
    if not isinstance(publisher, str) or not publisher.strip():
        raise KnowledgeBaseError(
            file, entry, f"{field}.publisher", "missing (publisher or journal)"
        )
    if not isinstance(year, int) or not 1900 <= year <= dt.date.today().year:
        raise KnowledgeBaseError(file, entry, f"{field}.year", "missing or not a plausible year")
    if not url and not doi:
        raise KnowledgeBaseError(file, entry, f"{field}.url", "a source needs a url or a doi")
    if url and not (isinstance(url, str) and url.startswith("https://")):
        raise KnowledgeBaseError(file, entry, f"{field}.url", "must be an https:// URL")
    if doi and not (isinstance(doi, str) and _DOI.match(doi)):
        raise KnowledgeBaseError(file, entry, f"{field}.doi", "must look like 10.xxxx/yyyy")
    key = raw.get("key")
    if key is not None and not (isinstance(key, str) and _KEY.match(key)):
        raise KnowledgeBaseError(file, entry, f"{field}.key", "must be a short lowercase key")
    secondary = raw.get("secondary", False)
    if not isinstance(secondary, bool):
        raise KnowledgeBaseError(file, entry, f"{field}.secondary", "must be true or false")
    return Source(title.strip(), publisher.strip(), year, url, doi, key, secondary)


def _source_index(file: str, entry: str, field: str, ref: Any, sources: Tuple[Source, ...]) -> int:
    """A claim's source: a source key, or its citation number (1 = the first source)."""
    if isinstance(ref, bool):
        ref = None  # YAML true/false is not a reference
    if isinstance(ref, int):
        if 1 <= ref <= len(sources):
            return ref - 1
        raise KnowledgeBaseError(
            file, entry, field, f"source number {ref} is not 1..{len(sources)}"
        )
    if isinstance(ref, str):
        for i, source in enumerate(sources):
            if source.key == ref:
                return i
        raise KnowledgeBaseError(file, entry, field, f"no source with key '{ref}'")
    raise KnowledgeBaseError(file, entry, field, "missing (a source key or number)")


def _claims(
    file: str, entry: str, raw: Any, answer: str, sources: Tuple[Source, ...]
) -> Tuple[Claim, ...]:
    """Validate `claims`: each names text found in the answer, a source and a locator."""
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise KnowledgeBaseError(file, entry, "claims", "must be a list of claims")
    claims = []
    for i, item in enumerate(raw):
        field = f"claims[{i}]"
        if not isinstance(item, dict):
            raise KnowledgeBaseError(file, entry, field, "must be a mapping")
        text = item.get("text")
        if not isinstance(text, str) or not text.strip():
            raise KnowledgeBaseError(file, entry, f"{field}.text", "missing")
        text = " ".join(text.split())
        if text not in answer:
            raise KnowledgeBaseError(
                file, entry, f"{field}.text", f"'{text[:60]}' is not in the answer text"
            )
        source = _source_index(file, entry, f"{field}.source", item.get("source"), sources)
        locator = item.get("locator")
        if not isinstance(locator, str) or not locator.strip():
            raise KnowledgeBaseError(
                file, entry, f"{field}.locator", "missing (page, section or short quote)"
            )
        claims.append(Claim(text, source, " ".join(locator.split())))
    return tuple(claims)


def parse_entry(file: str, raw: Any, index: int) -> Answer:
    """Validate one raw entry (everything except cross-entry checks)."""
    if not isinstance(raw, dict):
        raise KnowledgeBaseError(file, f"#{index}", "id", "entry must be a mapping")
    entry_id = raw.get("id")
    if not isinstance(entry_id, str) or not _ID.match(entry_id):
        raise KnowledgeBaseError(file, f"#{index}", "id", "missing or not snake_case")
    title = _text(file, entry_id, raw, "title")
    answer = _text(file, entry_id, raw, "answer")
    consult = _text(file, entry_id, raw, "consult")
    sources_raw = raw.get("sources")
    if not isinstance(sources_raw, list) or not sources_raw:
        raise KnowledgeBaseError(file, entry_id, "sources", "at least one source is required")
    sources = tuple(_source(file, entry_id, i, s) for i, s in enumerate(sources_raw))
    keys = [s.key for s in sources if s.key]
    if len(keys) != len(set(keys)):
        raise KnowledgeBaseError(file, entry_id, "sources", "source keys must be unique")
    claims = _claims(file, entry_id, raw.get("claims"), answer, sources)
    volatile = raw.get("volatile", False)
    if not isinstance(volatile, bool):
        raise KnowledgeBaseError(file, entry_id, "volatile", "must be true or false")
    reviewed = raw.get("reviewed")
    if not isinstance(reviewed, dict):
        raise KnowledgeBaseError(file, entry_id, "reviewed", "missing (needs `by` and `date`)")
    by = reviewed.get("by")
    if not isinstance(by, str) or not by.strip():
        raise KnowledgeBaseError(file, entry_id, "reviewed.by", "missing reviewer role")
    date = reviewed.get("date")
    if isinstance(date, str):
        try:
            date = dt.date.fromisoformat(date)
        except ValueError:
            date = None
    if not isinstance(date, dt.date):
        raise KnowledgeBaseError(file, entry_id, "reviewed.date", "missing or not an ISO date")
    if date > dt.date.today():
        raise KnowledgeBaseError(file, entry_id, "reviewed.date", "is in the future")
    related = _str_list(file, entry_id, raw, "related")
    if not 1 <= len(related) <= 4:
        raise KnowledgeBaseError(file, entry_id, "related", "needs 1 to 4 ids")
    if entry_id in related:
        raise KnowledgeBaseError(file, entry_id, "related", "an entry cannot relate to itself")
    substances = _str_list(file, entry_id, raw, "substances")
    conditions = _str_list(file, entry_id, raw, "conditions")
    if set(substances) - SUBSTANCES:
        raise KnowledgeBaseError(
            file, entry_id, "substances", f"unknown values {sorted(set(substances) - SUBSTANCES)}"
        )
    if set(conditions) - CONDITIONS:
        raise KnowledgeBaseError(
            file, entry_id, "conditions", f"unknown values {sorted(set(conditions) - CONDITIONS)}"
        )
    return Answer(
        entry_id,
        title,
        answer,
        consult,
        sources,
        by.strip(),
        date,
        related,
        substances,
        conditions,
        file,
        claims,
        volatile,
    )


def load(directory: Path = ANSWERS_DIR) -> KnowledgeBase:
    """Load and validate every answer file in `directory`."""
    answers: Dict[str, Answer] = {}
    files = sorted(directory.glob("*.yml"))
    if not files:
        raise KnowledgeBaseError(str(directory), "-", "-", "no answer files found")
    for path in files:
        name = str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
        except yaml.YAMLError as exc:
            raise KnowledgeBaseError(name, "-", "-", f"not valid YAML ({exc})") from exc
        if not isinstance(data, dict) or data.get("version") != SCHEMA_VERSION:
            raise KnowledgeBaseError(name, "-", "version", f"must be {SCHEMA_VERSION}")
        entries = data.get("answers")
        if not isinstance(entries, list):
            raise KnowledgeBaseError(name, "-", "answers", "must be a list of entries")
        for i, raw in enumerate(entries):
            answer = parse_entry(name, raw, i)
            if answer.id in answers:
                raise KnowledgeBaseError(
                    name, answer.id, "id", f"duplicate id (also in {answers[answer.id].file})"
                )
            answers[answer.id] = answer
    for answer in answers.values():
        for related in answer.related:
            if related not in answers:
                raise KnowledgeBaseError(
                    answer.file, answer.id, "related", f"unknown related id '{related}'"
                )
    return KnowledgeBase(answers.values())


@lru_cache(maxsize=1)
def knowledge_base() -> KnowledgeBase:
    """The project's knowledge base, loaded and validated once per process.

    `LANTERN_ANSWERS_DIR` points it at another directory (tests, content drafts).
    """
    return load(Path(os.environ.get("LANTERN_ANSWERS_DIR", ANSWERS_DIR)))
