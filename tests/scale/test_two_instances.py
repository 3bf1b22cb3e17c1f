"""Two Lantern instances share conversations through PostgreSQL (tracker) and Redis (lock).

One conversation is sent alternately to both instances, then concurrently to
both: every turn is answered, stored exactly once and in order (read back from
PostgreSQL through the tracker store), and context carries over from one
instance to the other.
"""

from __future__ import annotations

import asyncio
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Iterator, List, Tuple

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import BotUttered, UserUttered

from lantern.persistence.stores import LanternTrackerStore
from tests.conftest import answer_ids
from tests.scale.services import Postgres, Redis
from tests.servers import Servers, start

pytestmark = pytest.mark.server

Pair = Tuple[Servers, Servers]


@pytest.fixture(scope="module")
def pair(
    postgres: Postgres, redis_server: Redis, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Pair]:
    """Instances A and B (each with its own action server, ports and var dir)."""
    env = {**postgres.env(), **redis_server.env()}
    with ThreadPoolExecutor(2) as pool:
        started = [
            pool.submit(start, tmp_path_factory.mktemp(f"instance-{name}"), env) for name in "ab"
        ]
        a, b = (future.result() for future in started)
    yield a, b
    a.stop()
    b.stop()


def stored_turns(postgres: Postgres, sender: str) -> List[Tuple[str, List[str]]]:
    """(user text, answer ids of the bot messages after it) per user turn, in stored order.

    Read from PostgreSQL through Lantern's tracker store, as an instance reads it.
    """
    with pytest.MonkeyPatch.context() as env:
        for name, value in postgres.env().items():
            env.setenv(name, value)
        store = LanternTrackerStore(domain=Domain.empty())
    try:
        tracker = asyncio.run(store.retrieve(sender))
    finally:
        store.engine.dispose()
    assert tracker is not None
    turns: List[Tuple[str, List[str]]] = []
    for event in tracker.events:
        if isinstance(event, UserUttered):
            turns.append((str(event.text), []))
        elif isinstance(event, BotUttered) and turns:
            custom = (event.data or {}).get("custom") or {}
            if "answer_id" in custom:
                turns[-1][1].append(custom["answer_id"])
    return turns


def knowledge_id(messages: list) -> str:
    """The one answer id of a reply (a knowledge answer, or the kind fallback)."""
    ids = answer_ids(messages)
    assert len(set(ids)) == 1, ids
    return ids[0]


def test_one_conversation_alternating_between_instances(pair: Pair, postgres: Postgres) -> None:
    a, b = pair
    sender = f"scale-{uuid.uuid4().hex[:12]}"
    conversation = [
        (a, "is ketamine addictive?", "ketamine_addiction_risk"),
        (b, "what about psilocybin?", "psychedelic_addiction_risk"),  # context from A
        (a, "what are the side effects?", "psychedelic_side_effects"),  # context from B
        (b, "what about ketamine?", "ketamine_side_effects"),
        (a, "is it legal?", "ketamine_legal_status"),
    ]
    for instance, text, expected in conversation:
        assert knowledge_id(instance.send(sender, text)) == expected, text
    assert stored_turns(postgres, sender) == [
        (text, [expected]) for _, text, expected in conversation
    ]


def test_concurrent_messages_to_both_instances_are_serialised(
    pair: Pair, postgres: Postgres, redis_server: Redis
) -> None:
    a, b = pair
    sender = f"scale-{uuid.uuid4().hex[:12]}"
    questions = {
        "what is ketamine?": "ketamine_overview",
        "what is psilocybin?": "psilocybin",
        "what is MDMA?": "mdma",
        "what is LSD?": "lsd",
    }
    transactions_before = _transactions(redis_server)
    texts = list(questions)
    replies = {}
    for first, second in [(texts[0], texts[1]), (texts[2], texts[3]), (texts[1], texts[2])]:
        barrier = threading.Barrier(2)

        def send(instance: Servers, text: str, barrier: threading.Barrier = barrier) -> list:
            barrier.wait()
            return instance.send(sender, text)

        with ThreadPoolExecutor(2) as pool:
            on_a = pool.submit(send, a, first)
            on_b = pool.submit(send, b, second)
            replies[(first, "a")] = on_a.result()
            replies[(second, "b")] = on_b.result()
    # both answered, each with its own answer
    for (text, _), messages in replies.items():
        assert knowledge_id(messages) == questions[text], text
    # stored once each, every answer right after its own question (never interleaved)
    turns = stored_turns(postgres, sender)
    assert len(turns) == 6
    assert sorted(text for text, _ in turns) == sorted(
        [texts[0], texts[1], texts[2], texts[3], texts[1], texts[2]]
    )
    for text, ids in turns:
        assert ids == [questions[text]], (text, ids)
    # the instances took the conversation's lock in Redis
    assert _transactions(redis_server) > transactions_before


def _transactions(server: Redis) -> int:
    stats = server.client().info("commandstats")
    return int(stats.get("cmdstat_exec", {}).get("calls", 0))
