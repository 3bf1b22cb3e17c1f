"""The NLU training data as a reviewer finds it (docs/training_data.md).

One file per intent, `data/<feature>/nlu/<intent>.yml`, each intent in one
feature; every example names the file (round) it came from in its metadata; no
example is an exact or near-duplicate of another (tests/data/duplicates.py):
the same text under two intents is a contradiction the classifier cannot learn.
"""

from __future__ import annotations

import re
from collections import defaultdict
from functools import lru_cache
from pathlib import Path
from typing import Dict, List, Set

import pytest
from rasa.shared.nlu.training_data.formats.rasa_yaml import RasaYAMLReader
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from tests.data.duplicates import Example, find_duplicates

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "data"
FEATURES = {"chitchat", "intake", "knowledge", "safety"}
SOURCES_DOC = ROOT / "docs" / "training_data.md"


def nlu_files() -> List[Path]:
    """Every file under data/ that holds NLU training data."""
    return [p for p in sorted(DATA.rglob("*.yml")) if RasaYAMLReader.is_yaml_nlu_file(p)]


@lru_cache(maxsize=1)
def read_data() -> Dict[Path, TrainingData]:
    """Each NLU file as Rasa reads it (read once: Rasa's reader takes a second or two)."""
    return {p: RasaYAMLReader().read(p) for p in nlu_files()}


def training_examples() -> List[Example]:
    """Every intent example: text as Rasa reads it (no entity markup), intent, source."""
    return [
        Example(m.get("text"), m.get("intent"), source(m))
        for data in read_data().values()
        for m in data.intent_examples
    ]


@pytest.fixture(scope="module")
def messages() -> Dict[Path, List[Message]]:
    """Each NLU file's intent examples."""
    return {p: data.intent_examples for p, data in read_data().items()}


def source(message: Message) -> str:
    """Where an example came from: its block's metadata.source (or its own, if it has one)."""
    metadata = message.get("metadata") or {}
    for level in ("example", "intent"):
        if isinstance(metadata.get(level), dict) and metadata[level].get("source"):
            return str(metadata[level]["source"])
    return ""


def test_each_intent_has_one_file_under_its_feature(messages: Dict[Path, List[Message]]) -> None:
    assert len(messages) > 40
    homes: Dict[str, Set[Path]] = defaultdict(set)
    for path, examples in messages.items():
        relative = path.relative_to(DATA)
        assert len(relative.parts) == 3 and relative.parts[1] == "nlu", relative
        assert relative.parts[0] in FEATURES, relative
        assert {m.get("intent") for m in examples} == {path.stem}, relative
        homes[path.stem].add(relative)
    assert {i: h for i, h in homes.items() if len(h) > 1} == {}
    # lookup tables, synonyms and regexes would go to files of their own in the feature
    for path, data in read_data().items():
        assert not (data.lookup_tables or data.entity_synonyms or data.regex_features), path
    # knowledge question types live in knowledge, safety intents in safety
    assert all(
        p.parts[0] == "knowledge" for i, h in homes.items() if i.startswith("ask_") for p in h
    )
    assert all(
        p.parts[0] == "safety"
        for i, h in homes.items()
        if i.startswith(("safety_", "request_"))
        for p in h
    )


def test_every_example_names_where_it_came_from(messages: Dict[Path, List[Message]]) -> None:
    sources = {source(m) for examples in messages.values() for m in examples}
    missing = [(p.name, m.get("text")) for p, ex in messages.items() for m in ex if not source(m)]
    assert missing == []
    described = set(re.findall(r"^\| `([a-z_/0-9]+)` \|", SOURCES_DOC.read_text(), re.MULTILINE))
    assert sources - described == set(), "describe each source in docs/training_data.md"


def test_no_exact_or_near_duplicate_examples(messages: Dict[Path, List[Message]]) -> None:
    examples = training_examples()
    assert len(examples) == sum(map(len, messages.values())) > 4000
    found = find_duplicates(examples)
    report = [
        f"{d.kind} {d.similarity:.2f}{' ACROSS INTENTS' if d.across_intents else ''}: "
        f"{d.first.intent} ({d.first.where}) {d.first.text!r} / "
        f"{d.second.intent} ({d.second.where}) {d.second.text!r}"
        for d in found
    ]
    assert report == [], "keep one of each pair (a pair across intents: decide which is right)"
