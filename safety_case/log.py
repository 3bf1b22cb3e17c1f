"""The hazard log: load it, check every field, and find the tests its evidence names.

A clinical safety officer signs what the log says, so the log must be able to fail:
a hazard without a field, a risk the DCB0129 matrix does not give, a residual lowered
by controls that are only planned, or evidence naming a test that pytest would not
run (no such file or function, a helper, a skipped test) is refused with a message
naming the hazard and the field. Nothing here imports the tests: they are read with
`ast`, so the check is quick and needs no trained model.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, Iterable, List, Tuple

import yaml

PACKAGE = Path(__file__).resolve().parent
ROOT = PACKAGE.parent
LOG_FILE = PACKAGE / "hazards.yml"
DOC_FILE = ROOT / "docs" / "safety-case.md"

#: DCB0129's consequence (severity) scale, mildest first.
SEVERITIES = ("minor", "significant", "considerable", "major", "catastrophic")
#: DCB0129's likelihood scale, least likely first.
LIKELIHOODS = ("very low", "low", "medium", "high", "very high")
#: DCB0129's clinical risk matrix: likelihood -> risk (1-5) by severity, in SEVERITIES order.
#: A lookup, not a product of the two scores.
MATRIX: Dict[str, tuple] = {
    "very high": (3, 4, 4, 5, 5),
    "high": (2, 3, 3, 4, 5),
    "medium": (2, 2, 3, 3, 4),
    "low": (1, 2, 2, 3, 4),
    "very low": (1, 1, 2, 2, 3),
}
#: What each risk rating asks for (after DCB0129's example acceptability definitions).
ACCEPTABILITY = {
    5: "Unacceptable.",
    4: "Unacceptable as it stands: the hazard must be removed or a further control added.",
    3: "Undesirable: acceptable only where further risk reduction is impractical.",
    2: "Acceptable where further reduction costs more than it gains, or is impractical.",
    1: "Acceptable; no further action.",
}
CONTROL_TYPES = ("design", "test", "training", "business-process")
CONTROL_STATUSES = ("in place", "planned")
#: open: further reduction is needed or possible; awaiting acceptance: the controls are
#: done and the safety officer must accept the residual; transferred: what is left is the
#: deploying clinic's to control (DCB0160); closed: accepted, with who and when.
HAZARD_STATUSES = ("open", "awaiting acceptance", "transferred", "closed")
HAZARD_FIELDS = (
    "id",
    "title",
    "hazard",
    "causes",
    "effect",
    "initial",
    "controls",
    "residual",
    "owner",
    "status",
)
CONTROL_FIELDS = ("control", "type", "status", "evidence")
RATING_FIELDS = ("severity", "likelihood", "risk")
TOP_FIELDS = ("version", "title", "system", "log", "rules", "cso_review", "hazards")
SYSTEM_FIELDS = ("name", "description", "settings", "not_for", "standard")
META_FIELDS = ("date", "prepared_by", "state", "measurements")
#: Top-level lists whose every item must be a sentence (a `key: value` slip makes a mapping).
TEXT_LISTS = ("rules", "cso_review")
#: Controls that a test can show working: in place, they must name one.
TESTABLE = ("design", "test")

HAZARD_ID = re.compile(r"^H\d{2}$")
EVIDENCE = re.compile(
    r"^(?P<path>tests/[A-Za-z0-9_/]+\.py)::(?P<name>[A-Za-z_]\w*(?:::[A-Za-z_]\w*)?)"
    r"(?:\[(?P<param>[^\]]+)\])?$"
)
SKIP_MARKS = ("skip", "skipif", "xfail")


def risk(severity: str, likelihood: str) -> int:
    """The DCB0129 risk rating (1-5) of a severity and a likelihood."""
    return int(MATRIX[likelihood][SEVERITIES.index(severity)])


def load(path: Path = LOG_FILE) -> Dict[str, Any]:
    """The hazard log as YAML data (not yet checked: see `problems`)."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise ValueError(f"{path}: the hazard log must be a mapping")
    return data


@dataclass(frozen=True)
class Defined:
    """A test function pytest would collect, and what its markers say."""

    parametrized: bool
    skipped: bool


def _mark_names(expressions: Iterable[ast.expr]) -> Tuple[str, ...]:
    """The last name of each mark: `pytest.mark.skipif(...)` -> `skipif`."""
    names: List[str] = []
    for expression in expressions:
        if isinstance(expression, (ast.List, ast.Tuple)):
            names += _mark_names(expression.elts)
            continue
        called = expression.func if isinstance(expression, ast.Call) else expression
        names.append(ast.unparse(called).rsplit(".", 1)[-1])
    return tuple(names)


