"""Urgent staff alerts from the intake (lantern/staff.py): listed first, fixed reason codes."""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path

import pytest

from lantern import staff


@pytest.fixture(autouse=True)
def var_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("LANTERN_VAR_DIR", str(tmp_path))
    return tmp_path


def test_alerts_are_listed_first_and_marked_urgent() -> None:
    staff.record_handoff("kiosk-a")
    staff.record_alert("kiosk-b", "phq9_item9")
    staff.record_handoff("kiosk-c")
    staff.record_alert("kiosk-d", "crisis_in_intake")
    items = staff.open_handoffs()
    assert [(h["conversation_id"], h["urgent"], h["reason"]) for h in items] == [
        ("kiosk-b", True, "phq9_item9"),
        ("kiosk-d", True, "crisis_in_intake"),
        ("kiosk-a", False, None),
        ("kiosk-c", False, None),
    ]
    assert staff.close_handoff(items[0]["id"])
    assert [h["conversation_id"] for h in staff.open_handoffs()][:1] == ["kiosk-d"]


def test_an_alert_upgrades_the_open_request_and_keeps_one_per_conversation() -> None:
    staff.record_handoff("kiosk-a")
    staff.record_alert("kiosk-a", "phq9_item9")
    staff.record_alert("kiosk-a", "crisis_in_intake")  # first reason kept
    staff.record_handoff("kiosk-a")  # still the one urgent request
    [item] = staff.open_handoffs()
    assert (item["conversation_id"], item["urgent"], item["reason"]) == (
        "kiosk-a",
        True,
        "phq9_item9",
    )


def test_reason_is_a_fixed_code_never_text(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    staff.record_alert("kiosk-a", "I want to hurt myself")
    [item] = staff.open_handoffs()
    assert item["reason"] == staff.UNKNOWN_REASON and item["urgent"] is True
    assert "hurt" not in caplog.text


def test_a_database_from_before_alerts_is_upgraded(var_dir: Path) -> None:
    with sqlite3.connect(var_dir / "handoffs.sqlite") as conn:
        conn.execute(
            "CREATE TABLE handoffs (id INTEGER PRIMARY KEY, conversation_id TEXT NOT NULL,"
            " requested_at TEXT NOT NULL, closed_at TEXT)"
        )
        conn.execute("INSERT INTO handoffs (conversation_id, requested_at) VALUES ('old', 'x')")
    staff.record_alert("new", "phq9_item9")
    assert [(h["conversation_id"], h["urgent"]) for h in staff.open_handoffs()] == [
        ("new", True),
        ("old", False),
    ]


def test_never_raises_when_the_store_is_broken(
    var_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    (var_dir / "handoffs.sqlite").write_bytes(b"this is not a database" * 100)
    assert staff.record_alert("kiosk-a", "phq9_item9") is False  # logged, not raised
    assert "lantern.staff.alert_failed" in caplog.text
