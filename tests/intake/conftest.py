"""The intake tests' stores: a fresh var dir and encryption key for each test."""

from __future__ import annotations

from pathlib import Path
from typing import Iterator

import pytest
from cryptography.fernet import Fernet

from lantern.intake import store


@pytest.fixture
def intake_stores(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Fresh intake and staff stores on SQLite, the default identity mode; the var dir."""
    monkeypatch.setenv("LANTERN_VAR_DIR", str(tmp_path))
    monkeypatch.setenv(store.KEY_VARIABLE, Fernet.generate_key().decode())
    monkeypatch.delenv(store.DB_VARIABLE, raising=False)
    monkeypatch.delenv(store.RETENTION_VARIABLE, raising=False)
    monkeypatch.delenv("LANTERN_INTAKE_IDENTITY", raising=False)
    yield tmp_path
