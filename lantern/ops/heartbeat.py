"""A server's heartbeat: proof that its event loop still turns, for the watchdog.

A task on the server's own event loop touches `$LANTERN_VAR_DIR/run/<name>.heartbeat`
every half second. A busy server (many conversations queued) still turns its
loop between requests, so its heartbeat stays fresh even when a request waits;
a wedged one (a stuck loop, a stopped process) stops beating. The watchdog kills
a server only when its real-work check fails *and* its heartbeat is stale.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import time
from pathlib import Path
from typing import Any

INTERVAL = 0.5


def path(name: str) -> Path:
    """Where server `name` ("rasa", "actions") beats."""
    return Path(os.environ.get("LANTERN_VAR_DIR", "var")) / "run" / f"{name}.heartbeat"


async def _beat(target: Path) -> None:
    with contextlib.suppress(OSError):
        target.parent.mkdir(parents=True, exist_ok=True)
    while True:
        # a read-only or missing run dir: the watchdog then relies on its check alone
        with contextlib.suppress(OSError):
            target.touch()
        await asyncio.sleep(INTERVAL)


def start(app: Any, name: str) -> None:
    """Beat from `app`'s event loop once it serves (a Sanic app or blueprint)."""

    async def begin(*_: Any) -> None:
        asyncio.get_running_loop().create_task(_beat(path(name)))

    app.listener("after_server_start")(begin)


def age(name: str) -> float | None:
    """Seconds since server `name` last beat (None: it never has)."""
    try:
        return time.time() - path(name).stat().st_mtime
    except OSError:
        return None
