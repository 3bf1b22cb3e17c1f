"""Speed-ups of Rasa 3.6's serving path, each with Rasa's exact behaviour.

Most go through Rasa's own seams: `rule_policy` (named in config.yml), `tracker`
(the class the tracker store gives out), `runner` and `endpoint` (swapped onto
the loaded agent by lantern/rasa_main.py). What has no seam is patched by
`patches`, from that entry point only. `guard` turns all of them off on another
Rasa version or with `LANTERN_RASA_PATCHES=0`. What each saves: docs/performance.md.
"""

from __future__ import annotations

import logging

import structlog


def debug_logged() -> bool:
    """Whether Rasa's structured debug log calls are kept (log level DEBUG).

    Some speed-ups skip work whose only use is an argument of a debug log call.
    """
    filtering = structlog.get_config()["wrapper_class"]
    dropped = structlog.make_filtering_bound_logger(logging.CRITICAL).debug
    return getattr(filtering, "debug", None) is not dropped
