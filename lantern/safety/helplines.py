"""Region-aware help lines from `helplines.yml` (one data file, with the dates checked).

Every region must carry every field the safety replies use, English and Spanish,
so no reply can render with a blank where a help line should be: a region with
no confirmed line holds a kind generic text instead.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Dict

import yaml

from lantern.paths import HELPLINES_FILE

# Fields every region must have (non-empty text); peer_support may be null.
REQUIRED_FIELDS = (
    "name",
    "crisis_line",
    "emergency_number",
    "abuse_line",
    "child_abuse_line",
    "report_clinician",
    "crisis_line_es",
    "emergency_number_es",
    "abuse_line_es",
    "child_abuse_line_es",
    "report_clinician_es",
)


@dataclass(frozen=True)
class Region:
    """Help lines for one region; the `_es` fields are the Spanish texts."""

    code: str
    name: str
    crisis_line: str
    emergency_number: str
    peer_support: str | None
    abuse_line: str = ""
    child_abuse_line: str = ""
    report_clinician: str = ""
    crisis_line_es: str = ""
    emergency_number_es: str = ""
    abuse_line_es: str = ""
    child_abuse_line_es: str = ""
    report_clinician_es: str = ""


class Helplines:
    """All regions, with the deployment's default."""

    def __init__(self, path: Path = HELPLINES_FILE) -> None:
        """Load and check the data file: every region needs every required field."""
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        self.checked = str(data["checked"])
        self.checked_abuse = str(data.get("checked_abuse", data["checked"]))
        self.regions: Dict[str, Region] = {}
        for code, raw in data["regions"].items():
            for field in REQUIRED_FIELDS:
                value = raw.get(field)
                if value is None or not str(value).strip():
                    raise ValueError(f"{path}: region '{code}': field '{field}' is missing")
            self.regions[code] = Region(
                code=code,
                peer_support=raw.get("peer_support"),
                **{field: str(raw[field]) for field in REQUIRED_FIELDS},
            )
        if "other" not in self.regions:
            raise ValueError(f"{path}: a region 'other' (the fallback) is required")
        self.file_default = str(data.get("default_region", "us"))

    def default_code(self) -> str:
        """The deployment's region: `LANTERN_REGION`, else the file's default."""
        code = os.environ.get("LANTERN_REGION", self.file_default).strip().lower()
        return code if code in self.regions else "other"

    def region(self, code: str | None) -> Region:
        """The region for a code; unknown or missing codes use the deployment default."""
        if code and code.lower() in self.regions:
            return self.regions[code.lower()]
        return self.regions[self.default_code()]


@lru_cache(maxsize=1)
def helplines() -> Helplines:
    """The help lines, loaded once per process."""
    return Helplines()
