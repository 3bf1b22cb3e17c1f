"""Socket.io channels for the website widget and the kiosk, behind the input guard.

Both speak Rasa's socket.io protocol (`session_request` / `session_confirm`,
`user_uttered` {message, session_id, metadata}, `bot_uttered`). One difference: each
bot message is one `bot_uttered` event carrying its text, its buttons (as
`quick_replies`) and its `custom` payload together, so a client never has to guess
which payload belongs to which text (Rasa's own output sends `custom` as keyword
arguments to `emit`, which fails for payloads such as `{answer_id: ...}`).
"""

from __future__ import annotations

import json
import logging
import uuid
from typing import Any, Awaitable, Callable, Dict, Type

from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from rasa.core.channels.socketio import SocketBlueprint, SocketIOInput, SocketIOOutput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from socketio import AsyncServer

from lantern.channels import guard

logger = logging.getLogger(__name__)


class LanternSocketIOOutput(SocketIOOutput):
    """One `bot_uttered` event per bot message: {text, quick_replies, custom, attachment}."""

    async def send_response(self, recipient_id: str, message: Dict[str, Any]) -> None:
        """Send the message's parts together (only the parts it has)."""
        event: Dict[str, Any] = {}
        if message.get("text"):
            event["text"] = message["text"]
        buttons = message.get("quick_replies") or message.get("buttons") or []
        if buttons:
            event["quick_replies"] = [
                {"content_type": "text", "title": b.get("title"), "payload": b.get("payload")}
                for b in buttons
                if isinstance(b, dict)
            ]
        if isinstance(message.get("custom"), dict):
            event["custom"] = message["custom"]
        if message.get("image"):
            event["attachment"] = {"type": "image", "payload": {"src": message["image"]}}
        elif isinstance(message.get("attachment"), dict):
            event["attachment"] = message["attachment"]
        if event:
            await self._send_message(recipient_id, event)


class KioskOutput(LanternSocketIOOutput):
    """The kiosk's output: its name selects `channel: kiosk` response variations."""

    @classmethod
    def name(cls) -> str:
        """Response variations for the kiosk use `channel: kiosk`."""
        return "kiosk"


class LanternSocketIOInput(SocketIOInput):
    """Rasa's socket.io channel (same events and options), with the input guard.

    Malformed events get a kind reply instead of an exception; a message always
    gets an answer; text is never logged.
    """

    output_class: Type[LanternSocketIOOutput] = LanternSocketIOOutput

    @classmethod
    def name(cls) -> str:
        """Keep Rasa's channel name."""
        return "socketio"

    def get_output_channel(self) -> OutputChannel | None:
        """Return the output for messages Rasa sends on its own (e.g. reminders)."""
        if self.sio is None:
            return None
        return self.output_class(self.sio, self.bot_message_evt)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        """Build the socket.io server and its event handlers."""
        sio = AsyncServer(async_mode="sanic", cors_allowed_origins=[])
        bp = SocketBlueprint(sio, self.socketio_path, f"lantern_{self.name()}", __name__)
        self.sio = sio

        @bp.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @sio.on("connect", namespace=self.namespace)
        async def connect(sid: str, environ: Dict, auth: Dict | None) -> bool:
            if not self.jwt_key:
                return True
            from rasa.core.channels.channel import decode_bearer_token

            token = auth.get("token") if isinstance(auth, dict) else None
            return bool(token and decode_bearer_token(token, self.jwt_key, self.jwt_algorithm))

        @sio.on("session_request", namespace=self.namespace)
        async def session_request(sid: str, data: Any) -> None:
            session_id = data.get("session_id") if isinstance(data, dict) else None
            if not isinstance(session_id, str) or not 0 < len(session_id) <= 128:
                session_id = uuid.uuid4().hex
            if self.session_persistence:
                await sio.enter_room(sid, session_id)
            await sio.emit("session_confirm", session_id, room=sid)

        @sio.on(self.user_message_evt, namespace=self.namespace)
        async def handle_message(sid: str, data: Any) -> None:
            output = self.output_class(sio, self.bot_message_evt)
            if not isinstance(data, dict):
                await output.send_response(
                    sid, guard.reply("input_invalid", "Sorry, I couldn't read that message.")
                )
                return
            sender_id = sid
            if self.session_persistence:
                session_id = data.get("session_id")
                if not isinstance(session_id, str) or not 0 < len(session_id) <= 128:
                    await output.send_response(
                        sid,
                        guard.reply(
                            "input_invalid",
                            "Sorry, I lost track of our conversation. Please reload the page.",
                        ),
                    )
                    return
                sender_id = session_id
            metadata = data.get(self.metadata_key) or {}
            if isinstance(metadata, str):
                try:
                    metadata = json.loads(metadata)
                except ValueError:
                    metadata = {}
            if not isinstance(metadata, dict):
                metadata = {}
            await guard.handle(
                on_new_message, data.get("message", ""), output, sender_id, self.name(), metadata
            )

        return bp


class LanternKioskInput(LanternSocketIOInput):
    """The clinic kiosk's socket.io channel (default path `/kiosk/socket.io`).

    Same protocol and guard as the widget's channel; its own name lets the domain
    give kiosk-specific replies (`channel: kiosk`) and lets the guard record a
    "talk to staff" request for the staff page (lantern/staff.py).
    """

    output_class = KioskOutput

    @classmethod
    def name(cls) -> str:
        """Name the input channel recorded with each message: "kiosk"."""
        return "kiosk"

    @classmethod
    def from_credentials(cls, credentials: Dict[str, Any] | None) -> InputChannel:
        """Like the widget's channel, with `/kiosk/socket.io` as the default path."""
        credentials = {"socketio_path": "/kiosk/socket.io", **(credentials or {})}
        return super().from_credentials(credentials)
