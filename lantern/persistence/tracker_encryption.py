"""Conversations encrypted at rest in the tracker store.

Rasa's SQL tracker store keeps every event as JSON: what patients typed, and
slot values such as intake answers. Here the `data` column holds a Fernet token
(`cryptography`) under `LANTERN_TRACKER_KEY` instead, and the intent and action
name columns are left empty, so the database (the SQLite file or PostgreSQL)
shows only conversation ids, event types and times in the clear.

`LANTERN_TRACKER_KEY` may list several comma-separated keys: the first encrypts,
any of them decrypts (key rotation). scripts/env.sh makes one under the var dir
for `make run`; production sets it from a secret store.
"""

from __future__ import annotations

import os
from typing import Any

import sqlalchemy as sa
from cryptography.fernet import InvalidToken, MultiFernet
from sqlalchemy.orm import declarative_base
from sqlalchemy.types import TypeDecorator

from lantern.persistence.key_ring import NoKey, key_ring

KEY_VARIABLE = "LANTERN_TRACKER_KEY"


class TrackerKeyError(ValueError):
    """The tracker key is missing, malformed, or not the one the data was written with."""


def fernet() -> MultiFernet:
    """The keys from LANTERN_TRACKER_KEY (first one encrypts)."""
    try:
        return key_ring(os.environ.get(KEY_VARIABLE, ""))
    except NoKey:
        raise TrackerKeyError(f"{KEY_VARIABLE} is not set (scripts/env.sh makes one)") from None
    except ValueError:
        raise TrackerKeyError(f"{KEY_VARIABLE} is not a valid key") from None


class EncryptedText(TypeDecorator):
    """Text stored as a Fernet token."""

    impl = sa.Text
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Any) -> str | None:
        """Encrypt on the way in."""
        if value is None:
            return None
        return fernet().encrypt(str(value).encode()).decode()

    def process_result_value(self, value: Any, dialect: Any) -> str | None:
        """Decrypt on the way out (rows from before encryption are plain JSON)."""
        if value is None or value.startswith("{"):
            return value
        try:
            return fernet().decrypt(value.encode()).decode()
        except InvalidToken:
            raise TrackerKeyError(
                f"conversations can't be decrypted: {KEY_VARIABLE} is not their key"
            ) from None


class Withheld(TypeDecorator):
    """A column that is never written (intent and action names say too much)."""

    impl = sa.String(255)
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Any) -> None:
        """Store nothing."""
        return None


EncryptedBase: Any = declarative_base()


class EncryptedSQLEvent(EncryptedBase):
    """Rasa's `events` table with the event JSON encrypted."""

    __tablename__ = "events"

    id = sa.Column(
        sa.Integer,
        sa.Sequence("events_seq", metadata=EncryptedBase.metadata, optional=True),
        primary_key=True,
    )
    sender_id = sa.Column(sa.String(255), nullable=False, index=True)
    type_name = sa.Column(sa.String(255), nullable=False)
    timestamp = sa.Column(sa.Float)
    intent_name = sa.Column(Withheld)
    action_name = sa.Column(Withheld)
    data = sa.Column(EncryptedText)
