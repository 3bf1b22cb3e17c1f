"""Start the action server after validating the knowledge base and routing table.

At start-up, intakes older than the retention period are purged.

`python -m actions.server` refuses to start (exit 1, with an error naming the
file, entry and field) when any vetted answer is invalid.
"""

from __future__ import annotations

import argparse
import logging
import sys

from actions.knowledge_base import KnowledgeBaseError, knowledge_base
from actions.routing import routing_table
from lantern.intake.questions import identity_mode
from lantern.intake.store import purge_expired, retention_days


def validate() -> int:
    """Load and check all content and the intake settings; return the number of answers."""
    kb = knowledge_base()
    routing_table().check(kb)
    identity_mode()  # an unknown LANTERN_INTAKE_IDENTITY is a ValueError
    retention_days()  # so is a bad LANTERN_INTAKE_RETENTION_DAYS
    return len(kb.answers)


def main(argv: list[str] | None = None) -> int:
    """Validate, then serve the actions package."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=5055)
    parser.add_argument("--cors", default=None, help="allowed origin (default: none)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    try:
        count = validate()
    except (KnowledgeBaseError, ValueError) as exc:
        print(f"Refusing to start: {exc}", file=sys.stderr)
        return 1
    logging.getLogger(__name__).info("knowledge base ok: %d answers", count)
    purge_expired()  # intake retention: records older than LANTERN_INTAKE_RETENTION_DAYS
    from rasa_sdk.endpoint import run

    run("actions", port=args.port, cors_origins=args.cors or [])
    return 0


if __name__ == "__main__":
    sys.exit(main())
