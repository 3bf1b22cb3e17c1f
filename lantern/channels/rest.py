r"""REST channel (`POST /webhooks/rest/webhook`) with strict request checks and the input guard.

The body limit is in bytes, the message limit in characters: JSON may escape a
character as 6 bytes (`\u0915`) or 12 (an emoji), so 2,000 characters of Hindi or
Chinese take 12 KB. Bodies up to `MAX_BODY_BYTES` are read and the input guard
judges the decoded text (over 2,000 characters: its kind `input_too_long` reply,
after the crisis screen); a larger body gets the same kind reply with the crisis
line, never a bare error. Every reply says `Cache-Control: no-store`.
"""

from __future__ import annotations

import json
from typing import Any, Awaitable, Callable

from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from lantern.channels import guard
from lantern.nlg import response_variables
from lantern.ops import heartbeat

#: Room for a 2,000-character message with every character escaped as 12 bytes
#: (24 KB), plus the sender and 2 KB of metadata.
MAX_BODY_BYTES = 32 * 1024
#: What the watchdog's liveness check asks the model to read.
LIVENESS_MESSAGE = "what is ketamine?"
NO_STORE = {"Cache-Control": "no-store"}


def _error(status: int, message: str) -> HTTPResponse:
    return response.json({"error": message}, status=status)


def too_long_reply() -> list:
    """The bot's reply to a body too large to read: kind, with the crisis line."""
    v = response_variables(None)
    return [
        guard.reply(
            "input_too_long",
            "That message is longer than I can read (the limit is 2,000 characters). "
            "Could you ask your question in a shorter message? If you need help "
            f"urgently, {v['crisis_line']}, or call {v['emergency_number']} in an emergency.",
        )
    ]


class LanternRestInput(InputChannel):
    """Rasa's REST channel contract, hardened.

    A body must be a JSON object with a non-empty string `sender` (no shared
    "default" conversation) and a string `message`; bodies over 32 KB get a kind
    413 reply before they reach the model. Replies are the usual list of bot
    messages, never cached.
    """

    @classmethod
    def name(cls) -> str:
        """Keeps Rasa's URL: /webhooks/rest/webhook."""
        return "rest"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        """The health and webhook routes."""
        bp = Blueprint("lantern_rest", __name__)
        heartbeat.start(bp, "rasa")  # the watchdog's proof that the loop turns

        @bp.middleware("response")
        async def no_store(_: Request, reply: HTTPResponse) -> None:
            # replies are conversation data: no browser or proxy may keep them
            reply.headers.update(NO_STORE)

        @bp.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @bp.route("/live", methods=["GET"])
        async def live(request: Request) -> HTTPResponse:
            """Liveness for the watchdog: the model reads a real message (nothing stored)."""
            agent = getattr(request.app.ctx, "agent", None)
            if agent is None or not agent.is_ready():
                return response.json({"status": "loading"}, status=503)
            parsed = await agent.parse_message(LIVENESS_MESSAGE)
            ok = bool((parsed.get("intent") or {}).get("name"))
            return response.json({"status": "ok" if ok else "failed"}, status=200 if ok else 503)

        @bp.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            body = request.body or b""
            if len(body) > MAX_BODY_BYTES:
                return response.json(too_long_reply(), status=413)
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
