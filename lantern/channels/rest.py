"""REST channel (`POST /webhooks/rest/webhook`) with strict request checks and the input guard."""

from __future__ import annotations

import json
from typing import Any, Awaitable, Callable

from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from lantern.channels import guard

MAX_BODY_BYTES = 8 * 1024


def _error(status: int, message: str) -> HTTPResponse:
    return response.json({"error": message}, status=status)


class LanternRestInput(InputChannel):
    """Rasa's REST channel contract, hardened.

    A body must be a JSON object with a non-empty string `sender` (no shared
    "default" conversation) and a string `message`; bodies over 8 KB are refused
    before they reach the model. Replies are the usual list of bot messages.
    """

    @classmethod
    def name(cls) -> str:
        """Keeps Rasa's URL: /webhooks/rest/webhook."""
        return "rest"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        """The health and webhook routes."""
        bp = Blueprint("lantern_rest", __name__)

        @bp.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @bp.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            body = request.body or b""
            if len(body) > MAX_BODY_BYTES:
                return _error(413, f"The request is too large (limit {MAX_BODY_BYTES} bytes).")
            try:
                payload = json.loads(body)
            except (ValueError, UnicodeDecodeError, RecursionError):
                return _error(400, 'The body must be JSON: {"sender": "...", "message": "..."}.')
            if not isinstance(payload, dict):
                return _error(400, 'The body must be a JSON object with "sender" and "message".')
            sender = payload.get("sender")
            if not isinstance(sender, str) or not sender.strip():
                return _error(400, 'A non-empty string "sender" (the conversation id) is required.')
            if len(sender.strip()) > guard.MAX_SENDER_CHARS:
                return _error(400, f'"sender" is too long (limit {guard.MAX_SENDER_CHARS}).')
            sender_id = guard.valid_sender(sender)
            if sender_id is None:
                return _error(400, '"sender" may contain only printable characters.')
            message = payload.get("message", "")
            if message is not None and not isinstance(message, str):
                return _error(400, '"message" must be a string.')
            metadata = guard.clean_metadata(payload.get("metadata"))
            collector = CollectingOutputChannel()
            await guard.handle(on_new_message, message, collector, sender_id, self.name(), metadata)
            return response.json(collector.messages)

        return bp
