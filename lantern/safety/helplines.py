"""Region-aware help lines from `helplines.yml` (one data file, with the dates checked).

Every region must carry every field the safety replies use, English and Spanish,
so no reply can render with a blank where a help line should be: a region with
no confirmed line holds a kind generic text instead. A region's `tap` numbers
(the web pages' call and text buttons) must each appear in the text they belong
to, so a button can never dial a number the reply does not give.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, Mapping, Tuple

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


#: Which text each kind of `tap` entry must be found in.
TAP_TEXTS = {
    "crisis": "crisis_line",
    "crisis_es": "crisis_line_es",
    "emergency": "emergency_number",
    "emergency_es": "emergency_number_es",
    "abuse": "abuse_line",
    "abuse_es": "abuse_line_es",
    "peer_support": "peer_support",
}
_TAP = re.compile(r"^(?P<verb>call|text) (?P<number>\+?\d[\d -]*\d|\d)(?: (?P<body>[A-Z]{2,20}))?$")


@dataclass(frozen=True)
class Tap:
    """One call or text button: `number` as people write it, `body` the word to text."""

    verb: str
    number: str
    body: str = ""

    @property
    def digits(self) -> str:
        """The number to dial: digits only (and a leading +)."""
        return ("+" if self.number.startswith("+") else "") + re.sub(r"\D", "", self.number)

    @property
    def href(self) -> str:
        """A `tel:` or `sms:` link (`?&body=` works on both Android and iOS)."""
        if self.verb == "call":
            return f"tel:{self.digits}"
        return f"sms:{self.digits}" + (f"?&body={self.body}" if self.body else "")


def parse_tap(entry: Any) -> Tap:
    """`call 988`, `text 988` or `text 88788 START` as a Tap; ValueError otherwise."""
    match = _TAP.match(str(entry).strip())
    if not match:
        raise ValueError(f"not 'call <number>' or 'text <number> [WORD]': {entry!r}")
    return Tap(match["verb"], match["number"], match["body"] or "")


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
    tap: Mapping[str, Tuple[Tap, ...]] = field(default_factory=dict)

    def taps(self, kind: str, language: str | None = None) -> Tuple[Tap, ...]:
        """The call/text buttons for `kind` (crisis, emergency, abuse, peer_support).

        In Spanish, the `<kind>_es` entries where the region has them, else the same numbers.
        """
        if language == "es" and f"{kind}_es" in self.tap:
            return self.tap[f"{kind}_es"]
        return self.tap.get(kind, ())


def _digits(text: str) -> str:
    return re.sub(r"\D", "", text)


def _taps(code: str, raw: Dict[str, Any]) -> Dict[str, Tuple[Tap, ...]]:
    """A region's `tap` entries, each checked against the text it repeats."""
    taps: Dict[str, Tuple[Tap, ...]] = {}
    for kind, entries in (raw.get("tap") or {}).items():
        if kind not in TAP_TEXTS:
            raise ValueError(f"region '{code}': unknown tap kind '{kind}'")
        try:
            taps[kind] = tuple(parse_tap(e) for e in entries or [])
        except ValueError as error:
            raise ValueError(f"region '{code}': tap '{kind}': {error}") from None
    # a Spanish reply without `<kind>_es` entries uses the English numbers: check both
    checks = [(k, taps.get(k) or taps.get(k.removesuffix("_es"), ())) for k in TAP_TEXTS]
    for kind, entries in checks:
        text = str(raw.get(TAP_TEXTS[kind]) or "")
        for tap in entries:
            if _digits(tap.number) not in _digits(text) or tap.body not in text:
                raise ValueError(
                    f"region '{code}': tap '{kind}': {tap.verb} {tap.number} {tap.body}".rstrip()
                    + f" is not in its text ({TAP_TEXTS[kind]})"
                )
    return taps


class Helplines:
    """All regions, with the deployment's default."""

    def __init__(self, path: Path = HELPLINES_FILE) -> None:
        """Load and check the data file: every region needs every required field."""
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        self.checked = str(data["checked"])
        self.checked_abuse = str(data.get("checked_abuse", data["checked"]))
        self.regions: Dict[str, Region] = {}
        for code, raw in data["regions"].items():
            for name in REQUIRED_FIELDS:
                value = raw.get(name)
                if value is None or not str(value).strip():
                    raise ValueError(f"{path}: region '{code}': field '{name}' is missing")
            self.regions[code] = Region(
                code=code,
                peer_support=raw.get("peer_support"),
                tap=_taps(code, raw),
                **{name: str(raw[name]) for name in REQUIRED_FIELDS},
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
