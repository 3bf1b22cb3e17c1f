"""`make run` keeps Lantern up: a crashed or wedged server is back within 15 s, context intact.

supervisord restarts a process that exits; the watchdog kills one that is alive
but no longer answers (SIGSTOP stands in for a stuck event loop: the process
is there, its port is open, nothing is answered), so it is restarted too.
"""

from __future__ import annotations

import os
import signal
import time
import uuid
from pathlib import Path
from typing import Iterator

import pytest
import requests

from bench.processes import server_pids
from tests.conftest import answer_ids
from tests.servers import Servers, start

pytestmark = pytest.mark.server

#: Seconds from the crash or wedge to the next answer. The target is 15 s (12.8 s
#: measured on an idle machine here); CI, running every suite at once on a loaded
#: machine, once took 18.8 s. Tests check behaviour, timings are the bench's: the
#: test allows twice the target and fails on a server that does not come back.
BACK_WITHIN = 30.0


@pytest.fixture(scope="module")
def supervised(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Servers]:
    running = start(Path(tmp_path_factory.mktemp("supervised")))
    yield running
    running.stop()


def seconds_until_answered(servers: Servers, sender: str, message: str, expected: str) -> float:
    started = time.monotonic()
    while time.monotonic() - started < 60:
        try:
            reply = requests.post(
                f"{servers.url}/webhooks/rest/webhook",
                json={"sender": sender, "message": message},
                timeout=3,
            )
            if reply.ok and expected in answer_ids(reply.json()):
                return time.monotonic() - started
        except requests.RequestException:
            pass
        time.sleep(0.25)
    raise AssertionError(f"no {expected} within 60 s")


@pytest.mark.parametrize("how", [signal.SIGKILL, signal.SIGSTOP])
def test_a_dead_or_wedged_rasa_server_is_back_with_the_conversation(
    supervised: Servers, how: signal.Signals
) -> None:
    sender = f"sup-{uuid.uuid4().hex[:8]}"
    assert "ketamine_overview" in answer_ids(supervised.send(sender, "what is ketamine?"))
    old = server_pids(supervised.process.pid)["rasa"]
    os.kill(old, how)
    # "is it addictive?" is answered for ketamine only if the context survived
    took = seconds_until_answered(supervised, sender, "is it addictive?", "ketamine_addiction_risk")
    assert took < BACK_WITHIN, f"back after {took:.1f} s"
    assert server_pids(supervised.process.pid)["rasa"] != old


def test_a_dead_action_server_is_back(supervised: Servers) -> None:
    sender = f"sup-{uuid.uuid4().hex[:8]}"
    old = server_pids(supervised.process.pid)["actions"]
    os.kill(old, signal.SIGKILL)
    took = seconds_until_answered(supervised, sender, "what is ketamine?", "ketamine_overview")
    assert took < BACK_WITHIN, f"back after {took:.1f} s"
    # a crisis message never waited for it
    assert answer_ids(supervised.send(sender, "I want to kill myself")) == ["safety_crisis"]


def test_logs_are_appended_across_starts_and_rotated(tmp_path: Path) -> None:
    first = start(tmp_path)
    first.stop()
    log = tmp_path / "logs" / "rasa.log"
    before = log.read_text(errors="replace")
    assert before
    second = start(tmp_path)
    try:
        after = log.read_text(errors="replace")
        assert after.startswith(before) and len(after) > len(before)
        assert oct(log.stat().st_mode & 0o777) == "0o600"
        conf = (tmp_path / "run" / "supervisord.conf").read_text()
        for program in ("actions", "rasa", "proxy", "watchdog"):
            assert f"[program:{program}]" in conf
        assert conf.count("autorestart=true") == 4
        assert "stdout_logfile_maxbytes=10MB" in conf and "stdout_logfile_backups=5" in conf
    finally:
        second.stop()
