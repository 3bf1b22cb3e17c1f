"""`make bench`: speed, memory and training time of Lantern beside Rasa's default config.

Writes results/bench.md and results/bench.json. In one run it:

1. times a cold training of Lantern as `make train` runs it (`python -m
   lantern.rasa_main train`, into a temporary directory; models/ is not
   touched) and of the baseline with Rasa's own `rasa train`
   (`bench/baseline/config.yml`, the `rasa init` template, on Lantern's own
   domain and data) into results/bench-models/;
2. starts each model the way `make run` does (scripts/run.sh through
   tests/servers.py, free ports, a throwaway LANTERN_VAR_DIR), times start to
   the first answered message, loads it over REST at 1, 10 and 50 concurrent
   conversations (bench/load.py, closed loop: capacity), then with 50
   conversations offering 160 msg/s (paced: latency at that load), and reads
   both servers' memory (RSS) and CPU;
3. takes routing accuracy from results/nlu_report.json (`make nlu-report`) and
   measures the baseline's with the same code (aggregate numbers only).

It measures and reports; it never fails on a missed target (exit 0), but prints them.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib
import json
import logging
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Callable, Dict, List, Tuple

import requests

from bench import load
from bench.model import ROOT

RESULTS = ROOT / "results"
MODELS_OUT = RESULTS / "bench-models"
VENV_BIN = ROOT / ".venv" / "bin"
LANTERN_MODEL = ROOT / "models" / "lantern.tar.gz"
BASELINE_CONFIG = ROOT / "bench" / "baseline" / "config.yml"
LEVELS = (1, 10, 50)
#: paced levels: 50 conversations together offering 160 msg/s, the throughput
#: target (150) with 7% to spare, at which the p95 target is measured
PACED = ((50, 160.0),)
MIB = 1024 * 1024
READY_MESSAGE = "is ketamine addictive?"
SYSTEMS = ("lantern", "baseline")


# --- processes (/proc; psutil is not in the venv) ---------------------------------------


def _children(pid: int) -> List[int]:
    kids: List[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            kids += [int(k) for k in (task / "children").read_text().split()]
        except OSError:
            continue
    return kids


def process_tree(pid: int) -> List[int]:
    """`pid` and all its descendants."""
    tree, todo = [], [pid]
    while todo:
        p = todo.pop()
        tree.append(p)
        todo += _children(p)
    return tree


def rss_bytes(pid: int, field: str = "VmRSS") -> int:
    """Resident memory of `pid` and its descendants (`RssFile`: the file-backed part)."""
    total = 0
    for p in process_tree(pid):
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith(field + ":"):
                    total += int(line.split()[1]) * 1024
        except OSError:
            continue
    return total


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of `pid` and its descendants so far."""
    ticks = 0
    for p in process_tree(pid):
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        ticks += int(fields[11]) + int(fields[12])  # utime, stime
    return ticks / os.sysconf("SC_CLK_TCK")


def server_pids(launcher: int) -> Dict[str, int]:
    """The Rasa server and action server started by scripts/run.sh (pid `launcher`)."""
    found: Dict[str, int] = {}
    for pid in process_tree(launcher)[1:]:
        try:
            cmd = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        if "actions.server" in cmd:
            found["actions"] = pid
        elif "lantern.rasa_main run" in cmd:
            found["rasa"] = pid
    return found


# --- machine, training ------------------------------------------------------------------


def machine() -> Dict[str, Any]:
    """Cores, CPU model, memory, date, load and versions."""
    model = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor() or "unknown",
    )
    mem = next(
        int(line.split()[1]) * 1024
        for line in Path("/proc/meminfo").read_text().splitlines()
        if line.startswith("MemTotal:")
    )
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    import rasa

    return {
        "date": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "cores": os.cpu_count(),
        "cpu_model": model,
        "memory_gib": round(mem / 1024**3, 1),
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
        "python": platform.python_version(),
        "rasa": rasa.__version__,
        "commit": commit,
    }


def _rel(path: Path) -> str:
    try:
        return str(path.relative_to(ROOT))
    except ValueError:
        return str(path)


def rasa_template() -> Path:
    """The config.yml that `rasa init` copies, inside the installed Rasa package."""
    import rasa

    return Path(rasa.__file__).parent / "cli" / "initial_project" / "config.yml"


