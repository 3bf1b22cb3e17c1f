"""The encrypted intake store: save, list, get, keys, retention, and what the file holds."""

from __future__ import annotations

import datetime as dt
import logging
import os
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any, Dict, Iterator

import pytest
from cryptography.fernet import Fernet
from fhir.resources.questionnaireresponse import QuestionnaireResponse

from lantern.intake import store
from lantern.intake.fhir import InvalidAnswers, answers_from_response
from lantern.intake.store import IntakeKeyError
from tests.intake.test_fhir import full_answers
from tests.servers import ROOT

#: Answers that must never be readable in the database file or in logs.
MARKERS = ("Marigold", "Zyprexa", "1983-07-19", "asked-declined", "LA6570-1", "moderately severe")


def marked_answers(phq9_9: int = 0) -> Dict[str, Any]:
    answers = full_answers("name_and_birth_date")
    answers.update({f"phq9_{n}": 2 for n in range(1, 9)})
    answers["phq9_9"] = phq9_9  # 16 + item 9: moderately severe
    answers["med_maoi"] = "prefer_not_to_say"
    return answers


@pytest.fixture
def env(intake_stores: Path) -> Iterator[Path]:
    """A fresh var dir and key; returns the var dir."""
    yield intake_stores


def test_save_list_get(env: Path) -> None:
    answers = marked_answers()
    record_id = store.save(answers, conversation_id="kiosk-1", channel="kiosk")
    assert store.db_path() == env / "intake.sqlite"

    [item] = store.list_today()
    assert item["id"] == record_id
    assert item["conversation_id"] == "kiosk-1" and item["channel"] == "kiosk"
    assert (item["phq9_total"], item["phq9_band"]) == (16, "moderately severe")
    assert (item["gad7_total"], item["gad7_band"]) == (14, "moderate")
    assert item["flags"] == ["lithium"] and item["urgent"] is False
    assert (item["first_name"], item["birth_date"], item["appointment_code"]) == (
        "Marigold",
        "1983-07-19",
        None,
    )
    assert dt.datetime.fromisoformat(item["created_at"]).tzinfo is not None

    resource = store.get_fhir(record_id)
    assert resource is not None and resource["id"] == record_id
    QuestionnaireResponse.parse_obj(resource)
    assert answers_from_response(resource) == answers
    assert store.get_fhir("4b0c6f8e-1111-4222-8333-944455556666") is None
    assert store.get_fhir("../../etc/passwd") is None


def test_urgent_first_then_oldest_first_and_only_today(env: Path) -> None:
    now = dt.datetime.now(dt.timezone.utc)
    midnight = now.astimezone().replace(hour=0, minute=0, second=0, microsecond=0)
    yesterday = store.save(
        marked_answers(),
        conversation_id="c0",
        channel="kiosk",
        created_at=midnight - dt.timedelta(minutes=1),
    )
    first = store.save(marked_answers(), conversation_id="c1", channel="kiosk", created_at=midnight)
    urgent = store.save(marked_answers(phq9_9=1), conversation_id="c2", channel="kiosk")
    listed = store.list_today()
    assert [i["id"] for i in listed] == [urgent, first]
    assert listed[0]["urgent"] is True and listed[0]["flags"] == ["item9", "lithium"]
    assert store.get_fhir(yesterday) is not None  # still stored, just not today's


def test_the_database_file_holds_no_readable_answers(env: Path) -> None:
    record_id = store.save(
        marked_answers(phq9_9=2), conversation_id="kiosk-secret", channel="kiosk"
    )
    store.list_today()
    path = store.db_path()
    raw = b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*"))
    assert record_id.encode() in raw  # the file is what we think it is
    for marker in (*MARKERS, "kiosk-secret", "psychosis", "lithium", "QuestionnaireResponse"):
        assert marker.encode() not in raw, marker
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    columns = [row[1] for row in sqlite3.connect(path).execute("PRAGMA table_info(intakes)")]
    assert columns == ["id", "created_at", "summary", "resource"]


