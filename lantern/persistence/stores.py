"""Tracker and lock stores chosen by environment variables (named in endpoints.yml).

Rasa 3.6 cannot switch a store's `type` with a variable, so endpoints.yml names
these two classes and they read the environment (defaults: scripts/env.sh):

- `LanternTrackerStore`: Rasa's SQL tracker store, event data encrypted with
  `LANTERN_TRACKER_KEY`, on the SQLite file `TRACKER_DB`
  (one instance), or on PostgreSQL with `LANTERN_TRACKER_STORE=postgres` and
  `LANTERN_DB_*` (several instances share conversations).
- `LanternLockStore`: in memory (one instance), or Redis with
  `LANTERN_LOCK_STORE=redis` and `LANTERN_REDIS_*`. Every change to a Redis lock
  is one atomic transaction: Rasa 3.6's `RedisLockStore` reads and writes a
  lock in two steps, so two instances could both hold it (RasaHQ/rasa#9213).

The tracker store gives out `LanternTracker`s (lantern/speed/tracker.py) unless
the speed-ups are off. The lock store also sets the action call timeout
(`LANTERN_ACTION_TIMEOUT`), which must stay well under the lock lifetime
(`TICKET_LOCK_LIFETIME`); see `action_timeout` and docs/deployment.md.
"""

from __future__ import annotations

import json
import math
import os
import time
from pathlib import Path
from typing import Any, Callable, Dict, Mapping, Tuple, TypeVar

import rasa.core.actions.action
import redis
import sqlalchemy as sa
from rasa.core.brokers.broker import EventBroker
from rasa.core.lock import TicketLock
from rasa.core.lock_store import LOCK_LIFETIME, InMemoryLockStore, LockError, LockStore
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig

from lantern.persistence.held_trackers import HeldTrackerStore
from lantern.persistence.tracker_encryption import EncryptedBase, EncryptedSQLEvent, fernet
from lantern.private_files import private_file
from lantern.speed import guard
from lantern.speed.tracker import LanternTracker

T = TypeVar("T")

TRACKER_STORES = ("sqlite", "postgres")
LOCK_STORES = ("memory", "redis")
# A message queued behind another waits for that one's action call, then makes its own:
# two action timeouts plus NLU and store time must fit in one lock lifetime.
LIFETIME_PER_TIMEOUT = 3
#: connections the SQLite pool keeps open (the server uses one at a time, plus purges)
SQLITE_POOL_SIZE = 2


class StoreConfigError(ValueError):
    """A store setting is missing or invalid (the Rasa server refuses to start)."""


def _setting(env: Mapping[str, str], name: str, choices: Tuple[str, ...] | None = None) -> str:
    value = env.get(name, "").strip()
    if not value:
        raise StoreConfigError(f"{name} is not set (scripts/env.sh sets the defaults)")
    if choices and value.lower() not in choices:
        raise StoreConfigError(f"{name}={value!r}: expected one of {', '.join(choices)}")
    return value.lower() if choices else value


def tracker_store_settings(env: Mapping[str, str]) -> Dict[str, Any]:
    """Keyword arguments for Rasa's `SQLTrackerStore` from the environment."""
    if _setting(env, "LANTERN_TRACKER_STORE", TRACKER_STORES) == "sqlite":
        return {"dialect": "sqlite", "db": _setting(env, "TRACKER_DB")}
    settings: Dict[str, Any] = {
        "dialect": "postgresql",
        "host": _setting(env, "LANTERN_DB_HOST"),
        "port": int(_setting(env, "LANTERN_DB_PORT")),
        "db": _setting(env, "LANTERN_DB_NAME"),
        "username": _setting(env, "LANTERN_DB_USER"),
        "password": env.get("LANTERN_DB_PASSWORD") or None,
    }
    if env.get("LANTERN_DB_SSLMODE"):
        settings["query"] = {"sslmode": env["LANTERN_DB_SSLMODE"]}
    return settings


def redis_settings(env: Mapping[str, str]) -> Dict[str, Any] | None:
    """Keyword arguments for the Redis lock store, or None for the in-memory one."""
    if _setting(env, "LANTERN_LOCK_STORE", LOCK_STORES) == "memory":
        return None
    return {
        "host": _setting(env, "LANTERN_REDIS_HOST"),
        "port": int(_setting(env, "LANTERN_REDIS_PORT")),
        "db": int(_setting(env, "LANTERN_REDIS_DB")),
        "password": env.get("LANTERN_REDIS_PASSWORD") or None,
        "use_ssl": env.get("LANTERN_REDIS_TLS", "0") == "1",
        "key_prefix": env.get("LANTERN_REDIS_KEY_PREFIX") or None,
    }