#: how each system trains: Lantern as `make train` does (scripts/train.sh), the
#: baseline with Rasa's own command
TRAIN_COMMANDS = {
    "lantern": [str(VENV_BIN / "python"), "-m", "lantern.rasa_main", "train"],
    "baseline": [str(VENV_BIN / "rasa"), "train"],
}


def train(config: Path, out: Path, name: str) -> Dict[str, Any]:
    """Time a cold training (own empty cache) of Lantern's domain and data with `config`."""
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="bench-train-") as tmp:
        # a copy: Rasa writes the defaults it chose back into an incomplete config file
        config_copy = Path(tmp) / "config.yml"
        shutil.copy(config, config_copy)
        env = {**os.environ, "RASA_CACHE_DIRECTORY": str(Path(tmp) / "cache"), "TQDM_DISABLE": "1"}
        cmd = [
            *TRAIN_COMMANDS[name],
            "--config",
            str(config_copy),
            "--domain",
            "domain.yml",
            "--data",
            "data",
            "--out",
            str(out),
            "--fixed-model-name",
            name,
        ]
        log = MODELS_OUT / f"train-{name}.log"
        load_before = os.getloadavg()[0]
        start = time.perf_counter()
        with log.open("w") as fh:
            done = subprocess.run(cmd, cwd=ROOT, env=env, stdout=fh, stderr=subprocess.STDOUT)
        seconds = time.perf_counter() - start
        effective = MODELS_OUT / f"{name}-config-effective.yml"
        shutil.copy(config_copy, effective)
    return {
        "seconds": round(seconds, 1),
        "ok": done.returncode == 0,
        "model": str(out / f"{name}.tar.gz"),
        "log": _rel(log),
        "effective_config": _rel(effective),
        "load_average_1min_before": round(load_before, 2),
    }


# --- serving ----------------------------------------------------------------------------


def _answered(url: str) -> bool:
    try:
        r = requests.post(
            url + load.WEBHOOK, json={"sender": "bench-ready", "message": READY_MESSAGE}, timeout=30
        )
    except requests.RequestException:
        return False
    return load.check_reply(r.status_code, r.content) is None


def serve_and_load(
    model: Path,
    levels: Tuple[int, ...],
    seconds: float,
    warmup: float,
    paced: Tuple[Tuple[int, float], ...] = PACED,
) -> Dict[str, Any]:
    """Start `model` as `make run` does, time readiness, load it, read memory and CPU."""
    # imported by name: tests/ is not a package mypy checks for bench
    start = importlib.import_module("tests.servers").start
    var_dir = Path(tempfile.mkdtemp(prefix="bench-var-"))
    fingerprint = model.with_suffix("").with_suffix(".fingerprint")
    result: Dict[str, Any] = {
        "model": _rel(model),
        "model_modified": dt.datetime.fromtimestamp(
            model.stat().st_mtime, dt.timezone.utc
        ).isoformat(timespec="seconds"),
        "model_fingerprint": fingerprint.read_text().strip() if fingerprint.exists() else None,
        "load_average_1min_before": os.getloadavg()[0],
    }
    t0 = time.perf_counter()
    try:
        servers = start(var_dir, {"LANTERN_MODEL": str(model)})
    except RuntimeError as exc:
        shutil.rmtree(var_dir, ignore_errors=True)
        return {**result, "error": f"servers did not start: {str(exc)[-2000:]}"}
    try:
        result["running_s"] = round(time.perf_counter() - t0, 2)  # run.sh printed "running"
        while not _answered(servers.url):
            if time.perf_counter() - t0 > 300:
                result["error"] = "no answered message within 300 s"
                return result
            time.sleep(0.05)
        result["ready_s"] = round(time.perf_counter() - t0, 2)
        pids = server_pids(servers.process.pid)
        result["rss_mib_idle"] = {k: round(rss_bytes(p) / MIB, 1) for k, p in pids.items()}

        def cpu() -> Dict[str, float]:
            return {
                **{k: cpu_seconds(p) for k, p in pids.items()},
                "load client": time.process_time(),
            }

        levels_out = load.run(servers.url, levels, seconds, warmup, cpu=cpu, paced=paced)
        result["levels"] = [r.to_dict() for r in levels_out]
        result["rss_mib_after_load"] = {k: round(rss_bytes(p) / MIB, 1) for k, p in pids.items()}
        result["rss_file_backed_mib_after_load"] = {
            k: round(rss_bytes(p, "RssFile") / MIB, 1) for k, p in pids.items()
        }
        for r in levels_out:
            print(f"    {load.describe(r)}", flush=True)
        result["server_errors"] = server_errors(servers.logs())
    finally:
        servers.stop()
        shutil.rmtree(var_dir, ignore_errors=True)
    return result


