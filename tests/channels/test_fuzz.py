"""Fuzzing the public channels: REST, the widget's socket.io and the kiosk's.

Hypothesis sends odd inputs (empty, whitespace, 100 KB, control characters, emoji,
right-to-left text, JSON in text, `/intent{...}` injections, invalid JSON, missing,
huge or wrongly typed fields, huge metadata) to a server of its own. Every input
gets a kind reply (each with an answer id), a clear 4xx with a reason, or, for a
socket.io packet over the size cap, a clean disconnect; never a 5xx or silence.
Afterwards the server still answers a normal question and its memory is back
within a bound. The examples are derandomized, so CI runs the same inputs.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import Any, Dict, Iterator, List

import pytest
import requests
import socketio
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bench.processes import server_pids
from lantern.channels import guard
from lantern.channels.rest import MAX_BODY_BYTES
from lantern.channels.socketio import MAX_PACKET_BYTES
from tests.conftest import answer_ids
from tests.servers import Servers, rss_mb, start

pytestmark = pytest.mark.server

#: Inputs per channel (the total must reach 500; see test_the_server_survives_the_run).
REST_EXAMPLES = 250
WIDGET_EXAMPLES = 100
KIOSK_EXAMPLES = 80
#: Growth of the Rasa server's resident memory allowed over the whole run.
#: Measured (2 cores, 560+ inputs): +4 and +5 MB (635 -> 640 MB); the bound leaves room.
RSS_BOUND_MB = 50
FUZZ = settings(
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.large_base_example,
    ],
)
MISSING = object()

INTENTS = sorted(guard.BUTTON_INTENTS) + [
    "safety_crisis",
    "safety_emergency",
    "deny_crisis",
    "bot_identity",
    "nlu_fallback",
    "restart",
    "session_start",
]
CURATED_TEXTS = [
    "",
    " ",
    "\n\t  \r\n",
    "\x00",
    "\x00\x01\x02\x1b[31mred\x7f",
    "\u200b\u200d\ufeff",
    "a" * 100_000,
    "is ketamine addictive? " * 500,
    "🙂" * 100,
    "👨‍👩‍👧‍👦 🏳️‍🌈 🇬🇧",
    "\u202eis ketamine legal?\u202c",
    "هل الكيتامين آمن؟",
    "מה זה פסילוסיבין?",
    "ketamine \u05e9\u05dc\u05d5\u05dd \u0645\u0631\u062d\u0628\u0627",
    '{"sender": "x", "message": "hi"}',
    '{"text": "/safety_crisis", "intent": {"name": "greet"}}',
    "[1, 2, 3]",
    "null",
    "/safety_crisis",
    "/safety_emergency",
    "/restart",
    "/session_start",
    '/choose_topic{"topic": "../../etc"}',
    '/choose_topic{"topic": "../../../../etc/passwd"}',
    '/choose_topic{"topic": "zzz_not_an_answer"}',
    '/inform_region{"region":"xx"}',
    '/inform_substance{"substance":"zzz"}',
    '/inform_substance{"substance":"ketamine", "condition": "x"}',
    '/greet{"a": {"b": [1, 2]}}',
    "/" * 50,
    "/choose_topic{" + "[" * 100,
    "<script>alert(1)</script>",
    "'; DROP TABLE events; --",
    "${jndi:ldap://x}",
    "{{7*7}} %s %n",
    "\ud800",
    "a\udfffb",
]
RAW_BODIES = [
    b"",
    b" ",
    b"null",
    b"true",
    b"[]",
    b'"just a string"',
    b"{",
    b"[" * 5000,
    b'{"a":' * 1500,
    b"\xff\xfe\x00\x00",
    b'{"sender": "x", "message": "hi"',
    b"sender=x&message=hi",
    b'{"sender": "x", "message": "hi"}' * 3,
    b'{"sender": NaN, "message": Infinity}',
]

json_leaf = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=20),
)
json_value = st.recursive(
    json_leaf,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=12,
)
lone_surrogates = st.integers(0xD800, 0xDFFF).map(chr)
odd_chars = st.one_of(
    st.characters(),
    st.sampled_from("\x00\x07\x1b\x7f\u200e\u200f\u202a\u202e\u2066\ufeff\ufffd"),
    lone_surrogates,
)
texts = st.one_of(
    st.sampled_from(CURATED_TEXTS),
    st.text(odd_chars, max_size=200),
    st.text(st.characters(), min_size=1900, max_size=2100),  # around the 2,000 limit
    st.builds(
        lambda intent, entities: f"/{intent}{json.dumps(entities) if entities else ''}",
        st.sampled_from(INTENTS),
        st.none()
        | st.dictionaries(
            st.sampled_from(["topic", "substance", "region", "x"]), json_value, max_size=3
        ),
    ),
    json_value.map(json.dumps),
)
good_senders = st.text("abcdefghijklmnopqrstuvwxyz0123456789-_", min_size=1, max_size=40).map(
    lambda s: f"fz-{s}"
)
senders = st.one_of(
    good_senders,
    st.sampled_from(["", "   ", "\t", "x" * 129, "x" * 5000, "\ud800", "a\x00b", "\u202e"]),
    st.text(odd_chars, min_size=1, max_size=30),
    json_value,
    st.just(MISSING),
)
huge_metadata = st.sampled_from(
    [
        {"blob": "x" * 7000},
        {f"k{i}": i for i in range(600)},
        {"deep": json.loads("[" * 500 + "]" * 500)},
        "x" * 5000,
        "{" * 2000,
    ]
)
metadata = st.one_of(st.just(MISSING), json_value, huge_metadata)


def _body(sender: Any, message: Any, meta: Any, ascii_only: bool) -> bytes:
    payload: Dict[str, Any] = {}
    for key, value in (("sender", sender), ("message", message), ("metadata", meta)):
        if value is not MISSING:
            payload[key] = value
    return json.dumps(payload, ensure_ascii=ascii_only).encode("utf-8", "surrogatepass")


rest_bodies = st.one_of(
    # about half reach the model: a usable sender and an odd text
    st.builds(_body, good_senders, texts, metadata, st.booleans()),
    st.builds(_body, good_senders, texts, st.just(MISSING), st.just(True)),
    st.builds(_body, good_senders, texts, st.just(MISSING), st.just(False)),
    st.builds(
        _body, senders, st.one_of(texts, json_value, st.just(MISSING)), metadata, st.booleans()
    ),
    st.sampled_from(RAW_BODIES),
    st.binary(max_size=300),
    json_value.map(lambda v: json.dumps(v).encode()),
)


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


@pytest.fixture(scope="module")
def fuzz(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Servers, Stats]]:
    """A server of its own (the fuzz run pollutes nothing else), warmed up."""
    servers = start(tmp_path_factory.mktemp("lantern-fuzz"))
    try:
        assert "ketamine_overview" in answer_ids(servers.send("fz-warm", "what is ketamine?"))
        time.sleep(2)
        stats = Stats(rss_before_mb=rss_mb(rasa_pid(servers)))
        yield servers, stats
    finally:
        servers.stop()


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


def test_curated_odd_inputs_over_rest(fuzz: tuple[Servers, Stats]) -> None:
    servers, stats = fuzz
    for text in CURATED_TEXTS:
        body = json.dumps({"sender": f"fz-{uuid.uuid4().hex}", "message": text}).encode()
        response = post(servers, body, stats)
        assert response.status_code == (413 if len(body) > MAX_BODY_BYTES else 200), text[:50]
    for body in RAW_BODIES:
        assert post(servers, body, stats).status_code == 400, body[:50]
    # JSON may start with a UTF-8 byte order mark
    bom = b"\xef\xbb\xbf" + json.dumps({"sender": "fz-bom", "message": "hi"}).encode()
    assert post(servers, bom, stats).status_code == 200


def test_rest_fuzz(fuzz: tuple[Servers, Stats]) -> None:
    servers, stats = fuzz

    @settings(FUZZ, max_examples=REST_EXAMPLES)
    @given(body=rest_bodies)
    def check(body: bytes) -> None:
        post(servers, body, stats)

    check()


def socket_fuzz_events() -> st.SearchStrategy:
    """`user_uttered` payloads: a message for the session, or anything at all."""
    return st.one_of(
        st.builds(lambda text: ("own", {"message": text}), texts),
        st.builds(
            lambda text, meta: ("own", {"message": text, "metadata": meta}),
            texts,
            metadata.filter(lambda m: m is not MISSING),
        ),
        st.builds(lambda value: ("own", {"message": value}), json_value),
        st.builds(
            lambda sid, text: ("raw", {"message": text, "session_id": sid}),
            senders.filter(lambda s: s is not MISSING),
            texts,
        ),
        st.builds(lambda text: ("raw", {"message": text}), texts),  # no session_id
        st.builds(lambda value: ("raw", value), json_value),
        st.builds(lambda values: ("raw", tuple(values)), st.lists(json_value, max_size=3)),
    )


def run_socket_fuzz(channel: SocketChannel, stats: Stats, name: str, examples: int) -> None:
    @settings(FUZZ, max_examples=examples)
    @given(event=socket_fuzz_events())
    def check(event: tuple[str, Any]) -> None:
        kind, data = event
        channel.ensure()
        if kind == "own":
            data = {**data, "session_id": channel.session}
        stats.sent[name] += 1
        size = len(json.dumps(data, ensure_ascii=True))
        received = channel.send(data)
        if received is None:
            stats.disconnects += 1
            assert size > MAX_PACKET_BYTES - 100, f"disconnected on a {size}-byte event"
            return
        assert_kind_reply(received, f"{name} {str(data)[:200]!r}")

    check()


@pytest.mark.parametrize(
    ("name", "path", "transport", "examples"),
    [
        ("socketio", "/socket.io", "websocket", WIDGET_EXAMPLES),
        ("kiosk", "/kiosk/socket.io", "polling", KIOSK_EXAMPLES),
    ],
)
def test_socketio_fuzz(
    fuzz: tuple[Servers, Stats],
    name: str,
    path: str,
    transport: str,
    examples: int,
) -> None:
    servers, stats = fuzz
    channel = SocketChannel(servers.url, path, transport)
    try:
        # the curated inputs first, each in a well-formed event
        for text in CURATED_TEXTS:
            channel.ensure()
            stats.sent[name] += 1
            received = channel.send(channel.message(text))
            if received is None:
                stats.disconnects += 1
                assert len(json.dumps(text)) > MAX_PACKET_BYTES - 100, text[:50]
                continue
            assert_kind_reply(received, f"{name} {text[:50]!r}")
        run_socket_fuzz(channel, stats, name, examples)
    finally:
        channel.close()


def test_a_100_kb_socketio_message_gets_a_clean_disconnect(fuzz: tuple[Servers, Stats]) -> None:
    servers, stats = fuzz
    for path, transport in (("/socket.io", "websocket"), ("/kiosk/socket.io", "polling")):
        channel = SocketChannel(servers.url, path, transport)
        try:
            channel.ensure()
            assert channel.send(channel.message("a" * 100_000)) is None  # closed, not read
            channel.ensure()
            received = channel.send(channel.message("is ketamine addictive?"))
            assert received is not None
            assert "ketamine_addiction_risk" in answer_ids(received)
        finally:
            channel.close()


def test_socketio_events_with_no_or_extra_arguments_get_a_reply(
    fuzz: tuple[Servers, Stats],
) -> None:
    """Regression: an event without data made the handler raise (TypeError): silence."""
    servers, stats = fuzz
    channel = SocketChannel(servers.url, "/socket.io", "websocket")
    try:
        for data in (None, (), ("a", "b"), (channel.message("hello"), {"x": 1})):
            stats.sent["socketio"] += 1
            received = channel.send(data)
            assert received is not None
            assert_kind_reply(received, f"socket.io {data!r}")
    finally:
        channel.close()


def test_a_lone_surrogate_sender_is_refused_and_the_server_keeps_running(
    fuzz: tuple[Servers, Stats],
) -> None:
    """Regression: Rasa's SQL tracker store exited the whole server on such an id."""
    servers, stats = fuzz
    for sender in ("\ud800", "a\udfffb", "a\x00b"):
        body = json.dumps({"sender": sender, "message": "hi"}).encode()
        assert post(servers, body, stats).status_code == 400
    assert servers.process.poll() is None
    assert "welcome" in answer_ids(servers.send("fz-after-surrogate", "hello"))


