"""Where Lantern's data files live (all relative to the project root)."""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
KNOWLEDGE_DIR = ROOT / "knowledge"
LEXICON_FILE = KNOWLEDGE_DIR / "lexicon.yml"
SAFETY_DIR = Path(__file__).resolve().parent / "safety"
PHRASES_FILE = SAFETY_DIR / "phrases.yml"
HELPLINES_FILE = SAFETY_DIR / "helplines.yml"


def var_dir() -> Path:
    """Directory for runtime state (audit log, stores); `LANTERN_VAR_DIR` overrides."""
    path = Path(os.environ.get("LANTERN_VAR_DIR", ROOT / "var"))
    path.mkdir(parents=True, exist_ok=True)
    return path
