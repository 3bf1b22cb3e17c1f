"""The odd inputs the channel fuzz test sends (tests/channels/test_fuzz.py).

Curated texts and raw bodies that broke or could break a channel, and Hypothesis
strategies for texts, senders, metadata, REST bodies and socket.io events: empty,
whitespace, 100 KB, control characters, emoji, right-to-left text, JSON in text,
`/intent{...}` injections, invalid JSON, missing, huge or wrongly typed fields.
"""

from __future__ import annotations

import json
from typing import Any, Dict

from hypothesis import strategies as st

from lantern.channels import guard

#: A field left out of the payload (not the same as `null`).
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
