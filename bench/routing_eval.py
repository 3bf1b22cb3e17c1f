"""Score a routing evaluation set end to end over HTTP (results/routing_eval_<set>.md and .json).

Each single message is sent as a new conversation to a running Lantern (the REST
webhook through the front proxy); each multi-turn conversation keeps one sender.
A reply is right when it carries one of the expected answer ids and no safety
reply (none of these texts calls for one); a two-question message (`expect_all`)
needs both answers, in order. Rates come with their Wilson 95% interval.
Usage: `python -m bench.routing_eval eval/routing/<set> [--url http://localhost:5005]`
(without --url, servers are started for the run). A blind set is scored once.
"""

from __future__ import annotations

import sys
import uuid
from pathlib import Path
from typing import Any, Dict, Iterator, List

import yaml

from bench.safety_eval import SAFETY, Tally, ids_of, run, send

ROOT = Path(__file__).resolve().parent.parent


def right(turn: Dict[str, Any], ids: List[str]) -> bool:
    """Whether the reply's answer ids are what the case expects."""
    if SAFETY & set(ids):
        return False
    if "expect_all" in turn:
        wanted = [str(i) for i in turn["expect_all"]]
        if not all(i in ids for i in wanted):
            return False
        places = [ids.index(i) for i in wanted]
        return places == sorted(places)
    return any(str(i) in ids for i in turn.get("expect") or [])


def single_cases(folder: Path) -> Iterator[Dict[str, Any]]:
    """The set's single messages."""
    for path in sorted(folder.glob("*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        yield from data.get("cases") or []


def conversations(folder: Path) -> Iterator[Dict[str, Any]]:
    """The set's multi-turn conversations."""
    for path in sorted(folder.glob("*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        yield from data.get("conversations") or []


def score(folder: Path, url: str) -> Tally:
    """Send every message; judge every reply."""
    tally = Tally()
    for case in single_cases(folder):
        messages = send(url, f"route-{uuid.uuid4().hex[:12]}", str(case["text"]))
        ids = ids_of(messages)
        tally.record(str(case.get("id")), "routing", str(case["text"]), messages)
        measure = "two questions: both answered in order" if "expect_all" in case else "single"
        tally.add(measure, right(case, ids))
        tally.add("all single messages", right(case, ids))
        tally.add("safety reply to a routing question", bool(SAFETY & set(ids)))
    for conversation in conversations(folder):
        sender = f"route-{uuid.uuid4().hex[:12]}"
        for number, turn in enumerate(conversation.get("turns") or []):
            messages = send(url, sender, str(turn["text"]))
            ids = ids_of(messages)
            tally.record(f"{conversation.get('id')}#{number}", "turn", str(turn["text"]), messages)
            tally.add("multi-turn: turn right", right(turn, ids))
            if number > 0:
                tally.add("multi-turn: follow-up turn right", right(turn, ids))
    return tally


def main(argv: List[str] | None = None) -> int:
    """Score one routing set; write results/routing_eval_<set>.md, .json and .replies.json."""
    return run("routing", score, argv)


if __name__ == "__main__":
    sys.exit(main())
