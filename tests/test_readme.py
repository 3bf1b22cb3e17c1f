"""The README stays short, free of development history, and names only paths that exist."""

from __future__ import annotations

import itertools
import re
import subprocess
from pathlib import Path
from typing import List

from tests.servers import ROOT

README = ROOT / "README.md"
MAX_LINES = 250
#: made by `make` at run time, never in the repository (each must be git-ignored)
MADE_AT_RUN_TIME = ("var/", "models/", "results/", "test-artifacts/")
#: a backticked word is a path if it has a folder or a file extension
FILE_SUFFIXES = (".yml", ".yaml", ".md", ".py", ".sh", ".json", ".txt", ".in", ".lock", ".example")


def readme() -> str:
    return README.read_text(encoding="utf-8")


def looks_like_path(word: str) -> bool:
    """`docs/x.md`, `config.yml`, `.env.example`; not commands, URLs, variables or ids."""
    if " " in word or "://" in word or word.startswith(("/", "$", "-")) or "=" in word:
        return False
    if word.startswith("../"):  # the team's shared folder beside the repository
        return False
    return "/" in word or word.endswith(FILE_SUFFIXES)


def named_paths(text: str) -> List[str]:
    """Every backticked path in `text`, in order (a `[...]` / `<...>` part cuts it short)."""
    return [w for w in re.findall(r"`([^`\n]+)`", text) if looks_like_path(w)]


def layout_rows(text: str) -> List[str]:
    """The first cell of each row of the first table under "How it is laid out"."""
    section = text.split("## How it is laid out", 1)[1].lstrip("\n").splitlines()
    rows = list(itertools.takewhile(lambda line: line.startswith("|"), section))
    return [row.split("|")[1].strip() for row in rows[2:]]  # after the header and rule


def exists(path: str) -> bool:
    """The path exists in the repository (a glob must match something)."""
    if any(ch in path for ch in "*?["):
        return any(ROOT.glob(path))
    return (ROOT / path).exists()


def test_every_path_the_readme_names_exists() -> None:
    paths = named_paths(readme())
    assert len(paths) > 40, paths  # the extraction still finds the layout's paths
    missing = [p for p in paths if not p.startswith(MADE_AT_RUN_TIME) and not exists(p.rstrip("/"))]
    assert not missing, f"README names paths that do not exist: {missing}"


def test_paths_made_at_run_time_are_git_ignored() -> None:
    made = sorted({p for p in named_paths(readme()) if p.startswith(MADE_AT_RUN_TIME)})
    assert made, "the README names no run-time path: update MADE_AT_RUN_TIME"
    result = subprocess.run(
        ["git", "check-ignore", "--no-index", *made], cwd=ROOT, capture_output=True, text=True
    )
    assert sorted(result.stdout.split()) == made


def test_every_layout_row_names_existing_paths() -> None:
    rows = layout_rows(readme())
    assert len(rows) >= 15, rows
    for cell in rows:
        paths = named_paths(cell)
        assert paths, f"layout row names no path: {cell!r}"
        for path in paths:
            assert exists(path.rstrip("/")), f"layout row {cell!r}: {path} does not exist"


def test_the_readme_is_under_250_lines() -> None:
    lines = readme().splitlines()
    assert len(lines) < MAX_LINES, f"README.md has {len(lines)} lines; move detail to docs/"


def test_the_readme_tells_no_development_history() -> None:
    """Which round or session changed what, and old measurements, belong in docs/."""
    history = re.compile(
        r"\b(session|round) \d|\bcommit [0-9a-f]{7}|\bat [0-9a-f]{7,40}\b|\bsince [0-9a-f]{7}\b",
        re.IGNORECASE,
    )
    found = [line for line in readme().splitlines() if history.search(line)]
    assert not found, found


def test_the_readme_follows_the_anchor_order() -> None:
    """What it is, the two commands, what you see, layout, how to test, how to deploy."""
    headings = re.findall(r"^## (.+)$", readme(), re.MULTILINE)
    assert headings == [
        "The two commands",
        "What you see",
        "How it is laid out",
        "How to test",
        "How to deploy",
    ]


def test_the_readme_states_the_pretrained_model() -> None:
    """The brief: licence, provenance, size and cost per message of any pretrained model."""
    section = readme().split("### The pretrained representation", 1)[1].split("\n## ", 1)[0]
    for field in ("provenance", "licence", "size", "cost per message"):
        assert re.search(rf"^\| {field} \| \S", section, re.MULTILINE), field


def test_the_extraction_sees_a_missing_path(tmp_path: Path) -> None:
    """The check can fail: a made-up path in a layout row is caught."""
    text = "## How it is laid out\n\n| where | what |\n| --- | --- |\n| `docs/nowhere.md` | x |\n"
    assert named_paths(text) == ["docs/nowhere.md"]
    assert not exists(layout_rows(text)[0].strip("`"))
