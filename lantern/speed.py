"""Speed-ups inside Rasa 3.6 that the benchmark's profile found (`make bench`).

Each one leaves behaviour unchanged; tests/scale/test_speed.py checks that.

- `cache_action_response_validator`: Rasa checks every action server response
  against a JSON schema with `jsonschema.validate`, which first re-validates the
  schema itself against its meta-schema: about a third of Rasa's CPU per message.
  The validator is now built once; the same errors are raised.
- `cache_event_types`: loading a conversation finds each event's class by
  walking every subclass of `Event`, for every event; found classes are now
  remembered.
- `fast_sqlite`: the SQLite tracker store opened a new connection for every
  read and write (SQLAlchemy 1.4 pools nothing for SQLite files) and waited for
  a disk sync on every commit. It now keeps connections in a pool and writes
  ahead (`journal_mode=WAL`, `synchronous=NORMAL`): a commit is durable once the
  log is synced at a checkpoint, and a crash can lose at most the last turns,
  never corrupt the file.
"""

from __future__ import annotations

import functools
from typing import Any, Dict

import sqlalchemy as sa
from jsonschema import exceptions, validators
from rasa.core.actions.action import RemoteAction
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.constants import DOCS_BASE_URL
from rasa.shared.core.events import Event
from rasa.shared.utils.common import all_subclasses

#: Rasa's own functions, kept for unknown cases and for the tests' comparisons
rasa_validate_action_result = RemoteAction._validate_action_result
rasa_resolve_by_type = Event.resolve_by_type

#: connections the SQLite pool keeps open (the server uses one at a time, plus purges)
SQLITE_POOL_SIZE = 2


@functools.lru_cache(maxsize=1)
def action_response_validator() -> Any:
    """The validator for Rasa's action response schema, checked once."""
    schema = RemoteAction.action_response_format_spec()
    cls = validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def _validate_action_result(self: RemoteAction, result: Dict[str, Any]) -> bool:
    """`RemoteAction._validate_action_result` with the cached validator."""
    error = exceptions.best_match(action_response_validator().iter_errors(result))
    if error is None:
        return True
    error.message += (
        ". Failed to validate Action server response from API, "
        "make sure your response from the Action endpoint is valid. "
        f"For more information about the format visit {DOCS_BASE_URL}/custom-actions"
    )
    raise error


def cache_action_response_validator() -> None:
    """Make Rasa validate action responses with a validator built once."""
    RemoteAction._validate_action_result = _validate_action_result


_EVENT_TYPES: Dict[str, Any] = {}


def resolve_by_type(type_name: str, default: Any = None) -> Any:
    """`Event.resolve_by_type`, remembering the classes it found."""
    found = _EVENT_TYPES.get(type_name)
    if found is not None:
        return found
    for cls in all_subclasses(Event):
        if cls.type_name == type_name:
            _EVENT_TYPES[type_name] = cls
            return cls
    return rasa_resolve_by_type(type_name, default)  # unknown: None, default or ValueError


def cache_event_types() -> None:
    """Make Rasa remember which class each event type name is."""
    Event.resolve_by_type = staticmethod(resolve_by_type)


def _sqlite_pragmas(connection: Any, _record: Any) -> None:
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def fast_sqlite(store: SQLTrackerStore) -> None:
    """Give an SQLite tracker store pooled, write-ahead connections (others unchanged)."""
    url = store.engine.url
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return
    store.engine.dispose()
    store.engine = sa.create_engine(
        url,
        poolclass=sa.pool.QueuePool,
        pool_size=SQLITE_POOL_SIZE,
        # the retention purge runs in a worker thread; the pool hands a connection
        # to one user at a time
        connect_args={"check_same_thread": False},
    )
    sa.event.listen(store.engine, "connect", _sqlite_pragmas)
    store.sessionmaker = sa.orm.session.sessionmaker(bind=store.engine)
