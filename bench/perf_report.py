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
This module runs the phases; the measurements are in bench/perf_measure.py, the
targets and the comparison in bench/perf_targets.py, the Markdown in
bench/perf_markdown.py.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import tempfile
from pathlib import Path
from typing import Any, Callable, Dict, List

from bench.model import ROOT
from bench.perf_markdown import fmt, markdown, verdict_cell
from bench.perf_measure import (
    MODELS_OUT,
    PACED,
    RESULTS,
    lantern_routing,
    machine,
    rasa_template,
    rel_path,
    routing,
    serve_and_load,
    train,
)
from bench.perf_targets import SYSTEMS, evaluate

LANTERN_MODEL = ROOT / "models" / "lantern.tar.gz"
BASELINE_CONFIG = ROOT / "bench" / "baseline" / "config.yml"
LEVELS = (1, 10, 50)


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
            f"{rel_path(args.baseline_config)}, "
            f"{'identical to' if same else '**not** identical to'} "
            f"the `rasa init` template {rel_path(rasa_template())}; Rasa filled in its default "
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
            system["error"] = f"no model at {rel_path(model)}"
            continue
        print(f"==> serving {name} ({rel_path(model)})", flush=True)
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
        f"{r['metric']} ({fmt(r['lantern'], r['unit'])}, target {r['target']})"
        for r in report["rows"]
        if r["target"] and r["lantern_pass"] is not True
    ]
    report["machine"]["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    (RESULTS / "bench.json").write_text(json.dumps(report, indent=2, default=str))
    (RESULTS / "bench.md").write_text(markdown(report))
    for r in report["rows"]:
        verdict = verdict_cell(r["lantern_pass"], bool(r["target"])).replace("*", "")
        print(
            f"  {r['metric']:<46} {fmt(r['lantern'], r['unit']):>12}  baseline "
            f"{fmt(r['baseline'], r['unit']):>12}  {r['target']:<13} {verdict}"
        )
    if report["missed_targets"]:
        print("MISSED TARGETS: " + "; ".join(report["missed_targets"]))
    print("-> results/bench.md, results/bench.json")
    return 0


if __name__ == "__main__":
    sys.exit(main())
