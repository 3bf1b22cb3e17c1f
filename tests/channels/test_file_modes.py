"""Lantern's data files are readable by its own account only (issue 17: they were mode 644).

The conversation store, the safety audit log, feedback, kiosk hand-offs, the intake
store and the logs hold health information or who asked for help: mode 600, their
folders 700, whatever the umask of whoever starts Lantern. Checked once with the
stores created in this process under umask 022, and once on a whole server run.
"""

from __future__ import annotations

import os
import stat
import uuid
from pathlib import Path
from typing import Iterator, List

import pytest
from cryptography.fernet import Fernet

from lantern.private_files import private_dir, private_file
from tests.conftest import answer_ids
from tests.servers import Servers, start


def loose(root: Path) -> List[str]:
    """Everything under `root` (itself included) that others may read, write or enter."""
    found = []
    for path in [root, *root.rglob("*")]:
        if path.is_symlink():
            continue
        mode = stat.S_IMODE(path.stat().st_mode)
        if mode & 0o077:
            found.append(f"{path.relative_to(root.parent)} {mode:o}")
    return found


@pytest.fixture
def umask_022() -> Iterator[None]:
    """The usual umask, under which SQLite made every database 644."""
    old = os.umask(0o022)
    yield
    os.umask(old)


def test_private_file_and_dir(
    tmp_path: Path, umask_022: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LANTERN_VAR_DIR", str(tmp_path / "var"))
    made = private_file(tmp_path / "new" / "deeper" / "db.sqlite")
    assert made.stat().st_size == 0  # created empty: SQLite takes it as a new database
    assert stat.S_IMODE(made.stat().st_mode) == 0o600
    assert stat.S_IMODE(made.parent.stat().st_mode) == 0o700
    assert stat.S_IMODE(made.parent.parent.stat().st_mode) == 0o700
    # a database made before (644) is tightened, its content kept
    old = tmp_path / "var" / "old.sqlite"
    old.parent.mkdir(mode=0o755)
    old.write_bytes(b"kept")
    old.chmod(0o644)
    private_file(old)
    assert stat.S_IMODE(old.stat().st_mode) == 0o600 and old.read_bytes() == b"kept"
    assert stat.S_IMODE(old.parent.stat().st_mode) == 0o700  # the var dir too
    # a folder that is not ours to change is left alone (here: one we did not make)
    shared = tmp_path / "shared"
    shared.mkdir(mode=0o755)
    shared.chmod(0o755)
    private_file(shared / "x.sqlite")
    assert stat.S_IMODE(shared.stat().st_mode) == 0o755
    assert stat.S_IMODE(private_dir(tmp_path / "d").stat().st_mode) == 0o700


def test_every_store_creates_its_files_private(
    tmp_path: Path, umask_022: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    var = tmp_path / "var"
    monkeypatch.setenv("LANTERN_VAR_DIR", str(var))
    monkeypatch.setenv("TRACKER_DB", str(var / "tracker.db"))
    monkeypatch.setenv("LANTERN_TRACKER_STORE", "sqlite")
    monkeypatch.setenv("LANTERN_TRACKER_KEY", Fernet.generate_key().decode())
    monkeypatch.setenv("LANTERN_INTAKE_KEY", Fernet.generate_key().decode())
    monkeypatch.setenv("LANTERN_INTAKE_DB", str(var / "intake.sqlite"))

    from actions import feedback
    from lantern import staff
    from lantern.intake import store
    from lantern.persistence.stores import LanternTrackerStore
    from lantern.safety import audit
    from tests.intake.test_store import marked_answers

    audit.record_replies(["safety_crisis"], "rest", "files-1")
    staff.record_handoff("files-1")
    feedback.record("ketamine_overview", True, "rest")
    store.save(marked_answers(), conversation_id="files-1", channel="kiosk")
    from rasa.shared.core.trackers import DialogueStateTracker

    LanternTrackerStore().save(DialogueStateTracker("files-1", []))  # type: ignore[arg-type]

    names = {p.name for p in var.iterdir()}
    assert {"tracker.db", "safety_audit.sqlite", "feedback.sqlite", "handoffs.sqlite"} <= names
    assert "intake.sqlite" in names
    assert loose(var) == []


@pytest.fixture(scope="module")
def ran(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Servers]:
    """A server run that touched every store: a crisis, feedback, a kiosk request, an intake."""
    running = start(tmp_path_factory.mktemp("lantern-modes"), {"LANTERN_STAFF_TOKEN": "t" * 24})
    try:
        sender = f"modes-{uuid.uuid4().hex[:8]}"
        assert answer_ids(running.send(sender, "I want to end my life"))[0] == "safety_crisis"
        assert "ketamine_overview" in answer_ids(running.send(sender, "what is ketamine?"))
        running.send(sender, "/feedback_helpful")
        from tests.intake.test_form import GAD7, HISTORY, NO_MEDS, PHQ9

        intake = f"modes-{uuid.uuid4().hex[:8]}"
        for text in ["start my intake", "yes", "T" + uuid.uuid4().hex[:7].upper()]:
            running.send(intake, text)
        for text in ["Depression", "therapy", "none", *NO_MEDS, *HISTORY, *PHQ9, *GAD7]:
            running.send(intake, text)
        assert answer_ids(running.send(intake, "yes")) == ["intake_submitted"]
        import requests

        auth = {"Authorization": "Bearer " + "t" * 24}
        listed = requests.get(f"{running.url}/lantern/staff/handoffs", headers=auth, timeout=10)
        assert listed.status_code == 200
        yield running
    finally:
        running.stop()


@pytest.mark.server
def test_a_server_run_leaves_nothing_readable_by_others(ran: Servers) -> None:
    var = ran.var_dir
    names = {p.name for p in var.iterdir()}
    for expected in ("tracker.db", "safety_audit.sqlite", "feedback.sqlite", "handoffs.sqlite"):
        assert expected in names, (expected, sorted(names))
    assert (var / "logs").is_dir() and list((var / "logs").glob("*.log"))
    intake_db = Path(ran.env.get("LANTERN_INTAKE_DB") or var / "intake.sqlite")
    assert intake_db.exists()
    assert loose(var) == []
