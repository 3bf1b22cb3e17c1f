"""Hostile requests against the web surface (issue 17): session ids, caching, Origin, staff token.

Each test reproduces a defect a probe found on a running instance: a socket.io
client choosing (or copying) another person's session id received their replies;
replies had no `Cache-Control: no-store`; the Origin check believed any
`X-Forwarded-Host`; the staff token took 6,000 wrong guesses in 1.3 s with no
lockout, no log and no minimum length; 1,400 non-Latin characters got a bare 413;
"continue" inside the intake got `service_unavailable`. Server tests run against a
Lantern of their own (loopback only).
"""

from __future__ import annotations

import http.client
import json
import logging
import queue
import re
import secrets
import time
import uuid
from collections import Counter
from typing import Any, Dict, Iterator, List
from urllib.parse import urlsplit

import pytest
import requests
import socketio

from lantern import staff
from lantern.channels import socketio as channel
from lantern.channels.proxy import TRUST_VARIABLE
from tests.conftest import answer_ids
from tests.servers import Servers, start

STAFF_TOKEN = secrets.token_urlsafe(24)
REPLY_S = 45
#: The probe's count: wrong tokens sent as fast as one connection allows.
GUESSES = 6000
#: Devanagari: each character is 6 bytes of JSON (\\u0915), as requests sends it.
HINDI = "\u0915\u0947\u091f\u093e\u092e\u093e\u0907\u0928 \u0915\u094d\u092f\u093e \u0939\u0948 "


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Servers]:
    """A Lantern of this module's own, with a staff token (its lockouts stay here)."""
    var_dir = tmp_path_factory.mktemp("lantern-hostile")
    running = start(var_dir, {"LANTERN_STAFF_TOKEN": STAFF_TOKEN})
    yield running
    running.stop()


class Socket:
    """One socket.io client (python-socketio) recording what it receives."""

    def __init__(self, servers: Servers, path: str = "/socket.io") -> None:
        self.received: List[Dict[str, Any]] = []
        self.confirmed: queue.Queue = queue.Queue()
        self.client = socketio.Client(reconnection=False)
        self.client.on("bot_uttered", self.received.append)
        self.client.on("session_confirm", self.confirmed.put)
        self.client.connect(
            servers.url, socketio_path=path, transports=["websocket"], wait_timeout=20
        )

    def session(self, presented: Any = None) -> str:
        """Ask for a session, presenting `presented`; return the id the server confirms."""
        self.client.emit("session_request", {"session_id": presented})
        return str(self.confirmed.get(timeout=20))

    def say(self, text: str, session_id: str) -> None:
        self.client.emit("user_uttered", {"message": text, "session_id": session_id})

    def wait_for(self, answer_id: str) -> List[Dict[str, Any]]:
        deadline = time.monotonic() + REPLY_S
        while time.monotonic() < deadline:
            if answer_id in answer_ids(self.received):
                return self.received
            time.sleep(0.05)
        raise AssertionError(f"no {answer_id} in {answer_ids(self.received)}")

    def close(self) -> None:
        self.client.disconnect()


def conversation_of(session_id: str) -> str:
    return session_id.split(".")[0]


# ------------------------------------------------------------------ session ids
def test_session_ids_are_signed_by_the_server(monkeypatch: pytest.MonkeyPatch) -> None:
    ids = channel.SessionIds("socketio", [b"k" * 32])
    session_id, conversation = ids.issue()
    assert re.fullmatch(r"[0-9a-f]{32}\.[A-Za-z0-9_-]{22}", session_id)
    assert ids.conversation(session_id) == conversation == conversation_of(session_id)
    assert ids.conversation(f"  {session_id} ") == conversation
    forged = [
        conversation,  # the id staff and the stores see is no key
        f"{conversation}.{'A' * 22}",
        session_id[:-1] + ("A" if session_id[-1] != "A" else "B"),
        session_id + "x",
        "patient-1234",
        "",
        None,
        42,
        {"session_id": session_id},
    ]
    assert [ids.conversation(f) for f in forged] == [None] * len(forged)
    # signed for one channel only, and only with the server's keys
    assert channel.SessionIds("kiosk", [b"k" * 32]).conversation(session_id) is None
    assert channel.SessionIds("socketio", [b"x" * 32]).conversation(session_id) is None
    # a key ring: the old key still verifies after a new one is put first
    assert channel.SessionIds("socketio", [b"n" * 32, b"k" * 32]).conversation(session_id)

    # the keys: LANTERN_SESSION_SECRET, else derived from the tracker key, else per process
    assert channel.session_keys({"LANTERN_SESSION_SECRET": "a,b"}) == [b"a", b"b"]
    derived = channel.session_keys({"LANTERN_TRACKER_KEY": "t1"})
    assert derived == channel.session_keys({"LANTERN_TRACKER_KEY": " t1 "})
    assert derived != [b"t1"] and len(derived[0]) == 32
    assert channel.session_keys({}) == channel.session_keys({}) != derived