def test_nothing_collected_is_logged(env: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    record_id = store.save(marked_answers(phq9_9=1), conversation_id="kiosk-1", channel="kiosk")
    store.list_today()
    store.get_fhir(record_id)
    store.purge_expired()
    for marker in MARKERS:
        assert marker not in caplog.text


def test_a_missing_malformed_or_wrong_key_fails_clearly(
    env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    record_id = store.save(marked_answers(), conversation_id="c1", channel="kiosk")

    monkeypatch.setenv(store.KEY_VARIABLE, Fernet.generate_key().decode())
    for call in (store.list_today, lambda: store.get_fhir(record_id)):
        with pytest.raises(IntakeKeyError, match="not the key they were saved with") as error:
            call()
        assert not any(m in str(error.value) for m in MARKERS)

    monkeypatch.setenv(store.KEY_VARIABLE, "not-a-key")
    with pytest.raises(IntakeKeyError, match="not a valid key"):
        store.save(marked_answers(), conversation_id="c2", channel="kiosk")

    monkeypatch.delenv(store.KEY_VARIABLE)
    with pytest.raises(IntakeKeyError, match="is not set"):
        store.save(marked_answers(), conversation_id="c3", channel="kiosk")
    with pytest.raises(IntakeKeyError, match="is not set"):
        store.list_today()


def test_keys_rotate(env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    old = os.environ[store.KEY_VARIABLE]
    record_id = store.save(marked_answers(), conversation_id="c1", channel="kiosk")
    monkeypatch.setenv(store.KEY_VARIABLE, f"{Fernet.generate_key().decode()},{old}")
    assert store.get_fhir(record_id) is not None
    newer = store.save(marked_answers(), conversation_id="c2", channel="kiosk")
    assert {i["id"] for i in store.list_today()} == {record_id, newer}


def test_invalid_answers_store_nothing(env: Path) -> None:
    with pytest.raises(InvalidAnswers):
        store.save({"phq9_1": 7}, conversation_id="c1", channel="kiosk")
    assert store.list_today() == []


def test_the_database_path_is_configurable(
    env: Path, tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    other = tmp_path_factory.mktemp("elsewhere") / "sub" / "intakes.db"
    monkeypatch.setenv(store.DB_VARIABLE, str(other))
    record_id = store.save(marked_answers(), conversation_id="c1", channel="kiosk")
    assert other.is_file() and not (env / "intake.sqlite").exists()
    assert store.get_fhir(record_id) is not None


def save_aged(days: float) -> str:
    when = dt.datetime.now(dt.timezone.utc) - dt.timedelta(days=days)
    return store.save(
        marked_answers(), conversation_id=f"c{days}", channel="kiosk", created_at=when
    )


def test_purge_removes_records_older_than_the_retention(
    env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    very_old, old, recent, new = save_aged(45), save_aged(30.01), save_aged(29.9), save_aged(0)
    monkeypatch.delenv(store.KEY_VARIABLE)  # purging needs no key
    assert store.purge() == 2  # default 30 days
    with sqlite3.connect(store.db_path()) as conn:
        left = {row[0] for row in conn.execute("SELECT id FROM intakes")}
    assert left == {recent, new}
    assert very_old not in left and old not in left

    monkeypatch.setenv(store.RETENTION_VARIABLE, "7")
    assert store.retention_days() == 7
    assert store.purge() == 1
    later = dt.datetime.now(dt.timezone.utc) + dt.timedelta(minutes=1)
    assert store.purge(older_than_days=0, now=later) == 1
    assert store.purge() == 0


@pytest.mark.parametrize("bad", ["0", "-3", "thirty", "1.5"])
def test_a_bad_retention_setting_is_refused(
    env: Path, monkeypatch: pytest.MonkeyPatch, bad: str
) -> None:
    monkeypatch.setenv(store.RETENTION_VARIABLE, bad)
    with pytest.raises(ValueError, match=store.RETENTION_VARIABLE):
        store.purge_expired()


def test_purge_expired_logs_only_the_count(env: Path, caplog: pytest.LogCaptureFixture) -> None:
    save_aged(31)
    save_aged(1)
    caplog.set_level(logging.DEBUG, logger="lantern.intake.store")
    assert store.purge_expired() == 1
    assert "lantern.intake.purged count=1 older_than_days=30" in caplog.text
    for marker in MARKERS:
        assert marker not in caplog.text


def test_the_purge_command(env: Path) -> None:
    save_aged(40)
    save_aged(10)
    run_env = {**os.environ, store.RETENTION_VARIABLE: "20"}
    done = subprocess.run(
        [sys.executable, "-m", "lantern.intake.store", "purge"],
        cwd=ROOT,
        env=run_env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert "purged 1 intake record(s) older than 20 day(s)" in done.stdout
    done = subprocess.run(
        [sys.executable, "-m", "lantern.intake.store", "purge", "--days", "5"],
        cwd=ROOT,
        env=run_env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert "purged 1 intake record(s) older than 5 day(s)" in done.stdout
    bad = subprocess.run(
        [sys.executable, "-m", "lantern.intake.store", "purge"],
        cwd=ROOT,
        env={**run_env, store.RETENTION_VARIABLE: "soon"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert bad.returncode == 2 and "Traceback" not in bad.stderr
    assert store.RETENTION_VARIABLE in bad.stderr