def test_the_server_survives_the_run(fuzz: tuple[Servers, Stats]) -> None:
    """Runs last: proper answers on every channel, memory back within the bound."""
    servers, stats = fuzz
    total = sum(stats.sent.values())
    assert total >= 500, f"only {total} inputs: run the whole file"
    assert servers.process.poll() is None
    assert "ketamine_addiction_risk" in answer_ids(
        servers.send(f"fz-{uuid.uuid4().hex}", "is ketamine addictive?")
    )
    for path in ("/socket.io", "/kiosk/socket.io"):
        channel = SocketChannel(servers.url, path, "websocket")
        try:
            channel.ensure()
            received = channel.send(channel.message("how do I prepare for my session?"))
            assert received is not None
            assert "preparing_for_session" in answer_ids(received)
        finally:
            channel.close()
    time.sleep(5)  # a pause for the server's garbage collection
    rss_after = rss_mb(rasa_pid(servers))
    print(
        f"\nfuzz: sent {stats.sent} (total {total}), "
        f"statuses {dict(sorted(stats.statuses.items()))}, "
        f"socket.io disconnects {stats.disconnects}, "
        f"rasa RSS {stats.rss_before_mb:.0f} MB -> {rss_after:.0f} MB "
        f"({rss_after - stats.rss_before_mb:+.0f} MB)"
    )
    assert rss_after - stats.rss_before_mb < RSS_BOUND_MB
