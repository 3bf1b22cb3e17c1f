"""What `make bench` measures of one system: the machine, a cold training, serving and routing.

Each function returns plain numbers for results/bench.json (bench/perf_report.py
runs them and writes the report); routing accuracy keeps aggregates only, as the
held-out texts must never be shown.
"""

from __future__ import annotations

import datetime as dt
import importlib
import json
import logging
import os
import platform
import re
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any, Dict, Tuple

import requests

from bench import load
from bench.model import ROOT
from bench.processes import cpu_seconds, rss_bytes, server_pids

RESULTS = ROOT / "results"
MODELS_OUT = RESULTS / "bench-models"
VENV_BIN = ROOT / ".venv" / "bin"
#: paced levels: 50 conversations together offering 160 msg/s, the throughput
#: target (150) with 7% to spare, at which the p95 target is measured
PACED = ((50, 160.0),)
MIB = 1024 * 1024
READY_MESSAGE = "is ketamine addictive?"


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


def rel_path(path: Path) -> str:
    """`path` relative to the repository when inside it, as the report shows paths."""
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
            "domain",
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
        "log": rel_path(log),
        "effective_config": rel_path(effective),
        "load_average_1min_before": round(load_before, 2),
    }


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
        "model": rel_path(model),
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