def _defined(marks: Tuple[str, ...]) -> Defined:
    return Defined(
        parametrized="parametrize" in marks,
        skipped=any(m in SKIP_MARKS for m in marks),
    )


def defined_tests(path: Path) -> Dict[str, Defined]:
    """The test functions a test file defines: `name`, and `Class::name` in `Test*` classes."""
    stat = path.stat()
    return _defined_tests(path, stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=256)
def _defined_tests(path: Path, mtime_ns: int, size: int) -> Dict[str, Defined]:
    """`defined_tests`, read once per version of the file."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    module_marks = _mark_names(
        node.value
        for node in tree.body
        if isinstance(node, ast.Assign)
        and any(isinstance(t, ast.Name) and t.id == "pytestmark" for t in node.targets)
    )
    found: Dict[str, Defined] = {}
    functions = (ast.FunctionDef, ast.AsyncFunctionDef)
    for node in tree.body:
        if isinstance(node, functions) and node.name.startswith("test"):
            found[node.name] = _defined(module_marks + _mark_names(node.decorator_list))
        elif isinstance(node, ast.ClassDef) and node.name.startswith("Test"):
            class_marks = module_marks + _mark_names(node.decorator_list)
            for item in node.body:
                if isinstance(item, functions) and item.name.startswith("test"):
                    found[f"{node.name}::{item.name}"] = _defined(
                        class_marks + _mark_names(item.decorator_list)
                    )
    return found


def evidence_problem(ref: str, root: Path = ROOT) -> str | None:
    """Why `ref` (`tests/<file>.py::<test>[<param>]`) is not a test pytest runs, or None."""
    match = EVIDENCE.match(str(ref))
    if not match:
        return f"'{ref}' is not of the form tests/<path>/test_<name>.py::<test function>"
    path = root / match["path"]
    if not path.is_file():
        return f"'{ref}': the file {match['path']} does not exist"
    if not path.name.startswith("test_"):
        return f"'{ref}': pytest does not collect {match['path']} (not a test_*.py file)"
    name = match["name"]
    defined = defined_tests(path).get(name)
    if defined is None:
        return f"'{ref}': {match['path']} defines no test function '{name}'"
    if match["param"] and not defined.parametrized:
        return f"'{ref}': '{name}' is not parametrized, so it has no case [{match['param']}]"
    if defined.skipped:
        return f"'{ref}': '{name}' is marked skip or xfail, so it shows nothing"
    return None


def _text(value: Any) -> bool:
    return isinstance(value, str) and bool(value.strip())


def _rating_problems(where: str, rating: Any) -> List[str]:
    if not isinstance(rating, dict):
        return [f"{where}: must be a mapping with {', '.join(RATING_FIELDS)}"]
    found = [f"{where}: '{f}' is missing" for f in RATING_FIELDS if f not in rating]
    if found:
        return found
    severity, likelihood = rating["severity"], rating["likelihood"]
    if severity not in SEVERITIES:
        found.append(f"{where}: severity '{severity}' is not one of {', '.join(SEVERITIES)}")
    if likelihood not in LIKELIHOODS:
        found.append(f"{where}: likelihood '{likelihood}' is not one of {', '.join(LIKELIHOODS)}")
    if not found and rating["risk"] != risk(severity, likelihood):
        found.append(
            f"{where}: risk {rating['risk']} but the DCB0129 matrix gives "
            f"{risk(severity, likelihood)} for {severity} / {likelihood}"
        )
    return found


def _paths_problems(where: str, paths: Any, root: Path) -> List[str]:
    if not isinstance(paths, list):
        return [f"{where}: must be a list of paths"]
    return [f"{where}: '{p}' does not exist" for p in paths if not (root / str(p)).exists()]


def _control_problems(where: str, control: Any, root: Path) -> List[str]:
    if not isinstance(control, dict):
        return [f"{where}: must be a mapping"]
    found = [f"{where}: '{f}' is missing" for f in CONTROL_FIELDS if f not in control]
    if found:
        return found
    if not _text(control["control"]):
        found.append(f"{where}: 'control' is empty")
    if control["type"] not in CONTROL_TYPES:
        found.append(f"{where}: type '{control['type']}' is not one of {', '.join(CONTROL_TYPES)}")
    if control["status"] not in CONTROL_STATUSES:
        found.append(f"{where}: status '{control['status']}' is not 'in place' or 'planned'")
    evidence = control["evidence"]
    if not isinstance(evidence, list):
        return [*found, f"{where}: 'evidence' must be a list of tests"]
    if control["type"] in TESTABLE and control["status"] == "in place" and not evidence:
        found.append(f"{where}: a {control['type']} control in place must name a test")
    found += [f"{where}: {p}" for p in (evidence_problem(r, root) for r in evidence) if p]
    for key in ("where", "records"):
        if key in control:
            found += _paths_problems(f"{where}: {key}", control[key], root)
    return found


def hazard_problems(hazard: Any, root: Path = ROOT) -> List[str]:
    """Every problem with one hazard: fields, ratings, controls, evidence, status."""
    if not isinstance(hazard, dict):
        return ["a hazard must be a mapping"]
    name = str(hazard.get("id", "<no id>"))
    found = [f"{name}: '{f}' is missing" for f in HAZARD_FIELDS if f not in hazard]
    if found:
        return found
    if not HAZARD_ID.match(name):
        found.append(f"{name}: an id is H and two digits (H01)")
    for field in ("title", "hazard", "effect", "owner"):
        if not _text(hazard[field]):
            found.append(f"{name}: '{field}' is empty")
    causes = hazard["causes"]
    if not isinstance(causes, list) or not causes or not all(_text(c) for c in causes):
        found.append(f"{name}: 'causes' must be a list of at least one cause")
    found += _rating_problems(f"{name}: initial", hazard["initial"])
    found += _rating_problems(f"{name}: residual", hazard["residual"])
    residual = hazard["residual"] if isinstance(hazard["residual"], dict) else {}
    if not _text(residual.get("rationale")):
        found.append(f"{name}: residual: 'rationale' is missing (why this likelihood)")
    controls = hazard["controls"]
    if not isinstance(controls, list) or not controls:
        return [*found, f"{name}: 'controls' must list at least one control"]
    for i, control in enumerate(controls, 1):
        found += _control_problems(f"{name}: control {i}", control, root)
    if "gaps" in hazard and not (
        isinstance(hazard["gaps"], list) and all(_text(g) for g in hazard["gaps"])
    ):
        found.append(f"{name}: 'gaps' must be a list of sentences")
    if found:
        return found
    return _judgement_problems(name, hazard)


def _judgement_problems(name: str, hazard: Dict[str, Any]) -> List[str]:
    """The log's own rules: no lower risk without a control in place, and honest statuses."""
    found = []
    initial, residual = hazard["initial"]["risk"], hazard["residual"]["risk"]
    if residual > initial:
        found.append(f"{name}: residual risk {residual} is above the initial risk {initial}")
    in_place = [c for c in hazard["controls"] if c["status"] == "in place"]
    if not in_place and (
        hazard["residual"]["severity"],
        hazard["residual"]["likelihood"],
    ) != (hazard["initial"]["severity"], hazard["initial"]["likelihood"]):
        found.append(f"{name}: no control is in place, so the residual must equal the initial")
    status = hazard["status"]
    if status not in HAZARD_STATUSES:
        found.append(f"{name}: status '{status}' is not one of {', '.join(HAZARD_STATUSES)}")
    if residual >= 4 and status != "open":
        found.append(f"{name}: a residual risk of {residual} cannot be '{status}': it is open")
    accepted = hazard.get("accepted")
    if status == "closed" and not (
        isinstance(accepted, dict) and _text(accepted.get("by")) and accepted.get("date")
    ):
        found.append(f"{name}: 'closed' needs 'accepted' with the safety officer's 'by' and 'date'")
    return found


