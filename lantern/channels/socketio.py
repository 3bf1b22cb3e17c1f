"""Socket.io channels for the website widget and the kiosk, behind the input guard.

Both speak Rasa's socket.io protocol (`session_request` / `session_confirm`,
`user_uttered` {message, session_id, metadata}, `bot_uttered`). One difference: each
bot message is one `bot_uttered` event carrying its text, its buttons (as
`quick_replies`) and its `custom` payload together, so a client never has to guess
which payload belongs to which text (Rasa's own output sends `custom` as keyword
arguments to `emit`, which fails for payloads such as `{answer_id: ...}`).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import os
import re
import secrets
import uuid
from functools import lru_cache
from typing import Any, Awaitable, Callable, Dict, List, Tuple, Type

import engineio
import socketio
from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from rasa.core.channels.socketio import SocketBlueprint, SocketIOInput, SocketIOOutput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from lantern.channels import guard
from lantern.channels.proxy import trust_proxy

logger = logging.getLogger(__name__)

#: Largest socket.io packet accepted (engine.io `max_http_buffer_size`; its default is
#: 1 MB). Room for a message at the guard's 2,000-character limit even when every
#: character is JSON-escaped (12 bytes for an emoji), plus metadata; larger packets
#: close the connection before any text reaches the model.
MAX_PACKET_BYTES = 32 * 1024
#: A secret for signing session ids (comma-separated: the first signs, all verify).
SESSION_SECRET_VARIABLE = "LANTERN_SESSION_SECRET"
#: Without LANTERN_SESSION_SECRET, the keys are derived from the conversation store's.
TRACKER_KEY_VARIABLE = "LANTERN_TRACKER_KEY"
_CONVERSATION = re.compile(r"^[0-9a-f]{32}$")
#: Characters of the signature kept in a session id (base64: 6 bits each, 132 in all).
_MAC_CHARS = 22


@lru_cache(maxsize=1)
def _process_secret() -> bytes:
    """A secret made at start, when nothing is configured (ids end with the process)."""
    return secrets.token_bytes(32)


def session_keys(env: Dict[str, str] | None = None) -> List[bytes]:
    """The keys that sign session ids; the first signs, every one verifies.

    LANTERN_SESSION_SECRET if set; else keys derived from LANTERN_TRACKER_KEY (set by
    scripts/env.sh, shared by every instance that shares the conversations, so an id
    outlives a restart); else a secret made at start.
    """
    env = dict(os.environ) if env is None else env
    own = [p.strip() for p in env.get(SESSION_SECRET_VARIABLE, "").split(",") if p.strip()]
    if own:
        return [p.encode() for p in own]
    tracker = [p.strip() for p in env.get(TRACKER_KEY_VARIABLE, "").split(",") if p.strip()]
    derived = [
        hmac.new(k.encode(), b"lantern socket.io session ids", hashlib.sha256).digest()
        for k in tracker
    ]
    return derived or [_process_secret()]


class SessionIds:
    """Session ids the server issues: `<conversation id>.<signature>`.

    The conversation id (32 hex characters) is what Rasa, the stores and the staff
    page see; the signature (HMAC-SHA256 over the channel name and that id) proves
    the server issued it. A client cannot choose an id or make one from a
    conversation id it has seen: anything not signed here starts a new conversation.
    """

    def __init__(self, channel: str, keys: List[bytes]) -> None:
        """Sign for `channel` (a widget id is no kiosk id) with `keys` (first signs)."""
        self.channel = channel
        self.keys = keys

    def _mac(self, key: bytes, conversation: str) -> str:
        digest = hmac.new(key, f"{self.channel}:{conversation}".encode(), hashlib.sha256)
        return base64.urlsafe_b64encode(digest.digest()).decode()[:_MAC_CHARS]

    def issue(self) -> Tuple[str, str]:
        """A new (session id, conversation id)."""
        conversation = uuid.uuid4().hex
        return f"{conversation}.{self._mac(self.keys[0], conversation)}", conversation

    def conversation(self, session_id: Any) -> str | None:
        """The conversation id of a session id this server issued; None for anything else."""
        if not isinstance(session_id, str) or len(session_id) > guard.MAX_SENDER_CHARS:
            return None
        conversation, _, mac = session_id.strip().partition(".")
        if not _CONVERSATION.match(conversation) or len(mac) != _MAC_CHARS:
            return None
        signed = any(
            hmac.compare_digest(mac.encode(), self._mac(k, conversation).encode())
            for k in self.keys
        )
        return conversation if signed else None


def cors_origins() -> List[str]:
    """Other origins allowed to use the server, from `LANTERN_CORS_ORIGINS`.

    Space- or comma-separated, the same list scripts/run.sh passes to `rasa run --cors`.
    Unset or empty: none (the pages the server serves itself are always allowed).
    """
    origins = re.split(r"[\s,]+", os.environ.get("LANTERN_CORS_ORIGINS", ""))
    return [o.rstrip("/") for o in origins if o.rstrip("/")]


def origin_checker(allowed: List[str]) -> Callable[[str, Dict[str, Any]], bool]:
    """engine.io's `cors_allowed_origins` check: the server's own origin or one in `allowed`.

    The own origin is the scheme and Host of the request. X-Forwarded-Proto and
    X-Forwarded-Host count only with LANTERN_TRUST_PROXY=1 (lantern/channels/proxy.py):
    without a proxy that sets them, any page could send them to pass as us.
    """

    def allowed_origin(origin: str, environ: Dict[str, Any]) -> bool:
        if "*" in allowed or origin in allowed:
            return True
        scheme = environ.get("wsgi.url_scheme", "http")
        hosts = {environ.get("HTTP_HOST")}
        if trust_proxy():
            scheme = environ.get("HTTP_X_FORWARDED_PROTO") or scheme
            hosts.add(environ.get("HTTP_X_FORWARDED_HOST"))
        own = {f"{scheme.split(',')[0].strip()}://{h.split(',')[0].strip()}" for h in hosts if h}
        return origin in own

    return allowed_origin


class _OriginCheckingEngineIO(engineio.AsyncServer):
    """Engine.io server that checks the Origin but writes no CORS headers itself.

    `rasa run --cors` (Sanic-CORS, configured from the same list) already adds
    them to every response; two Access-Control-Allow-Origin headers would make
    browsers refuse the response. Every response (long-polling ones carry the
    conversation) says `Cache-Control: no-store` instead.
    """

    def _cors_headers(self, environ: Dict[str, Any]) -> List[Any]:
        return [("Cache-Control", "no-store")]


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
    gets an answer; text is never logged. Session ids are the server's (`SessionIds`):
    `session_confirm` gives each socket a signed id, a socket joins a conversation
    only by presenting an id signed for it, and its messages always go to that
    conversation (replies go to its room). Only allowed origins may connect
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
        ids = SessionIds(self.name(), session_keys())
        #: socket id -> its conversation id (replies are sent to that conversation's room)
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

        async def join(sid: str, presented: Any) -> str:
            """Put socket `sid` in a conversation, tell it its session id, return the conversation.

            A session id this server signed joins its conversation; anything else
            (none, made up, another channel's, a bare conversation id) gets a new one.
            """
            conversation = ids.conversation(presented)
            if conversation is None:
                session_id, conversation = ids.issue()
            else:
                session_id = presented.strip()
            previous = sessions.get(sid)
            if previous is not None and previous != conversation:
                await sio.leave_room(sid, previous)
            sessions[sid] = conversation
            await sio.enter_room(sid, conversation)
            await sio.emit("session_confirm", session_id, room=sid)
            return conversation

        @sio.on("session_request", namespace=self.namespace)
        async def session_request(sid: str, data: Any = None, *_: Any) -> None:
            presented = data.get("session_id") if isinstance(data, dict) else None
            if self.session_persistence:
                await join(sid, presented)
            else:  # every socket is a conversation of its own (Rasa's default)
                await sio.emit("session_confirm", sid, room=sid)

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
                # the socket's own conversation, whatever id the event names: replies
                # go to its room, which only sockets holding its signed id have joined
                conversation = sessions.get(sid)
                if conversation is None:  # no session_request first
                    conversation = await join(sid, data.get("session_id"))
                sender_id = conversation
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
