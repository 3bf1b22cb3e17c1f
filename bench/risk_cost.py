"""What the risk stage costs per message (results/risk_cost.md).

p50 and p90 of RiskStage.process over typical three-sentence messages, with the
model `make train` built. Target: p50 at most 5 ms.
"""

from __future__ import annotations

import asyncio
import logging
import statistics
import sys
import time
from pathlib import Path
from typing import Any, List

ROOT = Path(__file__).resolve().parent.parent
MESSAGES = [
    "I was reading about ketamine for depression. My doctor says it might help. "
    "How long does an infusion take?",
    "My wife has chronic pain. She has tried everything. Could psilocybin help her?",
    "I start my first session next week. I'm nervous about it. What should I bring?",
    "Honestly things have been hard lately. I don't sleep much. Is ketamine addictive?",
]
TARGET_MS = 5.0


def risk_stage() -> object:
    """The trained RiskStage from models/lantern.tar.gz."""
    from rasa.core.agent import Agent

    agent = Agent.load(str(ROOT / "models" / "lantern.tar.gz"))
    runner: Any = agent.processor.graph_runner
    # parse once so every component is loaded, then find the instance
    asyncio.run(agent.parse_message("hello"))
    for instance in runner._instantiated_nodes.values():
        component = getattr(instance, "_component", None)
        if type(component).__name__ == "RiskStage":
            return component
    raise RuntimeError("no RiskStage in the model")


def main() -> int:
    """Time RiskStage.process on each message; write the report."""
    logging.disable(logging.WARNING)
    from rasa.shared.nlu.constants import TEXT
    from rasa.shared.nlu.training_data.message import Message

    stage = risk_stage()
    times: List[float] = []
    for _ in range(50):
        for text in MESSAGES:
            message = Message(data={TEXT: text})
            started = time.perf_counter()
            stage.process([message])  # type: ignore[attr-defined]
            times.append((time.perf_counter() - started) * 1000)
    times = times[len(MESSAGES) * 5 :]  # warm-up
    p50 = statistics.median(times)
    p90 = sorted(times)[int(len(times) * 0.9)]
    verdict = "met" if p50 <= TARGET_MS else "MISSED"
    text = (
        "# Risk stage cost per message\n\n"
        f"Typical three-sentence messages, {len(times)} timed calls of RiskStage.process "
        f"(one core): p50 **{p50:.2f} ms**, p90 {p90:.2f} ms; target p50 <= {TARGET_MS} ms: "
        f"{verdict}.\n"
    )
    out = ROOT / "results"
    out.mkdir(exist_ok=True)
    (out / "risk_cost.md").write_text(text)
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
