"""The input guard shared by every public channel.

Before a message reaches the model: text is NFKC-normalised (full-width and
other compatibility forms read as plain letters), control characters are
removed, empty text gets a gentle prompt, `/intent{...}` text is treated as plain
text unless it is one of the fixed button payloads. Over-long text is screened
sentence by sentence, all of it: if any sentence is risky, those sentences go on
to the model (so the safety reply comes whatever the length); otherwise a kind
refusal. After the model: if the bot said nothing (e.g. the action server is
down, as inside the intake form, whose every turn calls it), a risky message
still gets its safety reply from the Rasa server itself (and, on the kiosk, an
urgent staff alert); anything else gets a kind fallback. Safety replies are
recorded in the audit log (no message text).
"""

from __future__ import annotations

import json
import logging
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Awaitable, Callable, Dict, List

import yaml
from rasa.core.channels.channel import OutputChannel, UserMessage

from lantern import staff
from lantern.language import language_of
from lantern.nlg import render, response_variables, with_help_actions
from lantern.paths import LEXICON_FILE
from lantern.safety import audit
from lantern.safety.risk_component import read_alone
from lantern.safety.screen import URGENT

logger = logging.getLogger(__name__)

MAX_CHARS = 2000
MAX_SENDER_CHARS = 128
#: Client metadata kept with a message: a small, shallow JSON object (else dropped).
MAX_METADATA_BYTES = 2048
MAX_METADATA_DEPTH = 8

#: Button payloads that may reach Rasa as `/intent{...}`: fixed intents, and entity
#: values that are plain identifiers (no free text, so nothing to screen).
BUTTON_INTENTS: Dict[str, frozenset] = {
    "choose_topic": frozenset({"topic"}),
    "inform_substance": frozenset({"substance"}),
    "inform_region": frozenset({"region"}),
    "get_help": frozenset(),
    # the check-in's buttons: yes, urgent medical help, "I was asking for information"
    "safety_crisis": frozenset(),
    "safety_emergency": frozenset(),
    "deny_risk": frozenset(),
    "show_menu": frozenset(),
    "start_over": frozenset(),
    "handoff": frozenset(),
    "affirm": frozenset(),
    "deny": frozenset(),
    "greet": frozenset(),
    "out_of_scope": frozenset(),
    "feedback_helpful": frozenset(),
    "feedback_not_helpful": frozenset(),
}
_PAYLOAD = re.compile(r"^/(?P<intent>[a-z_]{1,40})(?P<entities>\{.{0,200}\})?$")
_VALUE = re.compile(r"^[a-z0-9_]{1,64}$")
_CONTROL = {"Cc", "Cf", "Co", "Cs"}


@dataclass(frozen=True)
class Checked:
    """The guard's verdict on one message: text to pass on, or a direct reply."""

    text: str | None
    reply: Dict[str, Any] | None = None


def reply(answer_id: str, text: str, **extra: Any) -> Dict[str, Any]:
    """A bot message with its answer id in `custom`, as domain responses have."""
    return {"text": text, "custom": {"answer_id": answer_id, **extra}}


def _clean(text: str) -> str:
    text = unicodedata.normalize("NFKC", text)
    return "".join(
        ch for ch in text if ch in "\n\t" or unicodedata.category(ch) not in _CONTROL
    ).strip()


_SENTENCE_END = re.compile(r"(?<=[.!?\n])\s+")


def risky_part(text: str) -> str | None:
    """The sentences of `text` needing a safety reply or the check-in (at most MAX_CHARS), or None.

    Each sentence is read on its own (the screen and the risk model, `read_alone`),
    so one risky sentence in a long story counts; a sentence longer than MAX_CHARS is
    read in overlapping windows.
    """
    risky: List[str] = []
    for sentence in _SENTENCE_END.split(text):
        step = MAX_CHARS // 2
        pieces = (
            [sentence]
            if len(sentence) <= MAX_CHARS
            else [sentence[i : i + MAX_CHARS] for i in range(0, len(sentence) - step, step)]
        )
        risky += [p for p in pieces if read_alone(p) is not None]
    if not risky:
        return None
    return " ".join(risky)[:MAX_CHARS]


