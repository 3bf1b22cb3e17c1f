"""results/bench.md: the benchmark's report rendered as Markdown for people to read."""

from __future__ import annotations

from typing import Any, Dict

from bench.perf_targets import SYSTEMS, level


def fmt(value: Any, unit: str) -> str:
    """A metric's value with its unit (`n/a` when it was not measured)."""
    if value is None:
        return "n/a"
    if unit == "%":
        return f"{value:.1%}"
    if unit in ("", "msg/s") and float(value).is_integer():
        return f"{int(value)}" + (f" {unit}" if unit else "")
    return f"{value:.1f} {unit}".strip()


def round_or_na(value: Any) -> Any:
    """A float rounded to 2 places; anything else (not measured) as `n/a`."""
    return round(value, 2) if isinstance(value, float) else "n/a"


def verdict_cell(v: bool | None, has_target: bool) -> str:
    """PASS, **FAIL** or n/a for a metric with a target; empty without one."""
    if not has_target:
        return ""
    return "n/a" if v is None else ("PASS" if v else "**FAIL**")


def markdown(report: Dict[str, Any]) -> str:
    """The report as Markdown."""
    m = report["machine"]
    rows = report["rows"]
    lines = [
        "# Lantern benchmark (`make bench`)",
        "",
        f"- date: {m['date']}; commit {m['commit']}; Rasa {m['rasa']}, Python {m['python']}",
        f"- machine: {m['cores']} cores, {m['cpu_model']}, {m['memory_gib']} GiB; "
        f"load average at start {m['load_average_at_start']} "
        "(other work on the machine makes every timing noisy; CPU per message is the "
        "steadier number)",
        f"- load: over REST (bench/load.py, asyncio + aiohttp), "
        f"{report['settings']['seconds']:.0f} s per level after "
        f"{report['settings']['warmup']:.0f} s warm-up; each conversation has its own sender "
        "id and a realistic mix (greetings, knowledge questions, follow-ups, menu, about 1 "
        "message in 14 a safety text); a request counts only with HTTP 200 and a "
        "`custom.answer_id`",
        "- closed loop: each conversation sends its next message as soon as the reply "
        "arrives, so the server is saturated and measures its capacity; with 50 "
        "conversations the latency is the queue of 50 (Little's law: mean = 50 / "
        "throughput, 333 ms at 150 msg/s), whatever the server does",
        "- paced: 50 conversations together offer 160 msg/s (Poisson times from a fixed "
        "seed, never before the previous reply: 'late' counts those sent later than "
        "planned); the p95 target is read here, at the load the throughput target names",
        f"- baseline: {report['baseline_config']}",
        "- served: "
        + "; ".join(
            f"{n} {s.get('model')} (modified {s.get('model_modified')})"
            for n, s in report["systems"].items()
            if s.get("model")
        ),
        f"- routing accuracy: Lantern from {report['systems']['lantern'].get('routing_source')}"
        "; the baseline measured with the same code (bench/nlu_report.py)",
        "",
        "## Targets (2-core machine, one instance) and side by side",
        "",
        "| metric | Lantern | baseline | Lantern / baseline | target | Lantern | baseline |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for r in rows:
        ratio = f"{r['ratio']:.2f}x" if r["ratio"] is not None else "n/a"
        lines.append(
            f"| {r['metric']} | {fmt(r['lantern'], r['unit'])} | "
            f"{fmt(r['baseline'], r['unit'])} | {ratio} | {r['target']} | "
            f"{verdict_cell(r['lantern_pass'], bool(r['target']))} | "
            f"{verdict_cell(r['baseline_pass'], bool(r['target']))} |"
        )
    missed = report["missed_targets"]
    lines += [
        "",
        f"**Lantern missed {len(missed)} target(s)**: " + ", ".join(missed)
        if missed
        else "**Lantern met every target.**",
        "",
        "## Load levels",
        "",
        "| system | conversations | offered msg/s (late) | msg/s | p50 ms | p95 ms | p99 ms | "
        "ok | failed | Rasa CPU ms/msg | actions CPU ms/msg | client CPU ms/msg |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for name in SYSTEMS:
        system = report["systems"].get(name, {})
        if "error" in system:
            lines.append(f"| {name} | **{system['error'][:200]}** | | | | | | | | | | |")
        for lv in system.get("levels", []):
            cpu = lv.get("cpu_ms_per_message", {})
            failed = f"**{lv['failed']} FAILED** {lv['failures']}" if lv["failed"] else "0"
            offered = (
                f"{lv['offered']:.0f} ({lv.get('late', 0)})" if lv.get("offered") else "closed loop"
            )
            lines.append(
                f"| {name} | {lv['concurrency']} | {offered} | {lv['throughput']:.1f} | "
                f"{lv['p50_ms']:.1f} | "
                f"{lv['p95_ms']:.1f} | {lv['p99_ms']:.1f} | {lv['ok']} | {failed} | "
                f"{cpu.get('rasa', 0):.1f} | {cpu.get('actions', 0):.1f} | "
                f"{cpu.get('load client', 0):.1f} |"
            )
    lines += [
        "",
        "Rasa serves from one process and one event loop, so one core bounds it: "
        "1000 / (Rasa CPU ms per message) is the most messages per second it could "
        "serve with a core to itself:",
        "",
    ]
    for name in SYSTEMS:
        cpu = level(report["systems"].get(name, {}), 50).get("cpu_ms_per_message", {})
        if cpu.get("rasa"):
            lines.append(f"- {name}: about {1000 / cpu['rasa']:.0f} msg/s")
    lines += [
        "",
        "## Start, memory, training",
        "",
        "| system | run.sh 'running' | first answer (ready) | Rasa RSS idle / after load "
        "(file-backed) | action server RSS after load | cold training | 1-min load before "
        "training / serving |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for name in SYSTEMS:
        s = report["systems"].get(name, {})
        t = s.get("training", {})
        idle, after = s.get("rss_mib_idle", {}), s.get("rss_mib_after_load", {})
        file_backed = s.get("rss_file_backed_mib_after_load", {})
        training = f"{t['seconds']} s" if "seconds" in t else "n/a"
        if t and not t.get("ok", False):
            training += f" (**FAILED**: {t.get('error') or 'see ' + str(t.get('log'))})"
        lines.append(
            f"| {name} | {s.get('running_s', 'n/a')} s | {s.get('ready_s', 'n/a')} s | "
            f"{idle.get('rasa', 'n/a')} / {after.get('rasa', 'n/a')} MiB "
            f"({file_backed.get('rasa', 'n/a')}) | {after.get('actions', 'n/a')} MiB | "
            f"{training} | {t.get('load_average_1min_before', 'n/a')} / "
            f"{round_or_na(s.get('load_average_1min_before'))} |"
        )
    errors = [f"- {n}: {s['error']}" for n, s in report["systems"].items() if s.get("error")]
    errors += [
        f"- {n}: ERROR lines in the server logs during the run (by logger): {s['server_errors']}"
        for n, s in report["systems"].items()
        if s.get("server_errors")
    ]
    if errors:
        lines += ["", "## Errors", "", *errors]
    return "\n".join(lines) + "\n"