def server_errors(logs: str) -> Dict[str, int]:
    """ERROR log lines counted by logger (and error type for the guard's, which never logs text)."""
    counts: Dict[str, int] = {}
    for line in logs.splitlines():
        match = re.search(r"\sERROR\s+([\w.]+)\s+-", line)
        if not match:
            continue
        key = match.group(1)
        failed = re.search(r"lantern\.message\.failed error=(\w+)", line)
        if failed:
            key += f" ({failed.group(1)})"
        counts[key] = counts.get(key, 0) + 1
    return counts


def routing(model: Path) -> Dict[str, Any]:
    """The baseline's routing accuracy with `bench.nlu_report`'s own code (aggregates only)."""
    from rasa.utils.log_utils import configure_structlog

    from bench.model import Router
    from bench.nlu_report import run

    # unconfigured, Rasa's structlog prints every parsed text (debug) to stdout: the
    # held-out texts must never be shown
    configure_structlog(logging.WARNING)
    reports = run(Router(model))
    return {name: _aggregate(r) for name, r in reports.items()}


def _aggregate(r: Dict[str, Any]) -> Dict[str, Any]:
    return {k: r[k] for k in ("questions", "accuracy", "turns", "turn_accuracy")}


def lantern_routing() -> Dict[str, Any]:
    """Lantern's routing accuracy from results/nlu_report.json (`make nlu-report`)."""
    path = RESULTS / "nlu_report.json"
    if not path.exists():
        return {}
    data = json.loads(path.read_text())
    out: Dict[str, Any] = {name: _aggregate(r) for name, r in data.items()}
    modified = dt.datetime.fromtimestamp(path.stat().st_mtime, dt.timezone.utc)
    out["_source"] = f"results/nlu_report.json ({modified.isoformat(timespec='seconds')})"
    return out


# --- report -----------------------------------------------------------------------------


def _level(system: Dict[str, Any], concurrency: int, paced: bool = False) -> Dict[str, Any]:
    """The closed-loop level with `concurrency` conversations (or the paced one)."""
    return next(
        (
            lv
            for lv in system.get("levels", [])
            if lv["concurrency"] == concurrency and bool(lv.get("offered")) == paced
        ),
        {},
    )


def _accuracy(name: str) -> Callable[[Dict[str, Any]], float | None]:
    """The getter of a system's routing accuracy on held-out set `name`."""

    def accuracy(system: Dict[str, Any]) -> float | None:
        r = system.get("routing", {}).get(name)
        return float(r["accuracy"]) if r else None

    return accuracy


Getter = Callable[[Dict[str, Any]], Any]