def valid_sender(sender: Any) -> str | None:
    """The conversation id, stripped, if usable: 1-128 printable characters; else None.

    Control, format, private-use and lone surrogate characters are refused: a lone
    surrogate cannot be encoded for the database, and Rasa's SQL tracker store exits
    the whole server on that error.
    """
    if not isinstance(sender, str):
        return None
    sender = sender.strip()
    if not 0 < len(sender) <= MAX_SENDER_CHARS:
        return None
    if any(unicodedata.category(ch) in _CONTROL for ch in sender):
        return None
    return sender


def _depth(value: Any) -> int:
    """How deeply containers nest in `value` (counting stops past the limit)."""
    depth, level = 0, [value]
    while depth <= MAX_METADATA_DEPTH:
        containers = [v for v in level if isinstance(v, (dict, list))]
        if not containers:
            break
        depth += 1
        level = [x for c in containers for x in (c.values() if isinstance(c, dict) else c)]
    return depth


def clean_metadata(metadata: Any) -> Dict[str, Any] | None:
    """Client metadata to keep with a message, or None if it is not a small JSON object.

    A JSON string is parsed (Rasa's socket.io clients may send one). Metadata is
    stored with the conversation, so huge or deeply nested objects are dropped.
    """
    if isinstance(metadata, str) and len(metadata) <= MAX_METADATA_BYTES:
        try:
            metadata = json.loads(metadata)
        except (ValueError, RecursionError):
            return None
    if not isinstance(metadata, dict) or not metadata:
        return None
    if _depth(metadata) > MAX_METADATA_DEPTH:
        return None
    try:
        encoded = json.dumps(metadata)
    except (TypeError, ValueError, RecursionError):
        return None
    return metadata if len(encoded) <= MAX_METADATA_BYTES else None


@lru_cache(maxsize=1)
def _known_values() -> Dict[str, frozenset]:
    """Entity values a payload may carry where the set is fixed: the lexicon's substances.

    (Routing answers an unknown substance with a general answer; only our own buttons
    may set one.) Topics and regions are checked by the actions and the NLG.
    """
    data = yaml.safe_load(LEXICON_FILE.read_text(encoding="utf-8")) or {}
    return {"substance": frozenset(data.get("substance") or {})}


def is_button_payload(text: str) -> bool:
    """Whether `text` is one of the fixed button payloads."""
    match = _PAYLOAD.match(text)
    if not match or match.group("intent") not in BUTTON_INTENTS:
        return False
    allowed = BUTTON_INTENTS[match.group("intent")]
    if not match.group("entities"):
        return True
    try:
        entities = json.loads(match.group("entities"))
    except ValueError:
        return False
    return (
        isinstance(entities, dict)
        and set(entities) <= allowed
        and all(isinstance(v, str) and _VALUE.match(v) for v in entities.values())
        and all(v in _known_values().get(k, {v}) for k, v in entities.items())
    )


def check(text: Any) -> Checked:
    """Decide what to do with a raw message text."""
    if text is None:
        text = ""
    if not isinstance(text, str):
        return Checked(None, reply("input_invalid", "Sorry, I can only read plain text messages."))
    if len(text) > MAX_CHARS:
        # never logged; all of it screened, so a long message about suicide gets help
        risky = risky_part(_clean(text))
        if risky:
            return Checked(risky)
        v = response_variables(None)
        return Checked(
            None,
            reply(
                "input_too_long",
                "That message is longer than I can read (the limit is 2,000 characters). "
                "Could you ask your question in a shorter message? If you need help "
                f"urgently, {v['crisis_line']}, or call {v['emergency_number']} in an emergency.",
            ),
        )
    cleaned = _clean(text)
    if cleaned.startswith("/") and not is_button_payload(cleaned):
        cleaned = cleaned.lstrip("/").strip()  # plain text, never an injected intent
    if not cleaned:
        return Checked(
            None,
            reply(
                "input_empty",
                "It looks like that message was empty. What would you like to know? "
                "You can also type 'menu' to see the topics.",
            ),
        )
    return Checked(cleaned)


