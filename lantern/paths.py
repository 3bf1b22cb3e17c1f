"""Where Lantern's data files live (all relative to the project root)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Dict, List

import yaml

ROOT = Path(__file__).resolve().parent.parent
#: the Rasa domain, one file per feature (Rasa merges the directory: `--domain domain`)
DOMAIN_DIR = ROOT / "domain"
#: everything a clinician signs off (content/README.md): answers, safety phrases and
#: help lines, intake questions; code reads it from here and never writes it
CONTENT_DIR = ROOT / "content"
KNOWLEDGE_DIR = CONTENT_DIR / "knowledge"
ANSWERS_DIR = KNOWLEDGE_DIR / "answers"
ROUTING_FILE = KNOWLEDGE_DIR / "routing.yml"
LEXICON_FILE = KNOWLEDGE_DIR / "lexicon.yml"
SAFETY_CONTENT_DIR = CONTENT_DIR / "safety"
PHRASES_FILE = SAFETY_CONTENT_DIR / "phrases.yml"
HELPLINES_FILE = SAFETY_CONTENT_DIR / "helplines.yml"
INTAKE_CONTENT_DIR = CONTENT_DIR / "intake"
INTAKE_QUESTIONS_FILE = INTAKE_CONTENT_DIR / "questions.yml"

#: the domain keys whose entries are listed (a name, or {name: settings}) or named
_LISTED = ("intents", "entities", "actions")
_NAMED = ("slots", "forms", "responses")


def var_dir() -> Path:
    """Directory for runtime state (audit log, stores); `LANTERN_VAR_DIR` overrides."""
    path = Path(os.environ.get("LANTERN_VAR_DIR", ROOT / "var"))
    path.mkdir(parents=True, exist_ok=True)
    return path


def domain_files() -> List[Path]:
    """The domain's YAML files, in a fixed order (Rasa reads the whole tree)."""
    return sorted(DOMAIN_DIR.rglob("*.yml"))


def read_domain() -> Dict[str, Any]:
    """The domain directory's files as one dict, merged the way Rasa merges them.

    For code that reads the YAML itself (response texts, slot mappings) rather than
    Rasa's `Domain`. Lists are joined and mappings united; a name defined in two
    files raises, where Rasa would only warn and keep one of them.
    """
    merged: Dict[str, Any] = {}
    for path in domain_files():
        part = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for key, value in part.items():
            if key in _LISTED:
                have = {_name(item) for item in merged.get(key, [])}
                _refuse_twice(path, key, have & {_name(item) for item in value})
                merged[key] = merged.get(key, []) + list(value)
            elif key in _NAMED:
                _refuse_twice(path, key, set(merged.get(key, {})) & set(value))
                merged[key] = {**merged.get(key, {}), **value}
            elif merged.get(key, value) != value:
                raise ValueError(f"{path.name}: {key} differs from another domain file")
            else:
                merged[key] = value
    return merged


def _name(item: Any) -> str:
    return item if isinstance(item, str) else next(iter(item))


def _refuse_twice(path: Path, key: str, names: set[str]) -> None:
    if names:
        raise ValueError(f"{path.name}: {key} defined in another domain file too: {sorted(names)}")
