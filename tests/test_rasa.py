"""Rasa's own checks: data validation, and the test stories on the trained model as served."""

from __future__ import annotations

import os
import subprocess

from tests.servers import ROOT

RASA = str(ROOT / ".venv" / "bin" / "rasa")
#: the `rasa` command as the server runs it (lantern/rasa_main.py: the same speed-ups)
RASA_AS_SERVED = [str(ROOT / ".venv" / "bin" / "python"), "-m", "lantern.rasa_main"]


def test_rasa_data_validate_is_clean() -> None:
    result = subprocess.run(
        [
            RASA,
            "data",
            "validate",
            "--domain",
            "domain",
            "--data",
            "data",
            "--config",
            "config.yml",
            "--fail-on-warnings",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]


def test_stories_pass_with_fail_on_prediction_errors(tmp_path) -> None:
    result = subprocess.run(
        [
            *RASA_AS_SERVED,
            "test",
            "core",
            "--model",
            "models/lantern.tar.gz",
            "--stories",
            "tests/stories",
            "--endpoints",
            "endpoints.yml",
            "--out",
            str(tmp_path),
            "--fail-on-prediction-errors",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ, "TQDM_DISABLE": "1"},
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    failed = (tmp_path / "failed_test_stories.yml").read_text()
    assert "None of the test stories failed" in failed
