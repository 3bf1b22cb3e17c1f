"""The screen as a Rasa NLU component: when the classifier's own safety guess may stand."""

from __future__ import annotations

from typing import Any, Dict

from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from lantern.safety.component import SafetyScreen


def _processed(text: str, guess: str, confidence: float) -> Dict[str, Any]:
    ranking = [
        {"name": guess, "confidence": confidence},
        {"name": "ask_screening", "confidence": 1 - confidence},
    ]
    message = Message(data={TEXT: text, INTENT: ranking[0], INTENT_RANKING_KEY: ranking})
    SafetyScreen({}).process([message])
    return {"intent": message.get(INTENT)["name"], "safety": message.get("safety")}


def test_a_sure_classifier_guess_of_a_crisis_stands_without_a_phrase() -> None:
    out = _processed("everything feels pointless and heavy", "safety_crisis", 0.95)
    assert out == {
        "intent": "safety_crisis",
        "safety": {"category": "safety_crisis", "source": "classifier"},
    }


def test_the_classifier_alone_may_not_assert_a_crisis_told_as_over() -> None:
    text = "I attempted suicide when I was 19. I'm 34 now and doing well. Will the intake ask?"
    out = _processed(text, "safety_crisis", 0.95)
    assert out["intent"] == "ask_screening" and out["safety"]["category"] is None
    # the same words without the statement that it is over are a crisis, by phrase
    text = "I attempted suicide when I was 19. Will the intake ask?"
    out = _processed(text, "ask_screening", 0.9)
    assert out["safety"] == {"category": "safety_crisis", "source": "matcher"}
