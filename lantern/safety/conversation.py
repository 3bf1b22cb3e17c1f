"""Risk across a conversation: what the turns before a message add to its reading.

- Cues add up: risk read (even below the check-in) in the last few messages, and
  a safety reply given in the last few turns, make the stage watchful: its
  thresholds are lowered for this message.
- A short follow-up is read with the message before it ("that's me, right now"
  after a question about bad trips), and counts when the two together read
  riskier than the earlier message alone.
- "I'm not suicidal" is an answer to a safety reply: anywhere else it is not
  taken as that acknowledgement.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Dict, List, Reversible

#: How many earlier user messages, and bot turns, are looked at.
LOOKBACK = 3
#: A follow-up of at most this many words is read with the message before it.
SHORT_WORDS = 8
#: Earlier risk at or above this makes the stage watchful.
CUE = 0.15
SAFETY_REPLIES = frozenset(
    {
        "utter_safety_crisis",
        "utter_safety_emergency",
        "utter_safety_active_use",
        "utter_safety_abuse",
        "utter_safety_check_in",
        "utter_get_help",
    }
)


@dataclass(frozen=True)
class History:
    """What the stage needs to know of the turns before the current message."""

    previous_text: str | None = None
    previous_risk: float = 0.0
    prior_risk: float = 0.0
    safety_reply_recently: bool = False
    safety_reply_last: bool = False

    @property
    def watchful(self) -> bool:
        """Earlier cues or a recent safety reply: read this message more carefully."""
        return self.safety_reply_recently or self.prior_risk >= CUE


def _risk_of(parse_data: Dict[str, Any]) -> float:
    risk = parse_data.get("risk") or {}
    return max(
        (float(v) for v in risk.values() if type(v) in (int, float)),
        default=0.0,
    )


def history(events: Reversible[Any]) -> History:
    """Read the tracker's events (Rasa event objects) newest first, no further than needed."""
    users: List[Any] = []
    bot_actions: List[str] = []
    for event in reversed(events):
        kind = getattr(event, "type_name", None)
        if kind == "user" and len(users) < LOOKBACK:
            users.append(event)
        elif kind == "action" and len(bot_actions) < LOOKBACK * 2:
            name = getattr(event, "action_name", None)
            if name and name not in ("action_listen", "action_session_start"):
                bot_actions.append(name)
        if len(users) >= LOOKBACK and len(bot_actions) >= LOOKBACK * 2:
            break
    risks = [_risk_of(getattr(u, "parse_data", None) or {}) for u in users]
    decayed = [r * (0.8**i) for i, r in enumerate(risks)]
    previous = users[0] if users else None
    text = getattr(previous, "text", None) if previous is not None else None
    return History(
        previous_text=text if isinstance(text, str) and not text.startswith("/") else None,
        previous_risk=risks[0] if risks else 0.0,
        prior_risk=max(decayed, default=0.0),
        safety_reply_recently=any(a in SAFETY_REPLIES for a in bot_actions),
        safety_reply_last=bool(bot_actions) and bot_actions[0] in SAFETY_REPLIES,
    )


def is_short(text: str) -> bool:
    """Whether a message is a short follow-up."""
    return len(text.split()) <= SHORT_WORDS