@pytest.mark.server
def test_a_second_socket_presenting_someone_elses_id_gets_none_of_their_replies(
    hostile: Servers,
) -> None:
    victim = Socket(hostile)
    others: List[Socket] = []
    try:
        chosen = f"patient-{uuid.uuid4().hex[:8]}"
        victim_id = victim.session(chosen)
        assert victim_id != chosen, "the server took the id the client chose"
        conversation = conversation_of(victim_id)
        # whoever presents the chosen id, the bare conversation id (as the staff page
        # shows it), a forged signature or a widget id on the kiosk gets a new one
        attempts = [
            ("/socket.io", chosen),
            ("/socket.io", conversation),
            ("/socket.io", f"{conversation}.{'A' * 22}"),
            ("/kiosk/socket.io", victim_id),
        ]
        for path, presented in attempts:
            other = Socket(hostile, path)
            others.append(other)
            given = other.session(presented)
            assert conversation_of(given) != conversation, (path, presented)
        # and an event naming the victim's id is answered in the sender's own conversation
        others[0].say("what is psilocybin?", victim_id)
        others[0].wait_for("psilocybin")

        victim.say("is ketamine addictive?", victim_id)
        victim.wait_for("ketamine_addiction_risk")
        time.sleep(1.0)  # time for any stray reply to arrive
        assert "psilocybin" not in answer_ids(victim.received)
        for other in others:
            assert "ketamine_addiction_risk" not in answer_ids(other.received)

        # the victim's own id on a new socket (a reload) continues its conversation
        again = Socket(hostile)
        others.append(again)
        assert again.session(victim_id) == victim_id
        again.say("is it safe?", victim_id)  # a new conversation asks "which one do you mean?"
        again.wait_for("ketamine_side_effects")  # "it" is still ketamine: the same context
    finally:
        for s in [victim, *others]:
            s.close()


# ------------------------------------------------------------------ no-store
@pytest.mark.server
def test_no_reply_with_conversation_data_may_be_stored(hostile: Servers) -> None:
    url = hostile.url
    auth = {"Authorization": f"Bearer {STAFF_TOKEN}"}
    webhook = f"{url}/webhooks/rest/webhook"
    replies = {
        "rest answer": requests.post(webhook, json={"sender": "ns-1", "message": "hi"}),
        "rest 400": requests.post(webhook, data=b"{not json"),
        "rest 413": requests.post(webhook, json={"sender": "ns-2", "message": "a" * 40_000}),
        "socket.io polling": requests.get(f"{url}/socket.io/?EIO=4&transport=polling"),
        "kiosk socket.io": requests.get(f"{url}/kiosk/socket.io/?EIO=4&transport=polling"),
        "kiosk page": requests.get(f"{url}/lantern/kiosk"),
        "widget page": requests.get(f"{url}/lantern/widget"),
        "staff page": requests.get(f"{url}/lantern/staff"),
        "handoffs": requests.get(f"{url}/lantern/staff/handoffs", headers=auth),
        "handoffs 401": requests.get(f"{url}/lantern/staff/handoffs"),
        "intakes": requests.get(f"{url}/lantern/staff/intakes", headers=auth),
        "intake 404": requests.get(f"{url}/lantern/staff/intakes/{uuid.uuid4()}", headers=auth),
        "close 404": requests.post(f"{url}/lantern/staff/handoffs/999999/close", headers=auth),
    }
    expected = {"rest 400": 400, "rest 413": 413, "handoffs 401": 401}
    expected |= {"intake 404": 404, "close 404": 404}
    for name, reply in replies.items():
        assert reply.status_code == expected.get(name, 200), (name, reply.status_code)
        assert reply.headers.get("Cache-Control") == "no-store", (name, reply.headers)
    # scripts and styles may be cached (they hold nothing of anyone's)
    script = requests.get(f"{url}/lantern/widget/lantern-widget.js")
    assert script.headers.get("Cache-Control") == "no-cache"


