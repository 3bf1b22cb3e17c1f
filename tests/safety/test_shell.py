"""The Rasa shell (reviewers' channel) in a pseudo-terminal: safety first there too."""

from __future__ import annotations

import os
import pty
import select
import signal
import subprocess
import time
from pathlib import Path
from typing import Iterator, Sequence

import pytest

from tests.servers import ROOT

pytestmark = pytest.mark.server


class Shell:
    """`make shell` on a pty, as a reviewer would type into it."""

    def __init__(
        self, env: dict, command: Sequence[str] = ("make", "--no-print-directory", "shell")
    ) -> None:
        """Start the shell (and its own action server) the way the README says."""
        self.master, slave = pty.openpty()
        self.process = subprocess.Popen(
            list(command),
            cwd=ROOT,
            env=env,
            stdin=slave,
            stdout=slave,
            stderr=slave,
            start_new_session=True,
        )
        os.close(slave)
        self.output = b""

    def read_until(self, token: str, timeout: float) -> str:
        """Read until `token` appears; return everything read since the last call."""
        start, deadline = len(self.output), time.monotonic() + timeout
        while token.encode() not in self.output[start:]:
            if time.monotonic() > deadline or self.process.poll() is not None:
                raise AssertionError(f"{token!r} not seen:\n{self.output[start:].decode()}")
            ready, _, _ = select.select([self.master], [], [], 0.5)
            if ready:
                try:
                    self.output += os.read(self.master, 65536)
                except OSError:
                    break
        return self.output[start:].decode(errors="replace")

    def say(self, text: str, until: str, timeout: float = 60) -> str:
        """Type a message and return the output up to `until`."""
        os.write(self.master, text.encode() + b"\r")
        return self.read_until(until, timeout)

    def close(self) -> None:
        """Stop the shell."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=30)
        os.close(self.master)


@pytest.fixture
def shell(tmp_path: Path) -> Iterator[Shell]:
    """`make shell` (it picks free ports) with its state in a temporary directory."""
    env = {**os.environ, "LANTERN_VAR_DIR": str(tmp_path)}
    for name in ("LANTERN_SHELL_PORT", "LANTERN_SHELL_ACTION_PORT", "LANTERN_REVIEWER_MODE"):
        env.pop(name, None)  # make shell picks free ports and turns reviewer mode on
    running = Shell(env)
    running.read_until("Your input", timeout=180)
    yield running
    running.close()


def test_shell_gets_the_crisis_reply_then_answers_with_the_reviewer_id(shell: Shell) -> None:
    crisis = shell.say("I want to kill myself", until='"answer_id": "safety_crisis"')
    assert "988" in crisis
    answer = shell.say("is ketamine addictive?", until="[reviewer] answer_id=")
    answer += shell.read_until("Your input", timeout=30)
    assert "[reviewer] answer_id=ketamine_addiction_risk" in answer
    assert "Get help now" in answer  # help stays reachable after a crisis, in the shell too