def action_timeout(env: Mapping[str, str], lock_lifetime: float) -> float:
    """The action call timeout (seconds), checked against the lock lifetime.

    A message that holds a conversation's lock longer than its lifetime loses it:
    the next message of that conversation then runs at the same time and one of
    the two turns can be lost from the tracker, and a message that waited longer
    than the lifetime is dropped. Rasa 3.6 itself waits 300 s for the action server.
    """
    timeout = float(_setting(env, "LANTERN_ACTION_TIMEOUT"))
    if not 0 < timeout * LIFETIME_PER_TIMEOUT <= lock_lifetime:
        raise StoreConfigError(
            f"LANTERN_ACTION_TIMEOUT={timeout:g} s must be positive and at most "
            f"1/{LIFETIME_PER_TIMEOUT} of the lock lifetime TICKET_LOCK_LIFETIME="
            f"{lock_lifetime:g} s"
        )
    return timeout


def apply_action_timeout(env: Mapping[str, str] = os.environ) -> float:
    """Make Rasa's remote action calls give up after `LANTERN_ACTION_TIMEOUT`."""
    timeout = action_timeout(env, LOCK_LIFETIME)
    # RemoteAction.run passes this module constant to every action server request
    rasa.core.actions.action.DEFAULT_REQUEST_TIMEOUT = timeout
    return timeout


def _sqlite_pragmas(connection: Any, _record: Any) -> None:
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def fast_sqlite(store: SQLTrackerStore) -> None:
    """Give an SQLite tracker store pooled, write-ahead connections (others unchanged).

    SQLAlchemy 1.4 pools nothing for SQLite files, so Rasa opened a connection for
    every read and write, and waited for a disk sync on every commit. With the log
    written ahead, a crash can lose at most the last turns, never corrupt the file.
    """
    url = store.engine.url
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return
    store.engine.dispose()
    store.engine = sa.create_engine(
        url,
        poolclass=sa.pool.QueuePool,
        pool_size=SQLITE_POOL_SIZE,
        # the most recently used connection first: its page cache is warm
        pool_use_lifo=True,
        # the retention purge runs in a worker thread; the pool lends a connection
        # to one user at a time
        connect_args={"check_same_thread": False},
    )
    sa.event.listen(store.engine, "connect", _sqlite_pragmas)
    store.sessionmaker = sa.orm.session.sessionmaker(bind=store.engine)


class LanternTrackerStore(HeldTrackerStore):
    """Rasa's SQL tracker store on SQLite (default) or PostgreSQL, from the environment.

    Event data is encrypted at rest (lantern/persistence/tracker_encryption.py); saved trackers
    are held in memory between turns (lantern/persistence/held_trackers.py). Its trackers are
    `LanternTracker`s: Rasa wraps every tracker store in one that makes new trackers
    itself, so those become one when first saved (in place: the processor holds it).
    """

    Base = EncryptedBase
    SQLEvent = EncryptedSQLEvent

    def __init__(
        self,
        domain: Domain | None = None,
        event_broker: EventBroker | None = None,
        **_endpoint_settings: Any,
    ) -> None:
        """Connect as `tracker_store_settings` says (endpoints.yml settings are ignored)."""
        fernet()  # no key: refuse to start rather than fail on the first message
        settings = tracker_store_settings(os.environ)
        if settings["dialect"] == "sqlite" and settings["db"] not in ("", ":memory:"):
            private_file(Path(settings["db"]))  # mode 600 before SQLite creates it
        super().__init__(domain=domain, event_broker=event_broker, **settings)
        fast_sqlite(self)
        self.speed_up = guard.enabled()

    def _ours(self, tracker: DialogueStateTracker | None) -> DialogueStateTracker | None:
        return LanternTracker.adopt(tracker) if self.speed_up and tracker is not None else tracker

    def init_tracker(self, sender_id: str) -> DialogueStateTracker:
        """Rasa's new tracker, a `LanternTracker`."""
        tracker = super().init_tracker(sender_id)
        return self._ours(tracker) or tracker

    async def retrieve(self, sender_id: str) -> DialogueStateTracker | None:
        """The conversation's tracker (see `HeldTrackerStore.retrieve`), a `LanternTracker`."""
        return self._ours(await super().retrieve(sender_id))

    async def save(self, tracker: DialogueStateTracker) -> None:
        """Save the tracker (see `HeldTrackerStore.save`); it is a `LanternTracker` after."""
        self._ours(tracker)
        await super().save(tracker)


