"""The watchdog's decisions, without servers: when it kills, and when it waits."""

from __future__ import annotations

from pathlib import Path
from typing import Dict, List

import pytest

from lantern.ops.watchdog import Watched, check_once


class Clock:
    def __init__(self) -> None:
        self.t = 0.0

    def __call__(self) -> float:
        return self.t


def run(
    answers: Dict[str, List[bool | None]],
    rounds: int,
    failures: int = 2,
    grace: float = 30.0,
    beating: bool = False,
):
    clock, killed = Clock(), []
    watched = [Watched("rasa", "rasa"), Watched("actions", "actions")]

    def probe(url: str, timeout: float) -> bool | None:
        return answers[url].pop(0) if answers[url] else True

    for _ in range(rounds):
        killed += check_once(
            watched,
            lambda program: None,
            failures=failures,
            grace=grace,
            timeout=1,
            probe=probe,
            beating=lambda program: beating,
            now=clock,
        )
        clock.t += 1
    return killed


def test_one_failed_check_is_not_enough() -> None:
    assert run({"rasa": [False, True, False, True], "actions": []}, rounds=4) == []


def test_two_failed_checks_in_a_row_kill_that_server_only() -> None:
    assert run({"rasa": [False, False], "actions": []}, rounds=3) == ["rasa"]


def test_a_refused_connection_is_a_restart_in_progress_not_a_wedge() -> None:
    assert run({"rasa": [None, None, None, False, None, False], "actions": []}, rounds=6) == []


def test_after_a_kill_it_waits_for_the_restart_before_judging_again() -> None:
    # down for 10 checks: killed once, then left alone during its grace period
    assert run({"rasa": [False] * 10, "actions": []}, rounds=10, grace=30) == ["rasa"]
    # a server that never comes back is killed again once the grace period is over
    assert run({"rasa": [False] * 40, "actions": []}, rounds=40, grace=30).count("rasa") == 2


def test_a_server_wedged_right_after_its_start_is_killed_without_waiting_out_the_grace() -> None:
    """It beat once (it served), then stopped before any check was answered."""
    clock, killed = Clock(), []
    server = Watched("rasa", "rasa", quiet_until=60.0)  # the start-up grace
    beats = iter([True] + [False] * 20)
    for _ in range(6):
        killed += check_once(
            [server],
            lambda program: None,
            failures=2,
            grace=60.0,
            timeout=1,
            probe=lambda url, timeout: False,
            beating=lambda program: next(beats),
            now=clock,
        )
        clock.t += 1
    assert killed == ["rasa"]


def test_a_slow_server_whose_loop_still_turns_is_left_alone() -> None:
    """Queued behind many conversations, the check times out; the heartbeat is fresh."""
    assert run({"rasa": [False] * 10, "actions": []}, rounds=10, beating=True) == []


def test_the_heartbeat_is_fresh_only_while_the_loop_beats(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import os
    import time

    from lantern.ops import heartbeat
    from lantern.ops.watchdog import beats

    monkeypatch.setenv("LANTERN_VAR_DIR", str(tmp_path))
    assert not beats("rasa")  # never beat
    target = heartbeat.path("rasa")
    target.parent.mkdir(parents=True)
    target.touch()
    assert beats("rasa")
    stale = time.time() - 10
    os.utime(target, (stale, stale))
    assert not beats("rasa")