def problems(log: Dict[str, Any], root: Path = ROOT) -> List[str]:
    """Every problem with the hazard log; an empty list means it may be rendered and signed."""
    found = [f"the log: '{f}' is missing" for f in TOP_FIELDS if f not in log]
    if found:
        return found
    if log["version"] != 1:
        found.append(f"the log: version {log['version']} is not 1")
    for section, fields in (("system", SYSTEM_FIELDS), ("log", META_FIELDS)):
        part = log[section] if isinstance(log[section], dict) else {}
        found += [f"the log: {section}: '{f}' is missing" for f in fields if not part.get(f)]
    settings = log["system"].get("settings") if isinstance(log["system"], dict) else None
    for name, value in (("system: settings", settings), *((f, log[f]) for f in TEXT_LISTS)):
        if not isinstance(value, list) or not value or not all(_text(v) for v in value):
            found.append(f"the log: {name} must be a list of sentences")
    hazards = log["hazards"]
    if not isinstance(hazards, list) or not hazards:
        return [*found, "the log: 'hazards' must list at least one hazard"]
    seen: set = set()
    for hazard in hazards:
        found += hazard_problems(hazard, root)
        hazard_id = hazard.get("id") if isinstance(hazard, dict) else None
        if hazard_id in seen:
            found.append(f"{hazard_id}: the id is used twice")
        seen.add(hazard_id)
    return found
