"""Safety screen measurement on the dev suite and the unseen holdout (results/safety_report.md).

The dev suite (tests/safety/cases.yml) is asserted at 100% by tests/safety; the
holdout (tests/safety/holdout_cases.yml) was written without seeing the phrase
list and is only measured here, so it shows how the screen generalises.
"""

from __future__ import annotations

import json
import logging
import sys
from typing import Dict

import yaml

from bench.model import ROOT, Router

SETS = {
    "dev (tests/safety/cases.yml)": ROOT / "tests" / "safety" / "cases.yml",
    "unseen (tests/safety/holdout_cases.yml)": ROOT / "tests" / "safety" / "holdout_cases.yml",
}
EXPECTED = {
    "crisis": "safety_crisis",
    "emergency": "safety_emergency",
    "active_use": "safety_active_use",
    "decline_dosing": "decline_dosing",
    "decline_sourcing": "decline_sourcing",
    "decline_personal_advice": "decline_personal_advice",
}
ALARMS = ("safety_crisis", "safety_emergency")


def measure(router: Router) -> Dict[str, Dict[str, str]]:
    """Per set and category: how many texts got the expected reply (benign: no alarm)."""
    results: Dict[str, Dict[str, str]] = {}
    for name, path in SETS.items():
        cases = yaml.safe_load(path.read_text())
        row = {}
        for category, expected in EXPECTED.items():
            got = [router.route(t).answer_id for t in cases[category]]
            row[category] = f"{sum(g == expected for g in got)}/{len(got)}"
        benign = [router.route(t).answer_id for t in cases["benign"]]
        row["benign, not alarmed"] = f"{sum(g not in ALARMS for g in benign)}/{len(benign)}"
        results[name] = row
    return results


def main() -> int:
    """Write results/safety_report.md and .json; print it."""
    logging.disable(logging.WARNING)
    results = measure(Router())
    columns = list(next(iter(results.values())))
    lines = [
        "# Safety screen report",
        "",
        "| set | " + " | ".join(columns) + " |",
        "| --- |" + " --- |" * len(columns),
        *[
            f"| {name} | " + " | ".join(row[c] for c in columns) + " |"
            for name, row in results.items()
        ],
    ]
    out = ROOT / "results"
    out.mkdir(exist_ok=True)
    (out / "safety_report.json").write_text(json.dumps(results, indent=2))
    (out / "safety_report.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
