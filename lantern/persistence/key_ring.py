"""Fernet key rings from a setting such as LANTERN_TRACKER_KEY: `new,old` (the first encrypts).

Used by the conversation store (lantern/persistence/tracker_encryption.py) and the intake
store (lantern/intake/store.py); each turns the errors into its own message.
"""

from __future__ import annotations

from functools import lru_cache

from cryptography.fernet import Fernet, MultiFernet


class NoKey(ValueError):
    """The setting holds no key."""


@lru_cache(maxsize=8)
def key_ring(setting: str) -> MultiFernet:
    """The keys in `setting`, built once; NoKey if none, ValueError if one is malformed."""
    keys = [k.strip() for k in setting.split(",") if k.strip()]
    if not keys:
        raise NoKey(setting)
    return MultiFernet([Fernet(k.encode()) for k in keys])
