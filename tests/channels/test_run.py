"""`make run`'s script: it serves answers, and Ctrl-C stops both servers cleanly."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from tests.conftest import answer_ids
from tests.servers import start

pytestmark = pytest.mark.server


def listening(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(1)
        return s.connect_ex(("127.0.0.1", port)) == 0


def test_run_serves_answers_and_ctrl_c_stops_both_servers(tmp_path: Path) -> None:
    servers = start(tmp_path)
    try:
        assert listening(servers.port) and listening(servers.action_port)
        assert "ketamine_overview" in answer_ids(servers.send("run-1", "what is ketamine?"))
    finally:
        code = servers.stop()
    assert code == 0
    assert not listening(servers.port) and not listening(servers.action_port)
