"""Start Lantern's two servers for tests, the same way `make run` does (scripts/run.sh)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, List

import requests

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    """A free TCP port on loopback."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Servers:
    """A running Lantern (Rasa + action server) started by scripts/run.sh."""

    process: subprocess.Popen
    port: int
    action_port: int
    var_dir: Path
    env: Dict[str, str]

    @property
    def url(self) -> str:
        """Base URL of the Rasa server."""
        return f"http://localhost:{self.port}"

    def send(self, sender: str, message: str, timeout: float = 30) -> List[dict]:
        """POST one message over REST and return the bot's messages."""
        response = requests.post(
            f"{self.url}/webhooks/rest/webhook",
            json={"sender": sender, "message": message},
            timeout=timeout,
        )
        response.raise_for_status()
        return list(response.json())

    def share_store_env(self, monkeypatch: Any) -> None:
        """Point this test process at the server's intake store (pytest's monkeypatch)."""
        for name in STORE_VARIABLES:
            if name in self.env:
                monkeypatch.setenv(name, self.env[name])

    def logs(self) -> str:
        """Everything both servers logged so far."""
        logs = self.var_dir / "logs"
        return "".join(p.read_text(errors="replace") for p in sorted(logs.glob("*.log")))

    def stop(self) -> int:
        """Ctrl-C, as a user would; returns the exit code."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGINT)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        return int(self.process.returncode or 0)


def terminate(process: subprocess.Popen, timeout: float = 20) -> None:
    """SIGTERM, as an orchestrator would; SIGKILL if it hasn't exited in `timeout` s."""
    process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


#: What the test process needs to read a server's intake store.
STORE_VARIABLES = ("LANTERN_VAR_DIR", "LANTERN_INTAKE_KEY", "LANTERN_INTAKE_DB")


def start(var_dir: Path, extra_env: Dict[str, str] | None = None, timeout: float = 180) -> Servers:
    """Start both servers on free ports with their state in `var_dir`; wait until ready."""
    port, action_port, rasa_port = free_port(), free_port(), free_port()
    env = {
        **os.environ,
        "LANTERN_PORT": str(port),
        "LANTERN_ACTION_PORT": str(action_port),
        "LANTERN_RASA_PORT": str(rasa_port),
        "ACTION_ENDPOINT_URL": f"http://localhost:{action_port}/webhook",
        "LANTERN_VAR_DIR": str(var_dir),
        "TRACKER_DB": str(var_dir / "tracker.db"),
        **(extra_env or {}),
    }
    process = subprocess.Popen(
        ["bash", "scripts/run.sh"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    servers = Servers(process, port, action_port, var_dir, env)
    deadline = time.monotonic() + timeout
    assert process.stdout is not None
    output: List[str] = []
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line and process.poll() is not None:
            raise RuntimeError("servers did not start:\n" + "".join(output))
        output.append(line)
        if "Lantern is running" in line:
            return servers
    servers.stop()
    raise RuntimeError("servers not ready in time:\n" + "".join(output))


def rss_mb(pid: int) -> float:
    """Resident memory of a process, in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError(f"no VmRSS for {pid}")
