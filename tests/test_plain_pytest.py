"""`pytest` from a fresh shell, without Make or scripts/env.sh, runs as under `make test`."""

from __future__ import annotations

import os
import subprocess

from tests.servers import ROOT

#: A test that needs the settings Make gives (the var dir and the conversation key).
NEEDS_SETTINGS = "tests/channels/test_retention.py::test_kiosk_after_hours_others_after_days"


def test_pytest_runs_from_a_fresh_shell() -> None:
    bare = {"PATH": "/usr/bin:/bin", "HOME": os.environ.get("HOME", "/root")}
    out = subprocess.run(
        [
            str(ROOT / ".venv" / "bin" / "python"),
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            NEEDS_SETTINGS,
        ],
        cwd=ROOT,
        env=bare,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert out.returncode == 0, out.stdout[-3000:]
    assert "1 passed" in out.stdout