def service_unavailable() -> Dict[str, Any]:
    """The kind reply when the bot could not answer (e.g. the action server is down)."""
    v = response_variables(None)
    return reply(
        "service_unavailable",
        "I'm sorry, I can't fetch that answer right now. Please try again in a moment. "
        f"To reach the clinic, {v['clinic_contact']}. If you need help urgently, "
        f"{v['crisis_line']}, or call {v['emergency_number']} in an emergency.",
    )


async def _rescue(
    text: str | None, output: OutputChannel, sender_id: str, input_channel: str
) -> None:
    """The bot said nothing: a risky message gets its safety reply anyway, else the kind fallback.

    Rasa drops a turn whose action call fails (inside the intake form every turn
    calls the action server); the safety replies (and the check-in) are domain
    responses, so the Rasa server can give them itself, as the screen and the risk
    model read the message (`read_alone`). On the kiosk, urgent ones alert staff.
    """
    intent = read_alone(text) if text else None
    if intent is None:
        await output.send_response(sender_id, service_unavailable())
        return
    reply_ = render(f"utter_{intent}", None, language_of(text or ""))
    await output.send_response(sender_id, with_help_actions(reply_, None))
    if input_channel == "kiosk" and intent in URGENT | {"safety_abuse"}:
        staff.record_alert(sender_id, "crisis_on_kiosk")


class TrackingOutput(OutputChannel):
    """Wraps a channel's output: counts what is sent and notes the answer ids."""

    def __init__(self, inner: OutputChannel) -> None:
        """Wrap `inner`."""
        self.inner = inner
        self.sent = 0
        self.answer_ids: List[str] = []

    def name(self) -> str:
        """The wrapped channel's name (response variations are chosen by it)."""
        return self.inner.name()

    async def send_response(self, recipient_id: str, message: Dict[str, Any]) -> None:
        """Send through the wrapped channel and remember the answer id."""
        self.sent += 1
        custom = message.get("custom")
        if isinstance(custom, dict) and isinstance(custom.get("answer_id"), str):
            self.answer_ids.append(custom["answer_id"])
        await self.inner.send_response(recipient_id, message)


async def handle(
    on_new_message: Callable[[UserMessage], Awaitable[Any]],
    text: Any,
    output: OutputChannel,
    sender_id: str,
    input_channel: str,
    metadata: Dict[str, Any] | None = None,
) -> None:
    """Guard one incoming message, run it through Rasa, and never end in silence."""
    try:
        checked = check(text)
    except Exception as exc:  # noqa: BLE001 - odd input gets a kind reply, never a 500
        logger.error("lantern.message.unreadable error=%s", type(exc).__name__)
        checked = Checked(None, reply("input_invalid", "Sorry, I couldn't read that message."))
    if checked.reply is not None:
        await output.send_response(sender_id, checked.reply)
        return
    tracking = TrackingOutput(output)
    message = UserMessage(
        checked.text, tracking, sender_id, input_channel=input_channel, metadata=metadata
    )
    try:
        await on_new_message(message)
    except Exception as exc:  # noqa: BLE001 - any failure must still get a reply
        # the message text is health information: log only the error type
        logger.error("lantern.message.failed error=%s", type(exc).__name__)
    if tracking.sent == 0:
        await _rescue(checked.text, tracking, sender_id, input_channel)
    audit.record_replies(tracking.answer_ids, input_channel, sender_id)
