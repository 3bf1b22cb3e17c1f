"""Start the action server after validating the knowledge base and routing table.

At start-up, intakes older than the retention period are purged.

`python -m actions.server` refuses to start (exit 1, with an error naming the
file, entry and field) when any vetted answer is invalid, or when it has no
shared secret. The server is private: it binds to loopback unless
LANTERN_ACTION_HOST says otherwise, and every call but `/health` must carry the
secret (`X-Lantern-Action-Secret`, sent by Rasa from endpoints.yml); anything
else gets 401, so nobody else can store an intake or raise a staff alert.
"""

from __future__ import annotations

import argparse
import hmac
import logging
import os
import sys
from pathlib import Path
from typing import Any

from actions.knowledge_base import KnowledgeBaseError, knowledge_base
from actions.routing import routing_table
from lantern.intake.questions import identity_mode
from lantern.intake.store import purge_expired, retention_days
from lantern.ops import heartbeat


def validate() -> int:
    """Load and check all content and the intake settings; return the number of answers."""
    kb = knowledge_base()
    routing_table().check(kb)
    identity_mode()  # an unknown LANTERN_INTAKE_IDENTITY is a ValueError
    retention_days()  # so is a bad LANTERN_INTAKE_RETENTION_DAYS
    return len(kb.answers)


SECRET_HEADER = "X-Lantern-Action-Secret"
SECRET_VARIABLE = "LANTERN_ACTION_SECRET"
MIN_SECRET_CHARS = 16


def shared_secret() -> str:
    """The secret Rasa sends with each call: LANTERN_ACTION_SECRET, else the var dir's file.

    scripts/env.sh makes the file once (mode 600) and exports the variable; an action
    server started on its own (a separate deployment, a test) finds the same file.
    """
    secret = os.environ.get(SECRET_VARIABLE, "").strip()
    if not secret:
        path = Path(os.environ.get("LANTERN_VAR_DIR", "var")) / "action.secret"
        secret = path.read_text().strip() if path.is_file() else ""
    if len(secret) < MIN_SECRET_CHARS:
        raise ValueError(
            f"{SECRET_VARIABLE} must be set to a secret of {MIN_SECRET_CHARS}+ characters "
            "(scripts/env.sh makes one in the var dir)"
        )
    return secret


def require_secret(app: Any, secret: str) -> None:
    """Refuse (401) every request to `app` without the shared secret, except /health."""
    from sanic import response

    expected = secret.encode()

    @app.on_request
    async def check_secret(request: Any) -> Any:
        if request.path == "/health":
            return None
        given = (request.headers.get(SECRET_HEADER) or "").encode()
        if hmac.compare_digest(given, expected):
            return None
        logging.getLogger(__name__).warning("lantern.actions.refused path=%s", request.path[:64])
        return response.json({"error": "unauthorized"}, status=401)


def serve(port: int, host: str, secret: str, cors: str | None) -> None:
    """rasa_sdk's server (its app and plugins) with the secret check, on `host`."""
    from rasa_sdk import utils
    from rasa_sdk.endpoint import create_app
    from rasa_sdk.plugin import plugin_manager

    app = create_app("actions", cors_origins=cors or [])
    plugin_manager().hook.attach_sanic_app_extensions(app=app)
    require_secret(app, secret)
    heartbeat.start(app, "actions")  # the watchdog's proof that the loop turns
    logging.getLogger(__name__).info("action server on http://%s:%d", host, port)
    app.run(host, port, workers=utils.number_of_sanic_workers(), access_log=False)


def main(argv: list[str] | None = None) -> int:
    """Validate, then serve the actions package."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=5055)
    parser.add_argument("--cors", default=None, help="allowed origin (default: none)")
    parser.add_argument(
        "--host",
        default=os.environ.get("LANTERN_ACTION_HOST", "127.0.0.1"),
        help="interface to bind (default: loopback; LANTERN_ACTION_HOST)",
    )
    parser.add_argument("--check", action="store_true", help="validate and exit")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    try:
        count = validate()
        secret = shared_secret()
    except (KnowledgeBaseError, ValueError) as exc:
        print(f"Refusing to start: {exc}", file=sys.stderr)
        return 1
    logging.getLogger(__name__).info("knowledge base ok: %d answers", count)
    if args.check:
        return 0
    purge_expired()  # intake retention: records older than LANTERN_INTAKE_RETENTION_DAYS
    serve(args.port, args.host, secret, args.cors)
    return 0


if __name__ == "__main__":
    sys.exit(main())
