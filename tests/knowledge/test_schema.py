"""The knowledge-base schema: broken files are refused with file, entry and field named."""

from __future__ import annotations

import copy
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from actions.knowledge_base import ANSWERS_DIR, ROOT, KnowledgeBaseError, load

GOOD = {
    "id": "alpha",
    "title": "Alpha",
    "answer": "word " * 70 + "In 2019, the FDA approved it.",
    "consult": "Ask your doctor.",
    "sources": [
        {"title": "T", "publisher": "P", "year": 2020, "url": "https://example.org/t"},
        {"key": "label", "title": "L", "publisher": "Q", "year": 2021, "doi": "10.1000/xyz"},
    ],
    "claims": [
        {"text": "In 2019, the FDA approved it.", "source": "label", "locator": "section 1"},
        {"text": "the FDA approved", "source": 1, "locator": "p. 2"},
    ],
    "reviewed": {"by": "content editor", "date": "2026-01-01"},
    "related": ["beta"],
    "substances": ["ketamine"],
    "conditions": [],
}


def write(tmp_path: Path, *entries: dict, name: str = "answers.yml") -> Path:
    beta = {**copy.deepcopy(GOOD), "id": "beta", "related": ["alpha"]}
    (tmp_path / name).write_text(
        yaml.safe_dump({"version": 1, "answers": [*entries, beta]}), encoding="utf-8"
    )
    return tmp_path


def broken(**changes: object) -> dict:
    entry = copy.deepcopy(GOOD)
    for key, value in changes.items():
        if value is None:
            entry.pop(key)
        else:
            entry[key] = value
    return entry


def test_the_shipped_knowledge_base_is_valid() -> None:
    kb = load(ANSWERS_DIR)
    assert len(kb.answers) == 44


def test_a_valid_file_loads(tmp_path: Path) -> None:
    kb = load(write(tmp_path, GOOD))
    assert kb["alpha"].sources[0].link == "https://example.org/t"
    claims = kb["alpha"].claims
    assert [(c.source, c.locator) for c in claims] == [(1, "section 1"), (0, "p. 2")]
    assert kb["alpha"].volatile is False and kb["alpha"].review_interval_days == 365


def test_volatile_entries_are_reviewed_every_90_days(tmp_path: Path) -> None:
    kb = load(write(tmp_path, {**copy.deepcopy(GOOD), "volatile": True}))
    alpha = kb["alpha"]
    assert alpha.volatile and alpha.review_interval_days == 90
    assert (alpha.review_due - alpha.reviewed_on).days == 90


def test_the_payload_numbers_sources_and_citations(tmp_path: Path) -> None:
    payload = load(write(tmp_path, GOOD))["alpha"].payload()
    assert [s["n"] for s in payload["sources"]] == [1, 2]
    assert payload["sources"][1]["url"] == "https://doi.org/10.1000/xyz"
    assert payload["citations"] == [
        {"text": "In 2019, the FDA approved it.", "source": 2},
        {"text": "the FDA approved", "source": 1},
    ]


def test_the_shipped_payloads_carry_citations_the_widget_can_place() -> None:
    for answer in load(ANSWERS_DIR).answers.values():
        payload = answer.payload()
        numbers = {s["n"] for s in payload["sources"]}
        assert payload["citations"], answer.id
        for citation in payload["citations"]:
            assert citation["source"] in numbers and citation["text"] in answer.answer


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"consult": None}, "consult"),
        ({"answer": "  "}, "answer"),
        ({"title": None}, "title"),
        ({"sources": []}, "sources"),
        ({"sources": None}, "sources"),
        ({"related": ["nowhere"]}, "related"),
        ({"related": []}, "related"),
        ({"related": ["alpha"]}, "related"),
        ({"reviewed": {"by": "editor", "date": "2999-01-01"}}, "reviewed.date"),
        ({"reviewed": {"date": "2026-01-01"}}, "reviewed.by"),
        ({"substances": ["coffee"]}, "substances"),
        ({"sources": [{"title": "T", "publisher": "P", "year": 2020}]}, "sources[0].url"),
        (
            {"sources": [{"title": "T", "year": 2020, "url": "https://x.org"}]},
            "sources[0].publisher",
        ),
        (
            {"sources": [{"title": "T", "publisher": "P", "url": "https://x.org"}]},
            "sources[0].year",
        ),
        (
            {"claims": [{"text": "not in the answer", "source": 1, "locator": "p"}]},
            "claims[0].text",
        ),
        ({"claims": [{"text": "word", "source": "nokey", "locator": "p"}]}, "claims[0].source"),
        ({"claims": [{"text": "word", "source": 3, "locator": "p"}]}, "claims[0].source"),
        ({"claims": [{"text": "word", "source": 0, "locator": "p"}]}, "claims[0].source"),
        ({"claims": [{"text": "word", "source": True, "locator": "p"}]}, "claims[0].source"),
        ({"claims": [{"text": "word", "locator": "p"}]}, "claims[0].source"),
        ({"claims": [{"text": "word", "source": 1}]}, "claims[0].locator"),
        ({"claims": [{"text": " ", "source": 1, "locator": "p"}]}, "claims[0].text"),
        ({"claims": ["word"]}, "claims[0]"),
        ({"claims": "word"}, "claims"),
        ({"volatile": "yes"}, "volatile"),
        (
            {
                "sources": [
                    {
                        "key": "Bad Key",
                        "title": "T",
                        "publisher": "P",
                        "year": 2020,
                        "url": "https://x.org",
                    }
                ]
            },
            "sources[0].key",
        ),
        (
            {
                "sources": [
                    {
                        "title": "T",
                        "publisher": "P",
                        "year": 2020,
                        "url": "https://x.org",
                        "secondary": "no",
                    }
                ]
            },
            "sources[0].secondary",
        ),
        (
            {
                "sources": [
                    {
                        "key": "a",
                        "title": "T",
                        "publisher": "P",
                        "year": 2020,
                        "url": "https://x.org",
                    },
                    {
                        "key": "a",
                        "title": "U",
                        "publisher": "P",
                        "year": 2020,
                        "url": "https://y.org",
                    },
                ]
            },
            "sources",
        ),
    ],
)
def test_invalid_entries_name_file_entry_and_field(
    tmp_path: Path, changes: dict, field: str
) -> None:
    with pytest.raises(KnowledgeBaseError) as error:
        load(write(tmp_path, broken(**changes), name="broken.yml"))
    assert error.value.file.endswith("broken.yml")
    assert error.value.entry == "alpha"
    assert error.value.field == field
    assert "broken.yml" in str(error.value) and "alpha" in str(error.value)


def test_duplicate_ids_across_files_are_refused(tmp_path: Path) -> None:
    write(tmp_path, GOOD, name="one.yml")
    (tmp_path / "two.yml").write_text(
        yaml.safe_dump({"version": 1, "answers": [GOOD]}), encoding="utf-8"
    )
    with pytest.raises(KnowledgeBaseError) as error:
        load(tmp_path)
    assert error.value.field == "id" and "duplicate" in str(error.value)


def test_action_server_refuses_to_start_on_an_invalid_entry(tmp_path: Path) -> None:
    write(tmp_path, broken(sources=[]), name="bad.yml")
    result = subprocess.run(
        [sys.executable, "-m", "actions.server", "--port", "0"],
        cwd=ROOT,
        env={**os.environ, "LANTERN_ANSWERS_DIR": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1
    assert "bad.yml" in result.stderr and "alpha" in result.stderr and "sources" in result.stderr
