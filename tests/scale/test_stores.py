"""persistence/stores.py: environment settings, the timeout invariant, Redis ticket locks."""

from __future__ import annotations

import asyncio
import re
import subprocess
import threading
import uuid
from pathlib import Path
from typing import Dict, List

import pytest
import rasa.core.actions.action
from rasa.core.lock_store import InMemoryLockStore

from lantern.persistence import stores
from lantern.persistence.stores import (
    AtomicRedisLockStore,
    LanternLockStore,
    StoreConfigError,
    action_timeout,
    redis_settings,
    tracker_store_settings,
)
from tests.scale.services import Redis
from tests.servers import ROOT


def env_sh_defaults(directory: Path) -> Dict[str, str]:
    """What scripts/env.sh exports in a clean environment (and no .env file)."""
    out = subprocess.run(
        ["env", "-i", "PATH=/usr/bin:/bin", "bash", "-c", f". {ROOT}/scripts/env.sh && env -0"],
        cwd=directory,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return dict(item.split("=", 1) for item in out.split("\0") if "=" in item)


def test_defaults_are_sqlite_and_in_memory_with_the_timeout_under_the_lock_lifetime(
    tmp_path: Path,
) -> None:
    env = env_sh_defaults(tmp_path)
    assert tracker_store_settings(env) == {"dialect": "sqlite", "db": env["TRACKER_DB"]}
    assert redis_settings(env) is None
    lifetime = float(env["TICKET_LOCK_LIFETIME"])
    timeout = action_timeout(env, lifetime)
    # a queued message waits for one action call, then makes its own: both fit in the lifetime
    assert 0 < 2 * timeout < lifetime


def test_postgres_and_redis_settings() -> None:
    env = {
        "LANTERN_TRACKER_STORE": "postgres",
        "LANTERN_DB_HOST": "db.internal",
        "LANTERN_DB_PORT": "5433",
        "LANTERN_DB_NAME": "lantern",
        "LANTERN_DB_USER": "lantern",
        "LANTERN_DB_PASSWORD": "s3cret",
        "LANTERN_DB_SSLMODE": "require",
        "LANTERN_LOCK_STORE": "Redis",
        "LANTERN_REDIS_HOST": "cache.internal",
        "LANTERN_REDIS_PORT": "6380",
        "LANTERN_REDIS_DB": "2",
        "LANTERN_REDIS_TLS": "1",
    }
    assert tracker_store_settings(env) == {
        "dialect": "postgresql",
        "host": "db.internal",
        "port": 5433,
        "db": "lantern",
        "username": "lantern",
        "password": "s3cret",
        "query": {"sslmode": "require"},
    }
    assert redis_settings(env) == {
        "host": "cache.internal",
        "port": 6380,
        "db": 2,
        "password": None,
        "use_ssl": True,
        "key_prefix": None,
    }


@pytest.mark.parametrize(
    "env, message",
    [
        ({"LANTERN_TRACKER_STORE": "mysql"}, "LANTERN_TRACKER_STORE='mysql'"),
        ({"LANTERN_TRACKER_STORE": "postgres"}, "LANTERN_DB_HOST is not set"),
        ({}, "LANTERN_TRACKER_STORE is not set"),
    ],
)
def test_a_wrong_tracker_store_setting_is_refused_not_replaced(
    env: Dict[str, str], message: str
) -> None:
    with pytest.raises(StoreConfigError, match=re.escape(message)):
        tracker_store_settings(env)


def test_an_action_timeout_too_close_to_the_lock_lifetime_is_refused() -> None:
    assert action_timeout({"LANTERN_ACTION_TIMEOUT": "20"}, 60) == 20
    for bad in ("21", "0", "-1"):
        with pytest.raises(StoreConfigError, match="TICKET_LOCK_LIFETIME"):
            action_timeout({"LANTERN_ACTION_TIMEOUT": bad}, 60)


def test_several_workers_with_an_in_memory_lock_are_refused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("LANTERN_LOCK_STORE", "memory")
    monkeypatch.setenv("LANTERN_ACTION_TIMEOUT", "7")
    monkeypatch.setattr(stores, "LOCK_LIFETIME", 60)
    monkeypatch.setenv("SANIC_WORKERS", "2")
    with pytest.raises(StoreConfigError, match="SANIC_WORKERS"):
        LanternLockStore()
    monkeypatch.setenv("SANIC_WORKERS", "1")
    assert isinstance(LanternLockStore().store, InMemoryLockStore)


def test_the_lock_store_sets_rasas_action_call_timeout(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(rasa.core.actions.action, "DEFAULT_REQUEST_TIMEOUT", 300)
    monkeypatch.setenv("LANTERN_LOCK_STORE", "memory")
    monkeypatch.setenv("LANTERN_ACTION_TIMEOUT", "7")
    monkeypatch.setattr(stores, "LOCK_LIFETIME", 60)
    LanternLockStore()
    assert rasa.core.actions.action.DEFAULT_REQUEST_TIMEOUT == 7
    monkeypatch.setenv("LANTERN_ACTION_TIMEOUT", "30")
    with pytest.raises(StoreConfigError):
        LanternLockStore()


def redis_store(server: Redis) -> AtomicRedisLockStore:
    return AtomicRedisLockStore(host="127.0.0.1", port=server.port, db=1)


def test_tickets_issued_by_two_instances_at_once_are_all_different(redis_server: Redis) -> None:
    conversation = f"tickets-{uuid.uuid4().hex}"
    issued: List[int] = []
    start = threading.Barrier(2)

    def issue_many() -> None:
        store = redis_store(redis_server)  # one store per "instance"
        start.wait()
        issued.extend(store.issue_ticket(conversation, 60) for _ in range(150))

    threads = [threading.Thread(target=issue_many) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(issued) == list(range(300))


def test_finishing_never_deletes_a_waiting_ticket_and_keys_expire(redis_server: Redis) -> None:
    a, b = redis_store(redis_server), redis_store(redis_server)
    conversation = f"waiting-{uuid.uuid4().hex}"
    first = a.issue_ticket(conversation, 60)
    second = b.issue_ticket(conversation, 60)
    ttl = redis_server.client().pttl(f"lock:{conversation}")
    assert 0 < ttl <= 62_000
    a.cleanup(conversation, first)
    lock = b.get_lock(conversation)
    assert lock is not None and not lock.is_locked(second)
    b.cleanup(conversation, second)
    assert b.get_lock(conversation) is None
    assert redis_server.client().exists(f"lock:{conversation}") == 0


def test_two_instances_never_hold_one_conversation_at_once(redis_server: Redis) -> None:
    conversation = f"mutex-{uuid.uuid4().hex}"
    counter = f"counter-{conversation}"
    client = redis_server.client()
    client.set(counter, 0)

    async def increments(store: AtomicRedisLockStore) -> None:
        for _ in range(15):
            async with store.lock(conversation, 60, wait_time_in_seconds=0.005):
                value = int(client.get(counter) or 0)  # read, yield, write: racy without the lock
                await asyncio.sleep(0.002)
                client.set(counter, value + 1)

    threads = [
        threading.Thread(target=asyncio.run, args=(increments(redis_store(redis_server)),))
        for _ in range(2)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert int(client.get(counter) or 0) == 30
    assert client.exists(f"lock:{conversation}") == 0


def test_env_example_documents_every_setting_with_no_wildcard_origin() -> None:
    env_sh = (ROOT / "scripts/env.sh").read_text()
    exported = set(re.findall(r"^\s*export ([A-Z_][A-Z0-9_]*)", env_sh, re.M))
    exported |= set(re.findall(r"^lantern_key ([A-Z_][A-Z0-9_]*)", env_sh, re.M))  # keys
    example = (ROOT / ".env.example").read_text()
    documented = set(re.findall(r"^#? ?([A-Z_][A-Z0-9_]*)=", example, re.M))
    internal = {"TF_CPP_MIN_LOG_LEVEL", "SQLALCHEMY_SILENCE_UBER_WARNING", "PYTHONWARNINGS"}
    assert exported - internal <= documented
    assert {"LANTERN_DB_PASSWORD", "LANTERN_REDIS_PASSWORD", "LANTERN_ACTION_TIMEOUT"} <= documented
    origins = re.search(r"^LANTERN_CORS_ORIGINS=(.*)$", example, re.M)
    assert origins and origins.group(1).strip() and "*" not in origins.group(1)