# ------------------------------------------------------------------ Origin
def test_the_origin_check_trusts_forwarded_headers_only_behind_a_proxy(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    check = channel.origin_checker(["https://clinic.example"])
    direct = {"wsgi.url_scheme": "http", "HTTP_HOST": "lantern.local:5005"}
    forged = {**direct, "HTTP_X_FORWARDED_HOST": "evil.example"}
    tls = {**direct, "HTTP_HOST": "lantern.example", "HTTP_X_FORWARDED_PROTO": "https"}
    for off in ("", "0", "no"):
        monkeypatch.setenv(TRUST_VARIABLE, off)
        assert check("http://lantern.local:5005", direct)
        assert check("https://clinic.example", direct)
        assert not check("http://evil.example", forged)
        assert not check("https://lantern.example", tls)
    monkeypatch.delenv(TRUST_VARIABLE)
    assert not check("http://evil.example", forged)
    monkeypatch.setenv(TRUST_VARIABLE, "1")  # a proxy we run sets them
    assert check("http://evil.example", forged)
    assert check("https://lantern.example", tls)
    assert not check("http://other.example", forged)


@pytest.mark.server
def test_a_forged_forwarded_host_does_not_make_another_site_our_own(hostile: Servers) -> None:
    handshake = f"{hostile.url}/socket.io/?EIO=4&transport=polling"
    own = requests.get(handshake, headers={"Origin": hostile.url})
    assert own.status_code == 200
    evil = requests.get(
        handshake,
        headers={"Origin": "http://evil.example", "X-Forwarded-Host": "evil.example"},
    )
    assert evil.status_code == 400 and "not an accepted origin" in evil.text


# ------------------------------------------------------------------ staff token
def test_a_short_staff_token_is_refused_with_a_clear_message(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    from lantern.channels.pages import LanternPagesInput

    monkeypatch.setenv(staff.TOKEN_VARIABLE, "fifteen-chars!!")
    assert len("fifteen-chars!!") == staff.MIN_TOKEN_CHARS - 1
    problem = staff.token_problem()
    assert problem and "too short" in problem and "16" in problem
    assert "fifteen" not in problem  # the message never repeats the token
    access = staff.check_access("Bearer fifteen-chars!!", "192.0.2.1")
    assert (access.allowed, access.status) == (False, 503) and access.message == problem
    assert not staff.authorized("Bearer fifteen-chars!!")
    with caplog.at_level(logging.ERROR):
        LanternPagesInput().blueprint(None)  # type: ignore[arg-type]
    assert "too short" in caplog.text and "fifteen" not in caplog.text

    monkeypatch.setenv(staff.TOKEN_VARIABLE, "sixteen-chars!!!")
    assert staff.token_problem() is None
    assert staff.check_access("Bearer sixteen-chars!!!", "192.0.2.1").allowed


def test_wrong_staff_tokens_lock_the_address_out(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    now = [1000.0]
    monkeypatch.setattr(staff, "FAILED_TOKENS", staff.FailedTokens(clock=lambda: now[0]))
    monkeypatch.setenv(staff.TOKEN_VARIABLE, STAFF_TOKEN)
    right = f"Bearer {STAFF_TOKEN}"
    attacker, colleague = "198.51.100.7", "198.51.100.8"
    with caplog.at_level(logging.WARNING):
        statuses = [staff.check_access(f"Bearer guess-{i}", attacker).status for i in range(50)]
    assert statuses == [401] * staff.MAX_FAILURES + [429] * (50 - staff.MAX_FAILURES)
    assert caplog.text.count("lantern.staff.token_refused") == staff.MAX_FAILURES
    assert "lantern.staff.locked_out" in caplog.text and attacker in caplog.text
    assert "guess-" not in caplog.text
    locked = staff.check_access(right, attacker)  # the right token too, while locked out
    assert (locked.status, locked.retry_after) == (429, int(staff.LOCKOUT_SECONDS))
    assert staff.check_access(right, colleague).allowed  # others are not locked out
    # no token at all is not a guess
    assert staff.check_access(None, colleague).status == 401
    assert staff.check_access("Bearer ", colleague).status == 401
    now[0] += staff.LOCKOUT_SECONDS + 1
    assert staff.check_access(right, attacker).allowed
    # failures spread over more than the window do not add up
    for _ in range(3):
        for i in range(staff.MAX_FAILURES - 1):
            assert staff.check_access(f"Bearer slow-{i}", colleague).status == 401
        now[0] += staff.FAILURE_WINDOW + 1
    assert staff.check_access(right, colleague).allowed


def test_the_lockout_table_stays_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(staff, "MAX_TRACKED_ADDRESSES", 100)
    failed = staff.FailedTokens()
    for i in range(1000):
        failed.failed(f"10.0.{i // 256}.{i % 256}")
    assert len(failed._records) == 100


def _staff_request(conn: http.client.HTTPConnection, token: str) -> http.client.HTTPResponse:
    conn.request("GET", "/lantern/staff/handoffs", headers={"Authorization": f"Bearer {token}"})
    response = conn.getresponse()
    response.read()
    return response


@pytest.mark.server
def test_six_thousand_wrong_staff_tokens_get_locked_out(hostile: Servers) -> None:
    host = urlsplit(hostile.url).port
    conn = http.client.HTTPConnection("127.0.0.1", host, timeout=10)
    statuses: Counter = Counter()
    started = time.monotonic()
    for i in range(GUESSES):
        statuses[_staff_request(conn, f"wrong-{i:05d}-{'x' * 20}").status] += 1
        assert time.monotonic() - started < 300, f"too slow: {statuses}"
    conn.close()
    assert statuses[401] <= staff.MAX_FAILURES, statuses
    assert statuses[429] >= GUESSES - staff.MAX_FAILURES, statuses
    # while locked out, this address is refused even the right token
    conn = http.client.HTTPConnection("127.0.0.1", host, timeout=10)
    locked = _staff_request(conn, STAFF_TOKEN)
    assert locked.status == 429 and int(locked.getheader("Retry-After") or 0) > 0
    conn.close()
    # another client address (loopback has many) is not locked out
    other = http.client.HTTPConnection(
        "127.0.0.1", host, timeout=10, source_address=("127.0.0.2", 0)
    )
    assert _staff_request(other, STAFF_TOKEN).status == 200
    other.close()
    # every failure logged with the address, never a token
    logs = hostile.logs()
    assert logs.count("lantern.staff.token_refused") == statuses[401]
    assert "lantern.staff.locked_out" in logs
    assert "wrong-0" not in logs and STAFF_TOKEN not in logs
    print(f"\n{GUESSES} wrong tokens in {time.monotonic() - started:.1f} s: {dict(statuses)}")


# ------------------------------------------------------------------ long non-Latin text
def rest(servers: Servers, message: str, sender: str | None = None) -> requests.Response:
    """POST as requests does (JSON with every non-ASCII character escaped)."""
    return requests.post(
        f"{servers.url}/webhooks/rest/webhook",
        json={"sender": sender or f"nl-{uuid.uuid4().hex[:8]}", "message": message},
        timeout=60,
    )


@pytest.mark.server
def test_non_latin_text_near_the_limit_is_read_by_characters(hostile: Servers) -> None:
    text = (HINDI * 200)[:1700]
    body = json.dumps({"sender": "x", "message": text}).encode()
    assert len(body) > 8 * 1024  # what got a bare 413
    reply = rest(hostile, text)
    assert reply.status_code == 200, reply.text[:200]
    ids = answer_ids(reply.json())
    assert ids and not {"input_too_long", "service_unavailable"} & set(ids), ids

    # 1,990 characters ending in a crisis sentence: the crisis reply first
    crisis = " I want to end my life"
    reply = rest(hostile, (HINDI * 200)[: 1990 - len(crisis)] + crisis)
    assert reply.status_code == 200 and answer_ids(reply.json())[0] == "safety_crisis"

    # over 2,000 characters: the guard's kind reply, not an HTTP error
    reply = rest(hostile, (HINDI * 200)[:2100])
    assert reply.status_code == 200 and answer_ids(reply.json()) == ["input_too_long"]
    assert "988" in reply.json()[0]["text"]  # with the crisis line


@pytest.mark.server
def test_a_body_too_large_to_read_gets_a_kind_reply_with_the_crisis_line(
    hostile: Servers,
) -> None:
    reply = rest(hostile, (HINDI * 2000)[:8000])  # 41 KB of JSON
    assert reply.status_code == 413
    [message] = reply.json()
    assert message["custom"]["answer_id"] == "input_too_long"
    assert "2,000 characters" in message["text"] and "988" in message["text"]


# ------------------------------------------------------------------ continue
def questions(messages: List[Dict[str, Any]]) -> List[str]:
    """The intake questions asked in a reply."""
    return [m["custom"]["question"] for m in messages if "question" in (m.get("custom") or {})]


@pytest.mark.server
def test_continue_inside_a_running_intake_asks_the_question_again(hostile: Servers) -> None:
    sender = f"cont-{uuid.uuid4().hex[:8]}"
    assert answer_ids(hostile.send(sender, "start my intake")) == ["intake_consent"]
    hostile.send(sender, "yes")
    assert questions(hostile.send(sender, "T" + uuid.uuid4().hex[:7].upper())) == ["reason"]
    for typed in ("continue", "Continue my intake"):
        again = hostile.send(sender, typed)
        assert "service_unavailable" not in answer_ids(again), (typed, again)
        assert questions(again) == ["reason"], (typed, again)
    # and the form goes on from there
    assert questions(hostile.send(sender, "Depression")) == ["treatments_tried"]
