"""The benchmark's own checks: reply validation, failure counting, log and profile parsing."""

from __future__ import annotations

import asyncio
import json
import os
from pathlib import Path

import pytest
from aiohttp import web

from bench import load, perf_measure, perf_targets, processes, profile_summary


def reply(*messages: dict) -> bytes:
    return json.dumps(list(messages)).encode()


def test_check_reply_accepts_only_http_200_with_an_answer_id() -> None:
    good = reply({"text": "hi"}, {"custom": {"answer_id": "welcome"}})
    assert load.check_reply(200, good) is None
    assert load.check_reply(500, good) == "http_500"
    assert load.check_reply(200, reply({"text": "no id"})) == "no_answer_id"
    assert load.check_reply(200, b"[]") == "no_answer_id"
    assert load.check_reply(200, b"not json") == "invalid_json"
    assert load.check_reply(200, b'{"custom": {"answer_id": "x"}}') == "invalid_json"
    down = reply({"custom": {"answer_id": "service_unavailable"}})
    assert load.check_reply(200, down) == "service_unavailable"


def test_run_level_counts_failures_and_keeps_one_sender_per_conversation(
    unused_tcp_port: int,
) -> None:
    senders: dict = {}

    async def webhook(request: web.Request) -> web.Response:
        body = await request.json()
        senders.setdefault(body["sender"], []).append(body["message"])
        if body["message"] == "menu":
            return web.Response(status=500)
        if body["message"].startswith("I want"):
            return web.json_response([{"text": "no id"}])
        return web.json_response([{"custom": {"answer_id": "ok"}}])

    async def scenario() -> load.LevelResult:
        app = web.Application()
        app.router.add_post(load.WEBHOOK, webhook)
        runner = web.AppRunner(app)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", unused_tcp_port).start()
        try:
            return await load.run_level(f"http://127.0.0.1:{unused_tcp_port}", 3, 1.0)
        finally:
            await runner.cleanup()

    result = asyncio.run(scenario())
    assert result.messages == result.ok + result.failed > 0
    assert result.failures.get("http_500", 0) > 0
    assert result.ok > 0 and result.p50_ms > 0 and result.throughput > 0
    # every conversation has its own sender id and follows one script in order
    scripts = [list(s) for s in load.CONVERSATIONS]
    for messages in senders.values():
        assert any(s[: len(messages)] == messages for s in scripts)
    assert len(senders) >= 3


def test_paced_conversations_offer_the_rate_and_count_late_messages(unused_tcp_port: int) -> None:
    delay = {"s": 0.0}

    async def webhook(request: web.Request) -> web.Response:
        await asyncio.sleep(delay["s"])
        return web.json_response([{"custom": {"answer_id": "ok"}}])

    async def scenario() -> list:
        app = web.Application()
        app.router.add_post(load.WEBHOOK, webhook)
        runner = web.AppRunner(app)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", unused_tcp_port).start()
        url = f"http://127.0.0.1:{unused_tcp_port}"
        try:
            fast = await load.run_level(url, 5, 2.0, offered=50.0)
            closed = await load.run_level(url, 5, 1.0)
            delay["s"] = 0.1  # each conversation can send at most 10 msg/s, 20 were asked
            slow = await load.run_level(url, 5, 2.0, offered=100.0)
            return [fast, closed, slow]
        finally:
            await runner.cleanup()

    fast, closed, slow = asyncio.run(scenario())
    assert fast.offered == 50.0 and closed.offered is None
    assert 30 <= fast.throughput <= 70  # Poisson around the 50 offered, not as fast as possible
    assert fast.late <= fast.messages // 10
    assert closed.throughput > 2 * fast.throughput
    assert slow.throughput <= 55 and slow.late > slow.messages // 2
    assert fast.failed == slow.failed == 0


def test_server_errors_counts_by_logger_and_error_type() -> None:
    logs = "\n".join(
        [
            "2026-11-21 14:33:24 ERROR    lantern.channels.guard  - lantern.message.failed "
            "error=TimeoutError",
            "2026-11-21 14:33:25 ERROR    lantern.channels.guard  - lantern.message.failed "
            "error=TimeoutError",
            "2026-11-21 14:33:26 ERROR    rasa.core.actions.action  - Failed to run",
            "2026-11-21 14:33:27 INFO     rasa.core.processor  - fine",
        ]
    )
    assert perf_measure.server_errors(logs) == {
        "lantern.channels.guard (TimeoutError)": 2,
        "rasa.core.actions.action": 1,
    }


def test_process_tree_memory_and_cpu_of_this_process() -> None:
    pid = os.getpid()
    assert pid in processes.process_tree(pid)
    assert processes.rss_bytes(pid) > 10 * 1024 * 1024
    assert 0 < processes.rss_bytes(pid, "RssFile") < processes.rss_bytes(pid)
    assert processes.cpu_seconds(pid) > 0


