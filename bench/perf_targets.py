"""The benchmark's targets, and Lantern side by side with the baseline on each metric.

`ROWS` names every metric, how to read it from a system's measurements and its
target; `evaluate` gives both systems' values, their ratio and the verdicts.
"""

from __future__ import annotations

from typing import Any, Callable, Dict, List, Tuple

SYSTEMS = ("lantern", "baseline")


def level(system: Dict[str, Any], concurrency: int, paced: bool = False) -> Dict[str, Any]:
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
        lambda s: level(s, 50).get("throughput"),
        "msg/s",
        lambda v: v >= 150,
        ">= 150 msg/s",
    ),
    (
        "throughput, 50 conversations offering 160 msg/s",
        lambda s: level(s, 50, paced=True).get("throughput"),
        "msg/s",
        lambda v: v >= 150,
        ">= 150 msg/s",
    ),
    (
        "p95 latency, 50 conversations offering 160 msg/s",
        lambda s: level(s, 50, paced=True).get("p95_ms"),
        "ms",
        lambda v: v <= 250,
        "<= 250 ms",
    ),
    (
        "p95 latency, 50 conversations, closed loop (queue of 50)",
        lambda s: level(s, 50).get("p95_ms"),
        "ms",
        None,
        "",
    ),
    (
        "p50 latency, 1 conversation",
        lambda s: level(s, 1).get("p50_ms"),
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
        lambda s: level(s, 50).get("cpu_ms_per_message", {}).get("rasa"),
        "ms",
        None,
        "",
    ),
]


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
