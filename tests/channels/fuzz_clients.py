"""How the channel fuzz test talks to a server and checks each answer (tests/channels/test_fuzz.py).

The answer contract (a kind reply with an answer id, a clear 4xx with a reason, or
a clean socket.io disconnect), a socket.io client that reconnects after a
disconnect, and the counts the run keeps for its final checks.
"""

from __future__ import annotations

import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import Any, Dict, List

import requests
import socketio

from bench.processes import server_pids
from tests.conftest import answer_ids
from tests.servers import Servers


@dataclass
class Stats:
    """What the run sent and saw (for the report and the final checks)."""

    sent: Dict[str, int] = field(default_factory=lambda: {"rest": 0, "socketio": 0, "kiosk": 0})
    statuses: Dict[int, int] = field(default_factory=dict)
    disconnects: int = 0
    rss_before_mb: float = 0.0


def rasa_pid(servers: Servers) -> int:
    """The process id of the Rasa server, a child of scripts/run.sh."""
    pid = server_pids(servers.process.pid).get("rasa")
    assert pid, "no Rasa server process under scripts/run.sh"
    return pid


def assert_kind_reply(messages: List[Dict[str, Any]], where: str) -> None:
    """A non-empty reply whose messages all have content, with at least one answer id."""
    assert messages, f"{where}: silence"
    assert all(
        m.get("text") or m.get("custom") or m.get("buttons") or m.get("quick_replies")
        for m in messages
    ), messages
    assert answer_ids(messages), f"{where}: no answer id in {messages}"


class SocketChannel:
    """One socket.io connection (python-socketio's client), reconnected when closed."""

    def __init__(self, url: str, path: str, transport: str):
        self.url, self.path, self.transport = url, path, transport
        self.client: socketio.Client | None = None
        self.session = ""
        self.received: List[Dict[str, Any]] = []
        self.gone = threading.Event()

    def ensure(self) -> None:
        """Connect (again) if there is no open connection."""
        if self.client is not None and self.client.connected and not self.gone.is_set():
            return
        self.close()
        client = socketio.Client(reconnection=False)
        gone = self.gone = threading.Event()
        client.on("bot_uttered", lambda data: self.received.append(data))
        client.on("disconnect", lambda *_: gone.set())
        client.connect(
            self.url, socketio_path=self.path, transports=[self.transport], wait_timeout=20
        )
        confirmed = threading.Event()

        def on_confirm(session_id: Any) -> None:
            self.session = str(session_id)  # the server's id, not one the client makes up
            confirmed.set()

        client.on("session_confirm", on_confirm)
        client.call("session_request", {"session_id": uuid.uuid4().hex}, timeout=20)
        assert confirmed.wait(20), "no session_confirm"
        self.client = client

    def send(self, data: Any) -> List[Dict[str, Any]] | None:
        """Send one `user_uttered` event; the bot's events, or None after a disconnect."""
        self.ensure()
        assert self.client is not None
        self.received = []
        acked = threading.Event()
        self.client.emit("user_uttered", data, callback=lambda *_: acked.set())
        deadline = time.monotonic() + 60
        while not (acked.is_set() or self.gone.is_set()) and time.monotonic() < deadline:
            acked.wait(0.02)
        if acked.is_set():
            return list(self.received)
        assert self.gone.is_set(), f"no reply and no disconnect for {str(data)[:200]!r}"
        return None  # the server closed the connection

    def message(self, text: Any, **extra: Any) -> Dict[str, Any]:
        """A well-formed event for this connection's session."""
        return {"message": text, "session_id": self.session, **extra}

    def close(self) -> None:
        """Disconnect."""
        if self.client is not None:
            self.client.disconnect()
            self.client = None


def post(servers: Servers, body: bytes, stats: Stats) -> requests.Response:
    """POST raw bytes to the REST webhook and check the answer contract."""
    response = requests.post(
        f"{servers.url}/webhooks/rest/webhook",
        data=body,
        headers={"Content-Type": "application/json"},
        timeout=90,
    )
    stats.sent["rest"] += 1
    stats.statuses[response.status_code] = stats.statuses.get(response.status_code, 0) + 1
    assert response.status_code < 500, (response.status_code, body[:300], response.text[:300])
    if response.status_code in (200, 413):  # 413: the kind too-long reply, with help lines
        assert_kind_reply(response.json(), f"REST {body[:100]!r}")
    else:
        assert 400 <= response.status_code < 500, response.status_code
        assert response.json()["error"], response.text
    return response