#: (label, getter, unit, target check or None, target text)
ROWS: List[Tuple[str, Getter, str, Callable[[float], bool] | None, str]] = [
    ("routing accuracy, blind set v3", _accuracy("v3 (blind)"), "%", lambda v: v >= 0.95, ">= 95%"),
    ("routing accuracy, blind set v6", _accuracy("v6 (blind)"), "%", lambda v: v >= 0.95, ">= 95%"),
    ("routing accuracy, dev set v5", _accuracy("v5 (dev)"), "%", None, ""),
    ("routing accuracy, dev set v2", _accuracy("v2 (dev)"), "%", None, ""),
    ("routing accuracy, dev set v1", _accuracy("v1 (dev)"), "%", None, ""),
    (
        "throughput, 50 conversations, closed loop (capacity)",
        lambda s: _level(s, 50).get("throughput"),
        "msg/s",
        lambda v: v >= 150,
        ">= 150 msg/s",
    ),
    (
        "throughput, 50 conversations offering 160 msg/s",
        lambda s: _level(s, 50, paced=True).get("throughput"),
        "msg/s",
        lambda v: v >= 150,
        ">= 150 msg/s",
    ),
    (
        "p95 latency, 50 conversations offering 160 msg/s",
        lambda s: _level(s, 50, paced=True).get("p95_ms"),
        "ms",
        lambda v: v <= 250,
        "<= 250 ms",
    ),
    (
        "p95 latency, 50 conversations, closed loop (queue of 50)",
        lambda s: _level(s, 50).get("p95_ms"),
        "ms",
        None,
        "",
    ),
    (
        "p50 latency, 1 conversation",
        lambda s: _level(s, 1).get("p50_ms"),
        "ms",
        lambda v: v <= 15,
        "<= 15 ms",
    ),
    (
        "failed requests (all levels)",
        lambda s: sum(lv["failed"] for lv in s["levels"]) if "levels" in s else None,
        "",
        lambda v: v == 0,
        "0",
    ),
    ("start to ready", lambda s: s.get("ready_s"), "s", lambda v: v <= 10, "<= 10 s"),
    (
        "Rasa server RSS after load",
        lambda s: s.get("rss_mib_after_load", {}).get("rasa"),
        "MiB",
        lambda v: v <= 600,
        "<= 600 MiB",
    ),
    (
        "action server RSS after load",
        lambda s: s.get("rss_mib_after_load", {}).get("actions"),
        "MiB",
        None,
        "",
    ),
    (
        "training (cold cache)",
        lambda s: s.get("training", {}).get("seconds"),
        "s",
        lambda v: v <= 90,
        "<= 90 s",
    ),
    (
        "Rasa server CPU per message, 50 conversations",
        lambda s: _level(s, 50).get("cpu_ms_per_message", {}).get("rasa"),
        "ms",
        None,
        "",
    ),
]


def _fmt(value: Any, unit: str) -> str:
    if value is None:
        return "n/a"
    if unit == "%":
        return f"{value:.1%}"
    if unit in ("", "msg/s") and float(value).is_integer():
        return f"{int(value)}" + (f" {unit}" if unit else "")
    return f"{value:.1f} {unit}".strip()


def evaluate(report: Dict[str, Any]) -> List[Dict[str, Any]]:
    """One row per metric: both systems, the ratio and Lantern's pass/fail."""
    rows = []
    for label, get, unit, check, target in ROWS:
        values = {}
        for name in SYSTEMS:
            system = report["systems"].get(name, {})
            try:
                values[name] = get(system)
            except (KeyError, TypeError):
                values[name] = None
        lan, base = values["lantern"], values["baseline"]
        ratio = lan / base if lan is not None and base else None
        verdict = {
            name: (None if check is None or v is None else bool(check(float(v))))
            for name, v in values.items()
        }
        rows.append(
            {
                "metric": label,
                "unit": unit,
                "lantern": lan,
                "baseline": base,
                "ratio": ratio,
                "target": target,
                "lantern_pass": verdict["lantern"],
                "baseline_pass": verdict["baseline"],
            }
        )
    return rows


def _round(value: Any) -> Any:
    return round(value, 2) if isinstance(value, float) else "n/a"


def _verdict(v: bool | None, has_target: bool) -> str:
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
            f"| {r['metric']} | {_fmt(r['lantern'], r['unit'])} | "
            f"{_fmt(r['baseline'], r['unit'])} | {ratio} | {r['target']} | "
            f"{_verdict(r['lantern_pass'], bool(r['target']))} | "
            f"{_verdict(r['baseline_pass'], bool(r['target']))} |"
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
        cpu = _level(report["systems"].get(name, {}), 50).get("cpu_ms_per_message", {})
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
            f"{_round(s.get('load_average_1min_before'))} |"
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


def _guarded(what: str, fn: Callable[..., Dict[str, Any]], *args: Any) -> Dict[str, Any]:
    """Run one phase; an exception becomes an `error` in the report, not a crash."""
    try:
        return fn(*args)
    except Exception as exc:  # noqa: BLE001 - the report must still be written
        print(f"    {what} failed: {type(exc).__name__}: {exc}", flush=True)
        return {"error": f"{what} failed: {type(exc).__name__}: {str(exc)[:500]}"}


