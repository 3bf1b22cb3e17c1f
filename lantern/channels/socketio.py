"""Socket.io channels for the website widget and the kiosk, behind the input guard.

Both speak Rasa's socket.io protocol (`session_request` / `session_confirm`,
`user_uttered` {message, session_id, metadata}, `bot_uttered`). One difference: each
bot message is one `bot_uttered` event carrying its text, its buttons (as
`quick_replies`) and its `custom` payload together, so a client never has to guess
which payload belongs to which text (Rasa's own output sends `custom` as keyword
arguments to `emit`, which fails for payloads such as `{answer_id: ...}`).
"""

from __future__ import annotations

import logging
import os
import re
import uuid
from typing import Any, Awaitable, Callable, Dict, List, Type

import engineio
import socketio
from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from rasa.core.channels.socketio import SocketBlueprint, SocketIOInput, SocketIOOutput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from lantern.channels import guard

logger = logging.getLogger(__name__)

#: Largest socket.io packet accepted (engine.io `max_http_buffer_size`; its default is
#: 1 MB). Room for a message at the guard's 2,000-character limit even when every
#: character is JSON-escaped (12 bytes for an emoji), plus metadata; larger packets
#: close the connection before any text reaches the model.
MAX_PACKET_BYTES = 32 * 1024


def cors_origins() -> List[str]:
    """Other origins allowed to use the server, from `LANTERN_CORS_ORIGINS`.

    Space- or comma-separated, the same list scripts/run.sh passes to `rasa run --cors`.
    Unset or empty: none (the pages the server serves itself are always allowed).
    """
    origins = re.split(r"[\s,]+", os.environ.get("LANTERN_CORS_ORIGINS", ""))
    return [o.rstrip("/") for o in origins if o.rstrip("/")]


def origin_checker(allowed: List[str]) -> Callable[[str, Dict[str, Any]], bool]:
    """engine.io's `cors_allowed_origins` check: the server's own origin or one in `allowed`.

    The own origin is the scheme (or X-Forwarded-Proto) and Host (or X-Forwarded-Host)
    of the request, as engine.io computes it when no list is given.
    """

    def allowed_origin(origin: str, environ: Dict[str, Any]) -> bool:
        if "*" in allowed or origin in allowed:
            return True
        scheme = environ.get("HTTP_X_FORWARDED_PROTO") or environ.get("wsgi.url_scheme", "http")
        hosts = {environ.get("HTTP_HOST"), environ.get("HTTP_X_FORWARDED_HOST")}
        own = {f"{scheme.split(',')[0].strip()}://{h.split(',')[0].strip()}" for h in hosts if h}
        return origin in own

    return allowed_origin


class _OriginCheckingEngineIO(engineio.AsyncServer):
    """Engine.io server that checks the Origin but writes no CORS headers itself.

    `rasa run --cors` (Sanic-CORS, configured from the same list) already adds
    them to every response; two Access-Control-Allow-Origin headers would make
    browsers refuse the response.
    """

    def _cors_headers(self, environ: Dict[str, Any]) -> List[Any]:
        return []


class LanternAsyncServer(socketio.AsyncServer):
    """python-socketio server on the origin-checking engine.io server."""

    def _engineio_server_class(self) -> type:
        return _OriginCheckingEngineIO


def make_server() -> socketio.AsyncServer:
    """The socket.io server: allowed origins from the configuration, packets capped."""
    return LanternAsyncServer(
        async_mode="sanic",
        cors_allowed_origins=origin_checker(cors_origins()),
        max_http_buffer_size=MAX_PACKET_BYTES,
    )


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
    gets an answer; text is never logged. A socket may only send to the session it
    asked for (replies go to that session's room); only allowed origins may connect
    (`LANTERN_CORS_ORIGINS`, plus the server's own), and packets are capped.
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
        sio = make_server()
        #: socket id -> the session it asked for (replies are sent to that session's room)
        sessions: Dict[str, str] = {}
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
        async def session_request(sid: str, data: Any = None, *_: Any) -> None:
            session_id = guard.valid_sender(
                data.get("session_id") if isinstance(data, dict) else None
            )
            if session_id is None:
                session_id = uuid.uuid4().hex
            if self.session_persistence:
                sessions[sid] = session_id
                await sio.enter_room(sid, session_id)
            await sio.emit("session_confirm", session_id, room=sid)

        @sio.on("disconnect", namespace=self.namespace)
        async def disconnect(sid: str, *_: Any) -> None:
            sessions.pop(sid, None)

        @sio.on(self.user_message_evt, namespace=self.namespace)
        async def handle_message(sid: str, data: Any = None, *_: Any) -> None:
            # any number of arguments: a handler's TypeError would mean no reply at all
            output = self.output_class(sio, self.bot_message_evt)
            if not isinstance(data, dict):
                await output.send_response(
                    sid, guard.reply("input_invalid", "Sorry, I couldn't read that message.")
                )
                return
            sender_id = sid
            if self.session_persistence:
                session_id = guard.valid_sender(data.get("session_id"))
                if session_id is not None and sid not in sessions:
                    # no session_request first: join the room the replies go to
                    sessions[sid] = session_id
                    await sio.enter_room(sid, session_id)
                if session_id is None or session_id != sessions.get(sid):
                    # replies to another session would go to its room, not to this socket
                    await output.send_response(
                        sid,
                        guard.reply(
                            "input_invalid",
                            "Sorry, I lost track of our conversation. Please reload the page.",
                        ),
                    )
                    return
                sender_id = session_id
            metadata = guard.clean_metadata(data.get(self.metadata_key))
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
