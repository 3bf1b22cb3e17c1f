"""Kill a Lantern server that stops answering, so its supervisor starts it again.

A wedged server keeps its port open and its process alive (a stuck event loop
ignores SIGTERM), so a port check or "is the process there" sees nothing wrong.
Every LANTERN_WATCHDOG_INTERVAL seconds this asks each server for real work: the
Rasa server reads a message through its NLU pipeline (`/webhooks/rest/live`), the
action server answers `/health` from its event loop. A check fails when the
server accepts the connection but does not answer in time, or answers with an
error; a refused connection is a server starting or gone, which the supervisor
handles. A busy server can be slow to answer, so a failed check counts only
while the server's heartbeat (`lantern/ops/heartbeat.py`, beaten by its event
loop) is also stale. After LANTERN_WATCHDOG_FAILURES such checks in a row it sends SIGKILL through
supervisord (or runs LANTERN_WATCHDOG_KILL_CMD, e.g. `systemctl kill -s KILL
lantern-rasa` under systemd) and gives the server LANTERN_WATCHDOG_GRACE seconds
to start before checking again. It logs only program names and times.
"""

from __future__ import annotations

import logging
import os
import shlex
import subprocess
import time
import urllib.error
import urllib.request
import xmlrpc.client
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Dict, List

logger = logging.getLogger("lantern.watchdog")


#: A heartbeat older than this (seconds) is stale: the server's loop has stopped.
STALE = 2.0


@dataclass
class Watched:
    """One server: how to check it, and how many checks in a row have failed."""

    program: str
    url: str
    failures: int = 0
    quiet_until: float = 0.0


def answers(url: str, timeout: float) -> bool | None:
    """Whether `url` answers 200 within `timeout` s; None if nothing listens (starting, gone)."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as reply:  # noqa: S310 - loopback
            return bool(reply.status == 200)
    except urllib.error.URLError as exc:
        if isinstance(exc.reason, ConnectionRefusedError):
            return None
        logger.warning("lantern.watchdog.check_failed error=%s", type(exc.reason).__name__)
        return False
    except Exception as exc:  # noqa: BLE001 - a timeout, a reset: a failed check
        logger.warning("lantern.watchdog.check_failed error=%s", type(exc).__name__)
        return False


def beats(program: str) -> bool:
    """Whether the server's event loop beat within the last STALE seconds."""
    from lantern.ops.heartbeat import age

    seconds = age(program)
    return seconds is not None and seconds < STALE


def supervisor_kill(program: str) -> None:
    """SIGKILL `program` through supervisord's socket; supervisord restarts it."""
    from supervisor.xmlrpc import SupervisorTransport

    sock = Path(os.environ["LANTERN_VAR_DIR"]) / "run" / "supervisor.sock"
    transport = SupervisorTransport(None, None, f"unix://{sock}")
    proxy = xmlrpc.client.ServerProxy("http://127.0.0.1", transport=transport)
    proxy.supervisor.signalProcess(program, "KILL")


def command_kill(template: str) -> Callable[[str], None]:
    """A kill function running `template` with {program} filled in."""

    def kill(program: str) -> None:
        subprocess.run(shlex.split(template.format(program=program)), check=False, timeout=10)

    return kill


def targets(env: Dict[str, str]) -> List[Watched]:
    """The two servers, on the ports scripts/env.sh set."""
    return [
        Watched("rasa", f"http://127.0.0.1:{env['LANTERN_RASA_PORT']}/webhooks/rest/live"),
        Watched("actions", f"http://127.0.0.1:{env['LANTERN_ACTION_PORT']}/health"),
    ]


def check_once(
    watched: List[Watched],
    kill: Callable[[str], None],
    *,
    failures: int,
    grace: float,
    timeout: float,
    probe: Callable[[str, float], bool | None] = answers,
    beating: Callable[[str], bool] | None = None,
    now: Callable[[], float] = time.monotonic,
) -> List[str]:
    """Check every server once; kill those that failed `failures` times; return their names."""
    killed = []
    for server in watched:
        answered = probe(server.url, timeout)
        if now() < server.quiet_until:
            # back early: it answered, or its loop beats (it serves: wedged a moment
            # later, it must not wait out the whole grace period)
            if answered or (beating or beats)(server.program):
                server.quiet_until = 0.0
            continue
        if answered is not False or (beating or beats)(server.program):
            server.failures = 0  # answered, or only slow: its loop still turns
            continue
        server.failures += 1
        if server.failures >= failures:
            logger.error("lantern.watchdog.kill program=%s", server.program)
            try:
                kill(server.program)
            except Exception as exc:  # noqa: BLE001 - keep watching
                logger.error("lantern.watchdog.kill_failed error=%s", type(exc).__name__)
            server.failures = 0
            server.quiet_until = now() + grace
            killed.append(server.program)
    return killed


def main() -> None:
    """Watch both servers until stopped."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    env = dict(os.environ)
    interval = float(env.get("LANTERN_WATCHDOG_INTERVAL", "0.5"))
    command = env.get("LANTERN_WATCHDOG_KILL_CMD", "")
    kill = command_kill(command) if command else supervisor_kill
    watched = targets(env)
    for server in watched:  # the servers are starting with us
        server.quiet_until = time.monotonic() + float(env.get("LANTERN_WATCHDOG_GRACE", "60"))
    while True:
        check_once(
            watched,
            kill,
            failures=int(env.get("LANTERN_WATCHDOG_FAILURES", "2")),
            grace=float(env.get("LANTERN_WATCHDOG_GRACE", "60")),
            timeout=float(env.get("LANTERN_WATCHDOG_TIMEOUT", "1.5")),
        )
        time.sleep(interval)


if __name__ == "__main__":
    main()