def main(argv: List[str] | None = None) -> int:
    """Measure both systems, write results/bench.md and .json, print the verdicts."""
    parser = argparse.ArgumentParser(description="Lantern vs. baseline: speed, memory, training")
    parser.add_argument("--seconds", type=float, default=float(os.environ.get("BENCH_SECONDS", 25)))
    parser.add_argument("--warmup", type=float, default=float(os.environ.get("BENCH_WARMUP", 8)))
    parser.add_argument("--levels", default="1,10,50")
    parser.add_argument(
        "--paced",
        default=",".join(f"{c}:{r:g}" for c, r in PACED),
        help="conversations:msg/s offered, comma-separated",
    )
    parser.add_argument("--systems", default="lantern,baseline", help="which to measure")
    parser.add_argument("--baseline-config", type=Path, default=BASELINE_CONFIG)
    args = parser.parse_args(argv)
    logging.disable(logging.WARNING)
    levels = tuple(int(x) for x in args.levels.split(","))
    paced = tuple(
        (int(c), float(r)) for c, r in (x.split(":") for x in args.paced.split(",") if x.strip())
    )
    systems = [s for s in SYSTEMS if s in args.systems.split(",")]
    RESULTS.mkdir(exist_ok=True)
    MODELS_OUT.mkdir(parents=True, exist_ok=True)
    baseline_model = MODELS_OUT / "baseline.tar.gz"
    same = args.baseline_config.read_bytes() == rasa_template().read_bytes()
    report: Dict[str, Any] = {
        "machine": machine(),
        "settings": {
            "seconds": args.seconds,
            "warmup": args.warmup,
            "levels": list(levels),
            "paced": [list(p) for p in paced],
        },
        "baseline_config": (
            f"{_rel(args.baseline_config)}, {'identical to' if same else '**not** identical to'} "
            f"the `rasa init` template {_rel(rasa_template())}; Rasa filled in its default "
            "pipeline and policies (results/bench-models/baseline-config-effective.yml)"
        ),
        "systems": {name: {} for name in SYSTEMS},
    }
    # read now: results/ is shared, and this run's `make nlu-report` has just written it
    lantern_nlu = lantern_routing()
    print(f"==> machine: {report['machine']}", flush=True)
    for name in systems:
        print(f"==> training {name} (cold cache)", flush=True)
        if name == "lantern":
            with tempfile.TemporaryDirectory(prefix="bench-lantern-") as tmp:
                training = _guarded("training", train, ROOT / "config.yml", Path(tmp), name)
            training["model"] = "(a temporary copy, discarded; models/lantern.tar.gz is served)"
        else:
            baseline_model.unlink(missing_ok=True)
            training = _guarded("training", train, args.baseline_config, MODELS_OUT, "baseline")
        print(f"    {training.get('seconds')} s (ok: {training.get('ok')})", flush=True)
        report["systems"][name]["training"] = training
    for name in systems:
        system = report["systems"][name]
        model = LANTERN_MODEL if name == "lantern" else baseline_model
        if not model.exists():
            system["error"] = f"no model at {_rel(model)}"
            continue
        print(f"==> serving {name} ({_rel(model)})", flush=True)
        system.update(
            _guarded("serving", serve_and_load, model, levels, args.seconds, args.warmup, paced)
        )
        print(f"    ready after {system.get('ready_s')} s {system.get('error', '')}", flush=True)
    report["systems"]["lantern"]["routing_source"] = lantern_nlu.pop("_source", "(missing)")
    report["systems"]["lantern"]["routing"] = lantern_nlu
    if "baseline" in systems and baseline_model.exists():
        print("==> baseline routing accuracy (held-out sets)", flush=True)
        measured = _guarded("routing", routing, baseline_model)
        key = "routing_error" if "error" in measured else "routing"
        report["systems"]["baseline"][key] = measured.get("error", measured)
    report["rows"] = evaluate(report)
    report["missed_targets"] = [
        f"{r['metric']} ({_fmt(r['lantern'], r['unit'])}, target {r['target']})"
        for r in report["rows"]
        if r["target"] and r["lantern_pass"] is not True
    ]
    report["machine"]["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    (RESULTS / "bench.json").write_text(json.dumps(report, indent=2, default=str))
    (RESULTS / "bench.md").write_text(markdown(report))
    for r in report["rows"]:
        verdict = _verdict(r["lantern_pass"], bool(r["target"])).replace("*", "")
        print(
            f"  {r['metric']:<46} {_fmt(r['lantern'], r['unit']):>12}  baseline "
            f"{_fmt(r['baseline'], r['unit']):>12}  {r['target']:<13} {verdict}"
        )
    if report["missed_targets"]:
        print("MISSED TARGETS: " + "; ".join(report["missed_targets"]))
    print("-> results/bench.md, results/bench.json")
    return 0


if __name__ == "__main__":
    sys.exit(main())