def test_evaluate_marks_each_target_and_the_ratio() -> None:
    system = {
        "levels": [
            {"concurrency": 1, "p50_ms": 10.0, "failed": 0},
            {"concurrency": 50, "throughput": 100.0, "p95_ms": 300.0, "failed": 2},
            {"concurrency": 50, "offered": 160.0, "throughput": 155.0, "p95_ms": 90.0, "failed": 0},
        ],
        "ready_s": 5.0,
        "rss_mib_after_load": {"rasa": 500.0},
        "training": {"seconds": 60.0},
        "routing": {
            "v3 (blind)": {"accuracy": 0.96},
            "v6 (blind)": {"accuracy": 0.93},
            "v5 (dev)": {"accuracy": 0.94},
        },
    }
    base = {**system, "ready_s": 10.0}
    rows = {
        r["metric"]: r
        for r in perf_targets.evaluate({"systems": {"lantern": system, "baseline": base}})
    }
    assert rows["p50 latency, 1 conversation"]["lantern_pass"] is True
    assert rows["throughput, 50 conversations, closed loop (capacity)"]["lantern_pass"] is False
    assert rows["throughput, 50 conversations offering 160 msg/s"]["lantern"] == 155.0
    assert rows["throughput, 50 conversations offering 160 msg/s"]["lantern_pass"] is True
    assert rows["p95 latency, 50 conversations offering 160 msg/s"]["lantern_pass"] is True
    closed_p95 = rows["p95 latency, 50 conversations, closed loop (queue of 50)"]
    assert closed_p95["lantern"] == 300.0 and closed_p95["lantern_pass"] is None
    assert rows["failed requests (all levels)"]["lantern_pass"] is False
    assert rows["start to ready"]["ratio"] == 0.5
    assert rows["routing accuracy, blind set v3"]["lantern_pass"] is True
    assert rows["routing accuracy, blind set v6"]["lantern_pass"] is False
    assert rows["routing accuracy, dev set v5"]["lantern_pass"] is None  # no target on a dev set


def test_profile_summary_buckets_and_skips_idle_threads(tmp_path: Path) -> None:
    raw = tmp_path / "profile.txt"
    raw.write_text(
        "\n".join(
            [
                "<module> (rasa:8);run (rasa/core/actions/action.py:790);"
                "_validate_action_result (rasa/core/actions/action.py:704) 30",
                "<module> (rasa:8);save (rasa/core/tracker_store.py:1400);"
                "do_commit (sqlalchemy/engine/default.py:686) 10",
                "iter_errors (jsonschema/validators.py:288) 10",
                "_bootstrap (threading.py:973);_worker (concurrent/futures/thread.py:81) 500",
            ]
        )
    )
    rows, total = profile_summary.summarise(raw)
    assert total == 50
    assert dict(rows) == {
        "action response JSON-schema check (RemoteAction._validate_action_result)": 40,
        "tracker store save (SQLite count + insert + commit)": 10,
    }


class _FakeRouter:
    """Routes every text to the id named by its first word."""

    def route(self, text: str, context: object = None) -> object:
        from actions.context import Context
        from bench.model import Routed

        return Routed(text.split()[0], "x", 1.0, Context())


def test_nlu_report_never_writes_out_a_blind_sets_misrouted_texts(tmp_path: Path) -> None:
    from bench import nlu_report

    (tmp_path / "holdout.yml").write_text(
        "questions:\n"
        "  - {text: 'a secret one', answer_id: a}\n"
        "  - {text: 'b secret two', answer_id: a}\n"
    )
    blind = nlu_report.evaluate(_FakeRouter(), tmp_path, blind=True)  # type: ignore[arg-type]
    dev = nlu_report.evaluate(_FakeRouter(), tmp_path)  # type: ignore[arg-type]
    assert blind["accuracy"] == dev["accuracy"] == 0.5
    assert blind["confusions"] == [{"expected": "a", "got": "b", "count": 1}]
    assert "secret" not in json.dumps(blind) + nlu_report.markdown(blind, "v")
    assert dev["misses"] == [{"text": "b secret two", "expected": "a", "got": "b"}]
    assert all(blind for name, (_, blind, _) in nlu_report.HOLDOUT_SETS.items() if "blind" in name)
    assert {"v3 (blind)", "v6 (blind)"} <= set(nlu_report.HOLDOUT_SETS)
    left = nlu_report.evaluate(_FakeRouter(), tmp_path, blind=True, leave_out="b secret")  # type: ignore[arg-type]
    assert (left["questions"], left["accuracy"]) == (1, 1.0)


def test_nlu_report_measures_also_without_questions_that_are_training_examples(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bench import nlu_report

    (tmp_path / "holdout.yml").write_text(
        "questions:\n"
        "  - {text: 'a Written twice?', answer_id: a}\n"
        "  - {text: 'b only here', answer_id: a}\n"
        "  - {text: 'a only here', answer_id: a}\n"
    )
    real = nlu_report.training_texts
    monkeypatch.setattr(nlu_report, "training_texts", lambda: frozenset({"a written twice"}))
    r = nlu_report.evaluate(_FakeRouter(), tmp_path, blind=True)  # type: ignore[arg-type]
    assert r["also_in_training"] == 1
    assert (r["accuracy"], r["accuracy_not_in_training"]) == (2 / 3, 0.5)
    assert nlu_report.normalise("  Is [ket] OK?! ") == "is [ket] ok"
    texts = real()  # the project's data, as Rasa reads it
    assert "is ketamine addictive" in texts
    assert not any("](" in t or "]{" in t for t in texts)  # entity markup removed


def test_lantern_trains_as_make_train_does_and_the_baseline_as_rasa_does(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    commands: list = []

    def run(cmd: list, **kwargs: object) -> object:
        commands.append(cmd)
        return type("Done", (), {"returncode": 0})()

    monkeypatch.setattr(perf_measure.subprocess, "run", run)
    monkeypatch.setattr(perf_measure, "MODELS_OUT", tmp_path)
    config = tmp_path / "config.yml"
    config.write_text("recipe: default.v1\n")
    for name in ("lantern", "baseline"):
        assert perf_measure.train(config, tmp_path / "out", name)["ok"]
    assert commands[0][1:4] == ["-m", "lantern.rasa_main", "train"]
    assert commands[1][0].endswith("/rasa") and commands[1][1] == "train"
    assert "-m lantern.rasa_main train" in (perf_measure.ROOT / "scripts/train.sh").read_text()
