"""Hostile HTTP against the public port: nginx in front reads and checks every request first.

Each case here once froze, crashed or exhausted the Rasa server (Sanic 21.12 read
`Content-Length: -1` forever, kept slow connections open, read 100 MB bodies).
After every attack the server must still answer a crisis message at once.
"""

from __future__ import annotations

import contextlib
import resource
import socket
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import List

import pytest

from bench.processes import server_pids
from tests.conftest import answer_ids
from tests.servers import Servers, rss_mb

pytestmark = pytest.mark.server

BODY = b'{"sender": "hostile", "message": "is ketamine addictive?"}'


def still_serves_crisis(servers: Servers) -> None:
    started = time.monotonic()
    reply = servers.send(f"hostile-{uuid.uuid4().hex[:8]}", "I want to kill myself", timeout=10)
    assert answer_ids(reply) == ["safety_crisis"]
    assert time.monotonic() - started < 5


def raw(port: int, request: bytes, timeout: float = 5, source: str = "127.0.0.1") -> bytes:
    """Send raw bytes; return the status line ('' if the server closed without a reply)."""
    with socket.create_connection(
        ("127.0.0.1", port), timeout=timeout, source_address=(source, 0)
    ) as s:
        s.sendall(request)
        try:
            data = s.recv(4096)
        except TimeoutError:
            return b"<no reply>"
    return data.split(b"\r\n")[0]


def head(content_lengths: List[bytes], extra: bytes = b"") -> bytes:
    lines = b"".join(b"Content-Length: " + cl + b"\r\n" for cl in content_lengths)
    return (
        b"POST /webhooks/rest/webhook HTTP/1.1\r\nHost: localhost\r\n"
        b"Content-Type: application/json\r\n" + lines + extra + b"\r\n"
    )


@pytest.mark.parametrize(
    "lengths, extra",
    [
        ([b"-1"], b""),
        ([b"abc"], b""),
        ([b"%d" % len(BODY), b"%d" % len(BODY)], b""),  # duplicate: request smuggling
        ([b"%d" % len(BODY), b"5"], b""),
        ([b"%d" % len(BODY)], b"Transfer-Encoding: chunked\r\n"),
        ([b"99999999999999999999999"], b""),
    ],
)
def test_bad_content_length_is_refused_and_nothing_freezes(
    servers: Servers, lengths: List[bytes], extra: bytes
) -> None:
    status = raw(servers.port, head(lengths, extra) + BODY)
    assert status.startswith(b"HTTP/1.1 400"), status
    still_serves_crisis(servers)


def test_a_huge_body_is_refused_before_it_is_read(servers: Servers) -> None:
    rasa = server_pids(servers.process.pid)["rasa"]
    before = rss_mb(rasa)

    def post() -> bytes:
        with socket.create_connection(("127.0.0.1", servers.port), timeout=10) as s:
            s.sendall(head([b"99000000"]))
            # refused and closed while we may still be sending: as it should
            with contextlib.suppress(OSError):
                s.sendall(b"x" * 1_000_000)
            return s.recv(4096).split(b"\r\n")[0]

    started = time.monotonic()
    with ThreadPoolExecutor(8) as pool:
        statuses = list(pool.map(lambda _: post(), range(8)))
    assert all(s.startswith(b"HTTP/1.1 413") for s in statuses), statuses
    assert time.monotonic() - started < 10
    assert rss_mb(rasa) - before < 50
    still_serves_crisis(servers)


def test_the_413_is_a_kind_reply_with_help(servers: Servers) -> None:
    import requests

    big = {"sender": "hostile-big", "message": "x" * 70_000}
    response = requests.post(f"{servers.url}/webhooks/rest/webhook", json=big, timeout=10)
    assert response.status_code == 413
    messages = response.json()
    assert answer_ids(messages) == ["input_too_long"]
    assert "988" in messages[0]["text"] and "911" in messages[0]["text"]
    assert response.headers.get("Cache-Control") == "no-store"


def test_slow_headers_and_bodies_are_cut_off(servers: Servers) -> None:
    """A header trickled a line at a time, or a body that pauses, is closed in about 10 s."""
    for first, more in [
        (b"GET /webhooks/rest/ HTTP/1.1\r\nHost: x\r\n", b"X-Slow: 1\r\n"),
        (head([b"%d" % len(BODY)]), b""),  # the body never comes
    ]:
        with socket.create_connection(("127.0.0.1", servers.port), timeout=1) as s:
            s.sendall(first)
            started, closed = time.monotonic(), None
            while time.monotonic() - started < 25:
                try:
                    if more:
                        s.sendall(more)
                    data = s.recv(4096)
                    if not data or data.startswith(b"HTTP/1.1 408"):
                        closed = time.monotonic() - started
                        break
                except TimeoutError:
                    continue
                except OSError:
                    closed = time.monotonic() - started
                    break
            assert closed is not None and closed < 15, "a slow connection was kept open"
    still_serves_crisis(servers)


def test_a_connection_flood_does_not_block_others(servers: Servers) -> None:
    """1,100 idle connections from one address (127.0.0.2): others are still served.

    Bounded: 1,100 sockets on loopback, held for at most a few seconds.
    """
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < 4096:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(4096, hard), hard))
    sockets = []
    try:
        for _ in range(1100):
            s = socket.socket()
            s.settimeout(5)
            s.bind(("127.0.0.2", 0))
            s.connect(("127.0.0.1", servers.port))
            s.sendall(b"GET / HTTP/1.1\r\n")  # and never finish the header
            sockets.append(s)
        still_serves_crisis(servers)
        # the flooding address's own further requests are still answered or refused, never hung
        assert raw(
            servers.port, b"GET /webhooks/rest/ HTTP/1.1\r\nHost: x\r\n\r\n", source="127.0.0.2"
        )
    finally:
        for s in sockets:
            s.close()


def test_the_rasa_and_action_servers_listen_only_on_loopback(servers: Servers) -> None:
    listening = _listening_addresses()
    rasa_port = int(servers.env["LANTERN_RASA_PORT"])
    assert listening.get(rasa_port) == {"127.0.0.1"}, listening.get(rasa_port)
    assert listening.get(servers.action_port) == {"127.0.0.1"}, listening.get(servers.action_port)


def _listening_addresses() -> dict:
    """Port -> local addresses in LISTEN state, from /proc/net/tcp."""
    found: dict = {}
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        if fields[3] != "0A":  # LISTEN
            continue
        address, port = fields[1].split(":")
        ip = socket.inet_ntoa(bytes.fromhex(address)[::-1])
        found.setdefault(int(port, 16), set()).add(ip)
    return found
