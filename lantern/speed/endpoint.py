"""`PooledEndpointConfig`: Rasa's action endpoint keeping its connections between calls.

Rasa opens a new HTTP client session, so a new TCP connection, for every action
server call. This endpoint keeps one session per event loop and lends it; idle
connections close after `KEEPALIVE_S`, before the action server (Sanic, 5 s)
would close them, so a request never goes out on a connection being closed. The
session writes request bodies (the whole conversation) with ujson, a Rasa
dependency: the same JSON in less than half json's time. lantern/rasa_main.py
swaps it onto the loaded agent.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import aiohttp
import ujson
from rasa.utils.endpoints import EndpointConfig

#: seconds an idle action server connection is kept (the action server's Sanic: 5)
KEEPALIVE_S = 2.0


def json_dumps(value: Any) -> str:
    """JSON text of `value`: ujson's, or json's for what ujson refuses (huge integers).

    It reads back as json's does, but for dictionary keys that are infinite or
    NaN floats ("inf" for json's "Infinity"); a conversation's data comes from
    JSON, whose keys are strings.
    """
    try:
        return ujson.dumps(value)
    except (TypeError, OverflowError, ValueError):
        return json.dumps(value)


class _Lent:
    """`async with` gives the shared session and leaves it open."""

    def __init__(self, session: aiohttp.ClientSession) -> None:
        self.session = session

    async def __aenter__(self) -> aiohttp.ClientSession:
        return self.session

    async def __aexit__(self, *_exc: Any) -> None:
        return None


class PooledEndpointConfig(EndpointConfig):
    """An `EndpointConfig` whose `session()` lends one kept session per event loop."""

    @classmethod
    def from_endpoint(cls, endpoint: EndpointConfig) -> PooledEndpointConfig:
        """A pooled copy of `endpoint`: its URL, headers, authentication and settings."""
        pooled = cls.__new__(cls)
        pooled.__dict__.update(endpoint.__dict__)
        return pooled

    def session(self) -> Any:
        """A kept session for the running event loop (outside one: Rasa's, closed by its user)."""
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return super().session()
        kept = self.__dict__.get("_kept")
        if kept is None or kept[0] is not loop or kept[1].closed:
            fresh = super().session()  # Rasa's headers, authentication and timeout
            session = aiohttp.ClientSession(
                headers=fresh.headers,
                auth=fresh.auth,
                timeout=fresh.timeout,
                connector=aiohttp.TCPConnector(keepalive_timeout=KEEPALIVE_S),
                json_serialize=json_dumps,
            )
            loop.create_task(fresh.close())
            kept = self.__dict__["_kept"] = (loop, session)
        return _Lent(kept[1])

    async def close(self) -> None:
        """Close the kept session, if any (tests; the server's ends with its process)."""
        kept = self.__dict__.pop("_kept", None)
        if kept is not None:
            await kept[1].close()
