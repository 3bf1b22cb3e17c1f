"""Which safety reading wins when the deterministic screen and the risk model disagree.

The screen (phrases, and the intent classifier when it is very sure of a safety
intent) is the floor: what it catches stays caught. But it often catches the
right risk under the wrong name ("my hands are melting into the couch" read as a
crisis; "I took all my pills an hour ago" as a crisis, not the emergency it is),
and its decline phrases ("how much would...") catch method questions. The risk
model reads the whole message, so:

- a reading the model is sure of, in another safety category, replaces the
  screen's: never a crisis the screen's phrases found by active use (the crisis
  reply is the one that must not be lost), and over the screen's phrases only
  when the model is very sure (`matcher_override`);
- abuse the model reads outranks the screen's reading of the violence unless the
  model is sure of a crisis too and not clearly surer of the abuse (the abuse
  reply carries the crisis line; "he hits me and I want to die" gets the crisis
  reply first);
- the screen's decline phrases stand unless the model is very sure of a risk
  (`decline_override`);
- a crisis or emergency the intent classifier alone read, where the model sees
  almost no risk (`classifier_veto`), is asked about (the check-in), not asserted;
- abuse, a bad trip or an emergency with a crisis read beside it ("he hits me
  and the only way out is not being here", "my son says he wants to jump" read
  as abuse) gets the crisis reply first and its own reply after (`crisis_first`):
  a crisis reply must never be lost to another safety reply; a crisis with abuse
  read beside it gets the abuse reply after the crisis reply.

Everything else is the model's three outcomes (`risk.decide`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, Tuple

from lantern.safety.risk import CHECK_IN, DECLINES, INTENTS, Decision, decide

#: The intents the screen before the risk stage decides.
SCREEN_INTENTS = frozenset({"safety_crisis", "safety_emergency", "safety_active_use"})
SAFETY_INTENTS = frozenset(INTENTS.values()) | {CHECK_IN}


@dataclass(frozen=True)
class Thresholds:
    """The risk stage's thresholds (config.yml), after the conversation has lowered them."""

    decisive: float
    check_in: float
    over_decline: float = 0.9
    matcher_override: float = 0.85
    decline_override: float = 0.97
    decline_check_in: float | None = None
    abuse_margin: float = 0.15
    classifier_veto: float = 0.1
    crisis_beside: float = 0.45
    abuse_beside: float = 0.3


@dataclass(frozen=True)
class Screened:
    """What the screen decided: an intent (a safety one or a decline) and whether by phrase."""

    intent: str | None = None
    by_phrase: bool = False


def arbitrate(
    scores: Dict[str, float], current: str | None, screen: Screened, limits: Thresholds
) -> str | None:
    """The intent to set (None: leave the message's intent as it is)."""
    decision = decide(
        scores,
        limits.decisive,
        limits.check_in,
        intent=None if screen.by_phrase else current,
        over_decline=limits.over_decline,
        decline_check_in=limits.decline_check_in,
    )
    sure = decision.intent not in (None, CHECK_IN)
    if screen.intent in DECLINES and screen.by_phrase:
        if sure and decision.score >= limits.decline_override:
            return decision.intent
        return _asked_over_decline(scores, limits)
    if screen.intent in SCREEN_INTENTS:
        return _over_screen(scores, screen, decision, limits)
    if decision.intent is not None and current not in SAFETY_INTENTS - {CHECK_IN}:
        return decision.intent
    return None


def _asked_over_decline(scores: Dict[str, float], limits: Thresholds) -> str | None:
    """The check-in over a decline phrase ("how much would it take"), from `decline_check_in`.

    A method or overdose question shares its words with a dosing question: asking
    first loses nothing ("No, I was asking for information" gives the decline).
    """
    if limits.decline_check_in is None:
        return None
    unsure = max(scores.get("crisis", 0.0), scores.get("emergency", 0.0))
    return CHECK_IN if unsure >= limits.decline_check_in else None


def _over_screen(
    scores: Dict[str, float], screen: Screened, decision: Decision, limits: Thresholds
) -> str | None:
    """The model's reading over the screen's safety intent, where it is sure of another."""
    category = decision.category
    other = decision.intent not in (None, CHECK_IN) and decision.intent != screen.intent
    bar = limits.matcher_override if screen.by_phrase else limits.decisive
    if other and category == "abuse":
        crisis_too = scores["crisis"] >= limits.decisive
        if not crisis_too or scores["abuse"] - scores["crisis"] >= limits.abuse_margin:
            return "safety_abuse"
    elif other and decision.score >= bar:
        if category in ("emergency", "crisis"):
            return decision.intent
        crisis_phrase = screen.by_phrase and screen.intent == "safety_crisis"
        if not crisis_phrase and max(scores["crisis"], scores["emergency"]) < limits.check_in:
            return "safety_active_use"
    if (
        not screen.by_phrase
        and screen.intent in ("safety_crisis", "safety_emergency")
        and max(scores.values(), default=0.0) < limits.classifier_veto
    ):
        return CHECK_IN
    return None


def crisis_first(
    intent: str | None,
    scores: Dict[str, float],
    limits: Thresholds,
    screen: Screened | None = None,
) -> Tuple[str | None, str | None]:
    """(the intent to set, the safety reply to give after it, or None).

    The crisis reply first, then the reply of what was read, for abuse with a
    crisis read beside it (`crisis_beside`), active use with a decisive crisis
    beside it ("make it stop" is said in a bad trip), and an emergency the model
    reads as a crisis more than as an emergency (overdose as a wish, not an event;
    never an emergency the screen's phrases found). A crisis with abuse read beside
    it (`abuse_beside`) gets the abuse reply after it.
    """
    crisis = scores.get("crisis", 0.0)
    if intent == "safety_abuse" and crisis >= limits.crisis_beside:
        return "safety_crisis", intent
    if intent == "safety_active_use" and crisis >= limits.decisive:
        return "safety_crisis", intent
    phrase = screen is not None and screen.by_phrase and screen.intent == "safety_emergency"
    if (
        intent == "safety_emergency"
        and not phrase
        and crisis >= max(limits.check_in, scores.get("emergency", 0.0) + EMERGENCY_MARGIN)
    ):
        return "safety_crisis", intent
    if intent == "safety_crisis" and scores.get("abuse", 0.0) >= limits.abuse_beside:
        return intent, "safety_abuse"
    return intent, None


#: How much surer of a crisis than of an emergency the model must be to put the crisis first.
EMERGENCY_MARGIN = 0.1
