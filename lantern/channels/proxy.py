"""Whether to believe a reverse proxy's X-Forwarded-* headers (`LANTERN_TRUST_PROXY`).

Any client can send `X-Forwarded-Host`, `X-Forwarded-Proto` or `X-Forwarded-For`;
they mean something only when a proxy we run in front sets them. So they are read
only when `LANTERN_TRUST_PROXY=1` says such a proxy is there (and the server is
reachable only through it); otherwise the request's own Host and peer address count.
"""

from __future__ import annotations

import os
from typing import Any

TRUST_VARIABLE = "LANTERN_TRUST_PROXY"


def trust_proxy() -> bool:
    """Whether LANTERN_TRUST_PROXY is on (1, true, yes; anything else: off)."""
    return os.environ.get(TRUST_VARIABLE, "").strip().lower() in ("1", "true", "yes")


def client_address(request: Any) -> str:
    """The client's address: the peer's, or the proxy's X-Forwarded-For when trusted.

    A proxy appends the address it saw to X-Forwarded-For, so the last entry is the
    one the client could not choose.
    """
    if trust_proxy():
        forwarded = request.headers.get("X-Forwarded-For", "")
        entries = [e.strip() for e in forwarded.split(",") if e.strip()]
        if entries:
            return entries[-1][:64]
    return str(request.ip or "unknown")
