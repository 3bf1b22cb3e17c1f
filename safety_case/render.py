"""Render the hazard log to docs/safety-case.md: the report a clinical safety officer reads.

`python -m safety_case` checks the log (safety_case/log.py) and, only if it has no
problem, writes the report; `--check` writes nothing and fails when the report on
disk differs from what the log renders to. The output depends on the log alone (no
dates, no machine state), so a test can compare it byte for byte.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any, Dict, Iterable, List

from safety_case.log import (
    ACCEPTABILITY,
    DOC_FILE,
    HAZARD_STATUSES,
    LIKELIHOODS,
    LOG_FILE,
    MATRIX,
    ROOT,
    SEVERITIES,
    load,
    problems,
)

#: DCB0129's meaning of each severity, for one patient (see the log's rules).
SEVERITY_MEANING = {
    "minor": "Minor injury or upset expected to resolve soon; inconvenience.",
    "significant": "Minor injury not expected to resolve soon; significant psychological upset.",
    "considerable": "Severe injury or incapacity from which recovery is expected; "
    "severe psychological trauma.",
    "major": "Death or permanent life-changing incapacity of one patient.",
    "catastrophic": "Death or permanent life-changing incapacity of several patients.",
}
LIKELIHOOD_MEANING = {
    "very high": "Certain or almost certain.",
    "high": "Not certain, but expected in many cases.",
    "medium": "Possible.",
    "low": "Could happen, but in the great majority of cases will not.",
    "very low": "Negligible.",
}
SOURCE = "safety_case/hazards.yml"


def _cell(text: Any) -> str:
    """One table cell: a single line, with pipes escaped."""
    return " ".join(str(text).split()).replace("|", "\\|")


def _line(text: Any) -> str:
    """Folded YAML text as one line."""
    return " ".join(str(text).split())


def _rating(rating: Dict[str, Any]) -> str:
    return f"{rating['risk']} ({rating['severity']} / {rating['likelihood']})"


def _code(items: Iterable[str]) -> str:
    return ", ".join(f"`{i}`" for i in items)


def _system(log: Dict[str, Any]) -> List[str]:
    system = log["system"]
    out = ["## 1. The system", "", _line(system["description"]), "", "Where it is used:", ""]
    out += [f"- {_line(s)}" for s in system["settings"]]
    out += ["", f"**Not for.** {_line(system['not_for'])}", ""]
    out += [f"**Standard.** {_line(system['standard'])}", ""]
    out += [f"**Measurements.** {_line(log['log']['measurements'])}", ""]
    return out


def _method(log: Dict[str, Any]) -> List[str]:
    out = ["## 2. Method", "", "### Severity of harm (to a patient)", ""]
    out += ["| severity | meaning |", "| --- | --- |"]
    out += [f"| {s} | {SEVERITY_MEANING[s]} |" for s in reversed(SEVERITIES)]
    out += ["", "### Likelihood of harm", "", "| likelihood | meaning |", "| --- | --- |"]
    out += [f"| {v} | {LIKELIHOOD_MEANING[v]} |" for v in reversed(LIKELIHOODS)]
    out += ["", "### Risk matrix (DCB0129: a lookup, not a product)", ""]
    out += ["| likelihood \\ severity | " + " | ".join(SEVERITIES) + " |"]
    out += ["| --- |" + " --- |" * len(SEVERITIES)]
    for likelihood in reversed(LIKELIHOODS):
        out += [f"| **{likelihood}** | " + " | ".join(map(str, MATRIX[likelihood])) + " |"]
    out += ["", "| risk | what it asks |", "| --- | --- |"]
    out += [f"| {r} | {ACCEPTABILITY[r]} |" for r in sorted(ACCEPTABILITY, reverse=True)]
    out += ["", "### Rules of this log", ""]
    out += [f"{i}. {_line(rule)}" for i, rule in enumerate(log["rules"], 1)]
    out += [
        "",
        "Control types: design (built into Lantern), test (a check that runs in `make test`), "
        "training, business-process (what people do; mostly the deploying clinic's).",
        "",
    ]
    return out


def _summary(hazards: List[Dict[str, Any]]) -> List[str]:
    by_risk = [(r, sum(h["residual"]["risk"] == r for h in hazards)) for r in range(5, 0, -1)]
    by_status = [(s, sum(h["status"] == s for h in hazards)) for s in HAZARD_STATUSES]
    out = ["## 3. Summary", ""]
    out += [
        f"{len(hazards)} hazards. With the controls in place, "
        + ", ".join(f"{n} at residual risk {r}" for r, n in by_risk if n)
        + ". "
        + ", ".join(f"{n} {s}" for s, n in by_status if n).capitalize()
        + ".",
        "",
        "| id | hazard | initial risk | residual risk | status | owner |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for h in hazards:
        out.append(
            f"| [{h['id']}](#{h['id'].lower()}) | {_cell(h['title'])} | {_rating(h['initial'])} "
            f"| {_rating(h['residual'])} | {h['status']} | {_cell(h['owner'])} |"
        )
    return [*out, ""]


def _placed(hazards: List[Dict[str, Any]], which: str) -> List[str]:
    out = ["| likelihood \\ severity | " + " | ".join(SEVERITIES) + " |"]
    out += ["| --- |" + " --- |" * len(SEVERITIES)]
    for likelihood in reversed(LIKELIHOODS):
        cells = []
        for i, severity in enumerate(SEVERITIES):
            ids = [
                h["id"]
                for h in hazards
                if (h[which]["severity"], h[which]["likelihood"]) == (severity, likelihood)
            ]
            cells.append(f"{MATRIX[likelihood][i]}: " + ", ".join(ids) if ids else "")
        out.append(f"| **{likelihood}** | " + " | ".join(cells) + " |")
    return out


def _matrices(hazards: List[Dict[str, Any]]) -> List[str]:
    out = ["## 4. The hazards on the risk matrix", "", "Before controls:", ""]
    out += _placed(hazards, "initial")
    out += ["", "With the controls in place:", ""]
    out += _placed(hazards, "residual")
    return [*out, ""]


def _residuals(hazards: List[Dict[str, Any]]) -> List[str]:
    out = ["## 5. Residual risks", ""]
    groups = (
        ("open", "### Open: further reduction needed or possible"),
        ("awaiting acceptance", "### Awaiting the safety officer's acceptance"),
        ("transferred", "### Transferred to the deploying clinic (DCB0160)"),
        ("closed", "### Closed"),
    )
    for status, heading in groups:
        members = [h for h in hazards if h["status"] == status]
        if not members:
            continue
        out += [heading, ""]
        for h in sorted(members, key=lambda h: (-h["residual"]["risk"], h["id"])):
            out.append(
                f"- **{h['id']} {_line(h['title'])}**: residual {_rating(h['residual'])}. "
                f"{_line(h['residual']['rationale'])}"
            )
            out += [f"  - Gap: {_line(g)}" for g in h.get("gaps", [])]
        out.append("")
    return out


def _untested(hazards: List[Dict[str, Any]]) -> List[str]:
    out = [
        "## 6. Controls without a test",
        "",
        "Planned controls do not lower any residual. Business-process and training controls "
        "are shown by the clinic's records, not by a test.",
        "",
        "| hazard | control | type | status |",
        "| --- | --- | --- | --- |",
    ]
    for h in hazards:
        for c in h["controls"]:
            if not c["evidence"]:
                out.append(f"| {h['id']} | {_cell(c['control'])} | {c['type']} | {c['status']} |")
    return [*out, ""]


def _hazard(h: Dict[str, Any]) -> List[str]:
    out = [f"### {h['id']}", "", f"**{_line(h['title'])}**", ""]
    out += [f"**Hazard.** {_line(h['hazard'])}", "", "**Causes.**", ""]
    out += [f"- {_line(c)}" for c in h["causes"]]
    out += ["", f"**Effect on a patient.** {_line(h['effect'])}", ""]
    out += [f"**Initial risk.** {_rating(h['initial'])}.", "", "**Controls.**", ""]
    for i, c in enumerate(h["controls"], 1):
        out.append(f"{i}. *{c['type']}, {c['status']}.* {_line(c['control'])}")
        if c.get("where"):
            out.append(f"   - Where: {_code(c['where'])}")
        if c.get("records"):
            out.append(f"   - Records: {_code(c['records'])}")
        if c["evidence"]:
            out.append("   - Evidence:")
            out += [f"     - `{e}`" for e in c["evidence"]]
        else:
            out.append("   - Evidence: none (see section 6)")
    out += ["", f"**Residual risk.** {_rating(h['residual'])}. {_line(h['residual']['rationale'])}"]
    out += ["", f"**Owner.** {_line(h['owner'])}. **Status.** {h['status']}."]
    if h.get("accepted"):
        out += [f"**Accepted.** {_line(h['accepted']['by'])}, {h['accepted']['date']}."]
    if h.get("gaps"):
        out += ["", "**Gaps.**", ""]
        out += [f"- {_line(g)}" for g in h["gaps"]]
    return [*out, ""]


def _sign_off(log: Dict[str, Any], hazards: List[Dict[str, Any]]) -> List[str]:
    to_accept = [h["id"] for h in hazards if h["residual"]["risk"] >= 3 and h["status"] != "closed"]
    transferred = [h["id"] for h in hazards if h["status"] == "transferred"]
    out = ["## 8. For the clinical safety officer to review and sign", ""]
    items = [_line(i) for i in log["cso_review"]]
    items.append(
        "Each residual risk of 3 or more, one by one: accepted in writing with the reason "
        "further reduction is impractical, or sent back with the reduction required: "
        + ", ".join(to_accept)
        + "."
        if to_accept
        else "No residual risk of 3 or more remains."
    )
    if transferred:
        items.append(
            "The hazards transferred to the clinic, with the clinic's own hazard log: "
            + ", ".join(transferred)
            + "."
        )
    out += [f"{i}. {item}" for i, item in enumerate(items, 1)]
    out += [
        "",
        "| | |",
        "| --- | --- |",
        "| Clinical safety officer (name) | |",
        "| Professional registration | |",
        "| Organisation | |",
        "| Decision: accepted / accepted with conditions / not accepted | |",
        "| Conditions, and hazards not accepted | |",
        "| Date | |",
        "| Signature | |",
        "",
    ]
    return out


def render(log: Dict[str, Any]) -> str:
    """The safety case report for a checked hazard log, as Markdown."""
    hazards: List[Dict[str, Any]] = log["hazards"]
    meta = log["log"]
    out = [
        f"# {_line(log['title'])}",
        "",
        f"<!-- Written by `make safety-case` from {SOURCE}; edit the log, not this file. -->",
        "",
        f"**State.** {_line(meta['state'])} **Log date.** {meta['date']}. "
        f"**Prepared by.** {_line(meta['prepared_by'])}. "
        f"The hazard log is `{SOURCE}`; `make test` fails when this report is older than it, "
        "or when a control's evidence names a test that does not exist.",
        "",
    ]
    out += _system(log)
    out += _method(log)
    out += _summary(hazards)
    out += _matrices(hazards)
    out += _residuals(hazards)
    out += _untested(hazards)
    out += ["## 7. Hazards in detail", ""]
    for h in hazards:
        out += _hazard(h)
    out += _sign_off(log, hazards)
    return "\n".join(out).rstrip("\n") + "\n"


def main(argv: List[str] | None = None) -> int:
    """Check the log, then write the report (or, with --check, only compare it)."""
    parser = argparse.ArgumentParser(prog="python -m safety_case", description=__doc__)
    parser.add_argument("--check", action="store_true", help="fail if the report is stale")
    parser.add_argument("--log", type=Path, default=LOG_FILE, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, default=DOC_FILE, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    log = load(args.log)
    found = problems(log, ROOT)
    if found:
        print(f"{args.log}: {len(found)} problem(s):", file=sys.stderr)
        for problem in found:
            print(f"  - {problem}", file=sys.stderr)
        return 1
    text = render(log)
    if args.check:
        if not args.out.is_file() or args.out.read_text(encoding="utf-8") != text:
            print(f"{args.out} is stale: run `make safety-case`", file=sys.stderr)
            return 1
        print(f"{args.out} is up to date ({len(log['hazards'])} hazards)")
        return 0
    args.out.write_text(text, encoding="utf-8")
    print(f"wrote {args.out} ({len(log['hazards'])} hazards)")
    return 0
