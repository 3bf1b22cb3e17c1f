"""REST load on a running Lantern: N concurrent conversations (asyncio + aiohttp).

Each virtual user plays short scripted conversations (greeting, knowledge
questions, follow-ups, menu, now and then a safety text), each under a new
sender id. Every reply is checked: HTTP 200 and at least one bot message with a
`custom.answer_id`; anything else is counted as a failure by kind, never dropped.

Two ways to load:

- closed loop (`--levels`): each user sends its next message as soon as the
  reply arrives. This measures capacity: the server is always saturated, so
  at 50 users the latency is the queue of 50 (mean = 50 / throughput).
- paced (`--paced 50:160`): 50 users together offer 160 messages per second,
  each sending at random (Poisson) times drawn from a fixed seed, but never
  before its previous reply arrived (a message sent late is counted). This
  measures the latency of a server serving a given load.

    python -m bench.load --url http://localhost:5005 --levels 1,10,50 --paced 50:160
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import sys
import time
import uuid
from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Any, Callable, Dict, List, Sequence, Tuple

import aiohttp
import numpy as np

WEBHOOK = "/webhooks/rest/webhook"
REQUEST_TIMEOUT_S = 30.0

#: Short conversations as a patient would have them: greeting, questions with a
#: substance, follow-ups without one ("what about psilocybin?"), menu, thanks;
#: three of the 42 messages are safety texts (crisis, emergency, sourcing).
CONVERSATIONS: Sequence[Sequence[str]] = (
    ("hi", "is ketamine addictive?", "what about psilocybin?", "menu", "thanks", "bye"),
    (
        "hello",
        "how do I prepare for my session?",
        "what happens during a ketamine session?",
        "is it legal?",
        "what about MDMA?",
        "how much does it cost?",
        "thank you",
    ),
    (
        "hey",
        "can ketamine help with depression?",
        "what about PTSD?",
        "who should avoid it?",
        "I want to kill myself",
        "menu",
    ),
    (
        "good morning",
        "what is microdosing?",
        "is psilocybin legal in the US?",
        "what about LSD?",
        "I took too much and my heart is racing",
        "thanks",
    ),
    (
        "hi",
        "menu",
        "how do psychedelics work?",
        "what are the side effects of ketamine?",
        "where can I buy shrooms?",
        "how do I find a provider?",
        "bye",
    ),
    (
        "what is spravato?",
        "how is ketamine given?",
        "is it safe?",
        "what about ayahuasca?",
        "how do I talk to my doctor about it?",
        "menu",
        "thanks",
        "bye",
    ),
)


@dataclass
class LevelResult:
    """What one load level measured (latencies in milliseconds)."""

    concurrency: int
    seconds: float
    #: messages per second the users together offered (paced); None: closed loop
    offered: float | None = None
    #: paced: messages sent after their time because the previous reply came later
    late: int = 0
    messages: int = 0
    ok: int = 0
    failures: Dict[str, int] = field(default_factory=dict)
    throughput: float = 0.0  # successful messages per second
    p50_ms: float = 0.0
    p95_ms: float = 0.0
    p99_ms: float = 0.0
    mean_ms: float = 0.0
    max_ms: float = 0.0
    #: CPU time each server process used per successful message (robust to other load)
    cpu_ms_per_message: Dict[str, float] = field(default_factory=dict)

    @property
    def failed(self) -> int:
        """How many requests failed (any kind)."""
        return sum(self.failures.values())

    def to_dict(self) -> Dict[str, Any]:
        """Plain data for the JSON report."""
        return {**asdict(self), "failed": self.failed}


def check_reply(status: int, body: bytes) -> str | None:
    """None for a good reply, else the failure kind."""
    if status != 200:
        return f"http_{status}"
    try:
        messages = json.loads(body)
    except ValueError:
        return "invalid_json"
    if not isinstance(messages, list):
        return "invalid_json"
    ids = [
        m["custom"]["answer_id"]
        for m in messages
        if isinstance(m, dict)
        and isinstance(m.get("custom"), dict)
        and isinstance(m["custom"].get("answer_id"), str)
    ]
    if not ids:
        return "no_answer_id"
    if "service_unavailable" in ids:  # the guard's fallback: the bot could not answer
        return "service_unavailable"
    return None


async def _user(
    session: aiohttp.ClientSession,
    url: str,
    user: int,
    run_id: str,
    deadline: float,
    latencies: List[float],
    failures: Counter,
    rate: float | None = None,
    late: List[int] | None = None,
) -> None:
    """One virtual user: conversations back to back until the deadline.

    With `rate`, the user sends at Poisson times of that rate (seeded by `user`),
    or as soon as its previous reply arrived if that was later (counted in `late`).
    """
    n = 0
    schedule = random.Random(user)
    send_at = time.perf_counter()
    while time.perf_counter() < deadline:
        script = CONVERSATIONS[(user + n) % len(CONVERSATIONS)]
        sender = f"bench-{run_id}-{user}-{n}"
        n += 1
        for text in script:
            if rate:
                send_at += schedule.expovariate(rate)
                wait = send_at - time.perf_counter()
                if wait > 0:
                    await asyncio.sleep(wait)
                elif late is not None:
                    late[0] += 1
            if time.perf_counter() >= deadline:
                return
            start = time.perf_counter()
            try:
                async with session.post(url, json={"sender": sender, "message": text}) as resp:
                    body = await resp.read()
                    kind = check_reply(resp.status, body)
            except asyncio.TimeoutError:
                kind = "timeout"
            except aiohttp.ClientError as exc:
                kind = f"error_{type(exc).__name__}"
            if kind is None:
                latencies.append((time.perf_counter() - start) * 1000)
            else:
                failures[kind] += 1


async def run_level(
    base_url: str, concurrency: int, seconds: float, offered: float | None = None
) -> LevelResult:
    """Run `concurrency` conversations for `seconds`; new messages stop at the deadline.

    `offered`: the messages per second all conversations together send (paced);
    None sends each message as soon as the previous reply arrived (closed loop).
    """
    latencies: List[float] = []
    failures: Counter = Counter()
    late = [0]
    rate = offered / concurrency if offered else None
    url = base_url + WEBHOOK
    run_id = uuid.uuid4().hex[:8]
    connector = aiohttp.TCPConnector(limit=concurrency)
    timeout = aiohttp.ClientTimeout(total=REQUEST_TIMEOUT_S)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:
        start = time.perf_counter()
        deadline = start + seconds
        await asyncio.gather(
            *(
                _user(session, url, u, run_id, deadline, latencies, failures, rate, late)
                for u in range(concurrency)
            )
        )
        elapsed = time.perf_counter() - start
    result = LevelResult(concurrency, round(elapsed, 2), offered, late[0] if offered else 0)
    result.ok = len(latencies)
    result.failures = dict(failures)
    result.messages = result.ok + result.failed
    result.throughput = result.ok / elapsed if elapsed else 0.0
    if latencies:
        arr = np.asarray(latencies)
        p50, p95, p99 = np.percentile(arr, [50, 95, 99])
        result.p50_ms, result.p95_ms, result.p99_ms = float(p50), float(p95), float(p99)
        result.mean_ms, result.max_ms = float(arr.mean()), float(arr.max())
    return result


CpuProbe = Callable[[], Dict[str, float]]


def run(
    base_url: str,
    levels: Sequence[int],
    seconds: float,
    warmup: float = 5.0,
    cpu: CpuProbe | None = None,
    paced: Sequence[Tuple[int, float]] = (),
) -> List[LevelResult]:
    """Warm up (not counted), then each closed-loop level, then each paced one.

    `paced` holds (conversations, messages per second offered) pairs. `cpu`
    returns CPU seconds used so far per server process; it is read before and
    after each level to give CPU milliseconds per message.
    """
    runs: List[Tuple[int, float | None]] = [(c, None) for c in levels] + list(paced)

    async def all_levels() -> List[LevelResult]:
        if warmup > 0:
            await run_level(base_url, max(c for c, _ in runs), warmup)
        results = []
        for concurrency, offered in runs:
            before = cpu() if cpu else {}
            result = await run_level(base_url, concurrency, seconds, offered)
            after = cpu() if cpu else {}
            if result.ok:
                result.cpu_ms_per_message = {
                    name: (after[name] - before.get(name, 0.0)) * 1000 / result.ok for name in after
                }
            results.append(result)
        return results

    return asyncio.run(all_levels())


def describe(r: LevelResult) -> str:
    """One line for the console."""
    failed = f"; FAILED {r.failed} ({r.failures})" if r.failed else "; 0 failed"
    cpu = "".join(f", {name} CPU {ms:.1f} ms/msg" for name, ms in r.cpu_ms_per_message.items())
    paced = f" offering {r.offered:.0f} msg/s ({r.late} sent late)" if r.offered else ""
    return (
        f"{r.concurrency:>3} conversations{paced}: {r.throughput:6.1f} msg/s, "
        f"p50 {r.p50_ms:6.1f} ms, "
        f"p95 {r.p95_ms:6.1f} ms, p99 {r.p99_ms:6.1f} ms ({r.ok} ok{failed}{cpu})"
    )


def main(argv: List[str] | None = None) -> int:
    """Load a running server and print one line per level."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="http://localhost:5005")
    parser.add_argument("--levels", default="1,10,50", help="concurrency levels, comma-separated")
    parser.add_argument(
        "--paced",
        default="",
        help="paced levels, comma-separated conversations:msg/s offered (e.g. 50:160)",
    )
    parser.add_argument("--seconds", type=float, default=20.0, help="per level")
    parser.add_argument("--warmup", type=float, default=5.0)
    args = parser.parse_args(argv)
    levels = [int(x) for x in args.levels.split(",") if x.strip()]
    paced = [
        (int(c), float(r)) for c, r in (x.split(":") for x in args.paced.split(",") if x.strip())
    ]
    url = args.url.rstrip("/")
    for result in run(url, levels, args.seconds, args.warmup, paced=paced):
        print(describe(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
