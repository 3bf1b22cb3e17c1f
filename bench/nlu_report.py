"""`make nlu-report`: routing accuracy on the held-out sets, recall, confusions, context.

Writes results/nlu_report.md and .json.

The held-out questions (tests/nlu_holdout/) are never trained on.
"""

from __future__ import annotations

import json
import logging
import sys
from collections import Counter, defaultdict
from typing import Any, Dict, List

import yaml

from actions.context import Context
from bench.model import ROOT, Router

HOLDOUT = ROOT / "tests" / "nlu_holdout"
RESULTS = ROOT / "results"
TARGET = 0.95


def evaluate(router: Router) -> Dict[str, Any]:
    """Route every held-out question and conversation; return the numbers."""
    questions = yaml.safe_load((HOLDOUT / "holdout.yml").read_text())["questions"]
    per_id: Dict[str, List[bool]] = defaultdict(list)
    confusions: Counter = Counter()
    misses = []
    for q in questions:
        got = router.route(q["text"]).answer_id
        ok = got == q["answer_id"]
        per_id[q["answer_id"]].append(ok)
        if not ok:
            confusions[(q["answer_id"], got)] += 1
            misses.append({"text": q["text"], "expected": q["answer_id"], "got": got})
    conversations = yaml.safe_load((HOLDOUT / "conversations.yml").read_text())["conversations"]
    turns = turns_ok = 0
    conv_misses = []
    for conv in conversations:
        context = Context()
        for turn in conv["turns"]:
            routed = router.route(turn["text"], context)
            context = routed.context
            turns += 1
            if routed.answer_id == turn["answer_id"]:
                turns_ok += 1
            else:
                conv_misses.append(
                    {
                        "conversation": conv["name"],
                        "text": turn["text"],
                        "expected": turn["answer_id"],
                        "got": routed.answer_id,
                    }
                )
    correct = sum(ok for oks in per_id.values() for ok in oks)
    return {
        "questions": len(questions),
        "accuracy": correct / len(questions),
        "recall": {k: sum(v) / len(v) for k, v in sorted(per_id.items())},
        "confusions": [
            {"expected": e, "got": g, "count": n} for (e, g), n in confusions.most_common(15)
        ],
        "misses": misses,
        "turns": turns,
        "turn_accuracy": turns_ok / turns if turns else 0.0,
        "conversation_misses": conv_misses,
    }


def markdown(r: Dict[str, Any]) -> str:
    """The report as Markdown."""
    lines = [
        "# NLU routing report",
        "",
        f"- held-out questions: {r['questions']}; routing accuracy **{r['accuracy']:.1%}** "
        f"(target {TARGET:.0%})",
        f"- multi-turn context accuracy: **{r['turn_accuracy']:.1%}** over {r['turns']} turns",
        "",
        "## Per-id recall (lowest first)",
        "",
        "| answer id | recall |",
        "| --- | --- |",
        *[f"| {k} | {v:.0%} |" for k, v in sorted(r["recall"].items(), key=lambda kv: kv[1])],
        "",
        "## Top confusions",
        "",
        "| expected | routed to | count |",
        "| --- | --- | --- |",
        *[f"| {c['expected']} | {c['got']} | {c['count']} |" for c in r["confusions"]],
        "",
        "## Misrouted conversation turns",
        "",
        *[
            f'- {m["conversation"]}: "{m["text"]}" -> {m["got"]} (expected {m["expected"]})'
            for m in r["conversation_misses"]
        ],
    ]
    return "\n".join(lines) + "\n"


def main() -> int:
    """Write the report; print the summary."""
    logging.disable(logging.WARNING)
    report = evaluate(Router())
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "nlu_report.json").write_text(json.dumps(report, indent=2))
    (RESULTS / "nlu_report.md").write_text(markdown(report))
    print(
        f"held-out routing accuracy {report['accuracy']:.1%} ({report['questions']} questions); "
        f"context accuracy {report['turn_accuracy']:.1%} ({report['turns']} turns) "
        f"-> results/nlu_report.md"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
