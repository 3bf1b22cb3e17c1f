"""The Rasa server restarts on the same state directory: conversations go on (SQLite tracker)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import answer_ids
from tests.servers import start

pytestmark = pytest.mark.server


def test_context_carries_over_across_a_restart(tmp_path: Path) -> None:
    before = start(tmp_path)
    try:
        assert "ketamine_addiction_risk" in answer_ids(
            before.send("restart-1", "is ketamine addictive?")
        )
    finally:
        assert before.stop() == 0

    after = start(tmp_path)
    try:
        # the question type comes from the history stored before the restart
        assert "psychedelic_addiction_risk" in answer_ids(
            after.send("restart-1", "what about psilocybin?")
        )
        assert "psychedelic_legal_status" in answer_ids(after.send("restart-1", "is it legal?"))
        # a conversation with no history does not get that answer
        assert "psychedelic_addiction_risk" not in answer_ids(
            after.send("restart-2", "what about psilocybin?")
        )
    finally:
        after.stop()
