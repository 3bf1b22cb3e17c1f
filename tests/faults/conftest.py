"""Helpers for the fault tests: an action server the test can stop and start, and a slow stub."""

from __future__ import annotations

import json
import subprocess
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Dict

import requests

from tests.servers import ROOT, terminate


class ActionServer:
    """`python -m actions.server` on a fixed port, as a separate deployment would run it."""

    def __init__(self, port: int, env: Dict[str, str], log: Path) -> None:
        self.port, self.env, self.log = port, env, log
        self.process: subprocess.Popen | None = None

    def start(self, timeout: float = 60) -> None:
        """Start and wait until /health answers."""
        with self.log.open("a") as log:
            self.process = subprocess.Popen(
                [str(ROOT / ".venv/bin/python"), "-m", "actions.server", "--port", str(self.port)],
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                if requests.get(f"http://localhost:{self.port}/health", timeout=2).ok:
                    return
            except requests.ConnectionError:
                pass
            if self.process.poll() is not None:
                break
            time.sleep(0.2)
        raise RuntimeError("the action server did not start:\n" + self.log.read_text()[-2000:])

    def stop(self) -> None:
        """Stop it (SIGTERM, as an orchestrator would)."""
        if self.process and self.process.poll() is None:
            terminate(self.process)


class SlowActionServer:
    """Accepts action calls on `port` and answers only after `delay` seconds."""

    def __init__(self, port: int, delay: float) -> None:
        self.calls = 0
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                stub.calls += 1
                self.rfile.read(int(self.headers.get("Content-Length", 0)))
                time.sleep(delay)
                body = json.dumps({"events": [], "responses": []}).encode()
                try:
                    self.send_response(200)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except OSError:
                    pass  # Rasa gave up and closed the connection

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> SlowActionServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