class AtomicRedisLockStore(LockStore):
    """Ticket locks in Redis; each change is a WATCH/MULTI transaction on the lock's key."""

    def __init__(
        self,
        host: str,
        port: int,
        db: int,
        password: str | None = None,
        use_ssl: bool = False,
        key_prefix: str | None = None,
    ) -> None:
        """Connect to Redis (fails at start-up when Redis is unreachable)."""
        self.red = redis.StrictRedis(
            host=host, port=port, db=db, password=password, ssl=use_ssl, socket_timeout=10
        )
        self.red.ping()
        self.key_prefix = f"{key_prefix}:lock:" if key_prefix else "lock:"
        super().__init__()

    def _key(self, conversation_id: str) -> str:
        return self.key_prefix + conversation_id

    def get_lock(self, conversation_id: str) -> TicketLock | None:
        """The stored lock, if any."""
        raw = self.red.get(self._key(conversation_id))
        return TicketLock.from_dict(json.loads(raw)) if raw else None

    def delete_lock(self, conversation_id: str) -> None:
        """Remove the lock."""
        self.red.delete(self._key(conversation_id))

    def save_lock(self, lock: TicketLock) -> None:
        """Store the lock (plain write; the ticket operations below use `_change`)."""
        self.red.set(self._key(lock.conversation_id), lock.dumps())

    def _change(
        self,
        conversation_id: str,
        change: Callable[[TicketLock | None], Tuple[TicketLock | None, T]],
    ) -> T:
        """Apply `change` to the stored lock atomically; a None lock deletes the key.

        The key expires with its last ticket, so a crashed instance leaves nothing behind.
        """
        key = self._key(conversation_id)
        with self.red.pipeline() as pipe:
            while True:
                try:
                    pipe.watch(key)
                    raw = pipe.get(key)
                    lock, result = change(TicketLock.from_dict(json.loads(raw)) if raw else None)
                    pipe.multi()
                    if lock is None or not lock.tickets:
                        pipe.delete(key)
                    else:
                        expires = max(ticket.expires for ticket in lock.tickets)
                        ttl_ms = math.ceil((expires - time.time()) * 1000) + 1000
                        pipe.set(key, lock.dumps(), px=max(ttl_ms, 1000))
                    pipe.execute()
                    return result
                except redis.WatchError:
                    continue  # another instance changed the lock meanwhile: redo

    def issue_ticket(self, conversation_id: str, lock_lifetime: float = LOCK_LIFETIME) -> int:
        """Issue the next ticket for the conversation (creates the lock if needed)."""

        def issue(lock: TicketLock | None) -> Tuple[TicketLock, int]:
            lock = lock or self.create_lock(conversation_id)
            return lock, lock.issue_ticket(lock_lifetime)

        try:
            return self._change(conversation_id, issue)
        except redis.RedisError as exc:
            raise LockError(f"Error while acquiring lock: {type(exc).__name__}") from exc

    def update_lock(self, conversation_id: str) -> None:
        """Drop expired tickets."""

        def drop_expired(lock: TicketLock | None) -> Tuple[TicketLock | None, None]:
            if lock:
                lock.remove_expired_tickets()
            return lock, None

        self._change(conversation_id, drop_expired)

    def finish_serving(self, conversation_id: str, ticket_number: int) -> None:
        """Remove a served ticket; the lock goes when no ticket is left."""

        def finish(lock: TicketLock | None) -> Tuple[TicketLock | None, None]:
            if lock:
                lock.remove_ticket_for(ticket_number)
            return lock, None

        self._change(conversation_id, finish)

    def cleanup(self, conversation_id: str, ticket_number: int) -> None:
        """Same as `finish_serving`: one transaction, so no waiting ticket is deleted."""
        self.finish_serving(conversation_id, ticket_number)


class LanternLockStore(LockStore):
    """The lock store from the environment: in memory, or `AtomicRedisLockStore`."""

    def __init__(self, endpoint_config: EndpointConfig | None = None) -> None:
        """Choose the store; apply the action timeout (checked against the lock lifetime)."""
        apply_action_timeout()
        settings = redis_settings(os.environ)
        if not settings and int(os.environ.get("SANIC_WORKERS") or 1) > 1:
            # Rasa runs several workers with any custom lock store, ours included
            raise StoreConfigError(
                "SANIC_WORKERS > 1 needs LANTERN_LOCK_STORE=redis: an in-memory lock "
                "is not shared between worker processes"
            )
        self.store: LockStore = (
            AtomicRedisLockStore(**settings) if settings else InMemoryLockStore()
        )
        super().__init__()

    def get_lock(self, conversation_id: str) -> TicketLock | None:
        """Delegate to the chosen store."""
        return self.store.get_lock(conversation_id)

    def delete_lock(self, conversation_id: str) -> None:
        """Delegate to the chosen store."""
        self.store.delete_lock(conversation_id)

    def save_lock(self, lock: TicketLock) -> None:
        """Delegate to the chosen store."""
        self.store.save_lock(lock)

    def issue_ticket(self, conversation_id: str, lock_lifetime: float = LOCK_LIFETIME) -> int:
        """Delegate to the chosen store."""
        return self.store.issue_ticket(conversation_id, lock_lifetime)

    def update_lock(self, conversation_id: str) -> None:
        """Delegate to the chosen store."""
        self.store.update_lock(conversation_id)

    def cleanup(self, conversation_id: str, ticket_number: int) -> None:
        """Delegate to the chosen store."""
        self.store.cleanup(conversation_id, ticket_number)
