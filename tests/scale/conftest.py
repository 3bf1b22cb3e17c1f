"""Fixtures: throwaway PostgreSQL and Redis for the tests in this directory."""

from __future__ import annotations

from typing import Iterator

import pytest

from tests.scale.services import Postgres, Redis, ensure_installed, start_postgres, start_redis


@pytest.fixture(scope="package")
def postgres() -> Iterator[Postgres]:
    """A PostgreSQL server on loopback with an empty `lantern` database."""
    ensure_installed()
    server = start_postgres()
    yield server
    server.stop()


@pytest.fixture(scope="package")
def redis_server() -> Iterator[Redis]:
    """A Redis server on loopback."""
    ensure_installed()
    server = start_redis()
    yield server
    server.stop()
