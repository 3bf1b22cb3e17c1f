"""Housekeeping inside the Rasa server: the conversation retention task.

Listed in credentials.yml like a channel (Rasa's only hook for server-side code);
it receives no messages. On start it runs `lantern.persistence.retention.purge_forever`.
"""

from __future__ import annotations

import asyncio
from typing import Any, Awaitable, Callable

from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint, Sanic

from lantern.persistence.retention import purge_forever


class LanternHousekeeping(InputChannel):
    """Starts the retention task when the server starts; serves no routes."""

    @classmethod
    def name(cls) -> str:
        """The channel's name (it receives no messages)."""
        return "lantern_housekeeping"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        """A blueprint with only the start-up listener."""
        bp = Blueprint("lantern_housekeeping", __name__)

        @bp.listener("after_server_start")
        async def start_retention(app: Sanic, _: Any) -> None:
            def tracker_store() -> Any:
                return getattr(getattr(app.ctx, "agent", None), "tracker_store", None)

            app.ctx.lantern_retention = asyncio.ensure_future(purge_forever(tracker_store))

        return bp
