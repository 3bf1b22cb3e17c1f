"""Region-aware help lines from `helplines.yml` (one data file, with the date checked)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Dict

import yaml

from lantern.paths import HELPLINES_FILE


@dataclass(frozen=True)
class Region:
    """Help lines for one region."""

    code: str
    name: str
    crisis_line: str
    emergency_number: str
    peer_support: str | None


class Helplines:
    """All regions, with the deployment's default."""

    def __init__(self, path: Path = HELPLINES_FILE) -> None:
        """Load and check the data file."""
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        self.checked = str(data["checked"])
        self.regions: Dict[str, Region] = {}
        for code, raw in data["regions"].items():
            for field in ("name", "crisis_line", "emergency_number"):
                if not raw.get(field):
                    raise ValueError(f"{path}: region '{code}': field '{field}' is missing")
            self.regions[code] = Region(
                code,
                raw["name"],
                raw["crisis_line"],
                raw["emergency_number"],
                raw.get("peer_support"),
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
