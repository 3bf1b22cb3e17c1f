"""Risk across turns: what the conversation before a message adds to its reading."""

from __future__ import annotations

from typing import Any, Dict, List

from rasa.shared.core.events import ActionExecuted, UserUttered
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from lantern.safety.conversation import History, history
from lantern.safety.risk_component import RiskStage


def user(text: str, risk: float = 0.0) -> UserUttered:
    return UserUttered(text, parse_data={"risk": {"crisis": risk, "outcome": None}})


def test_a_recent_safety_reply_and_earlier_risk_make_the_stage_watchful() -> None:
    calm = history([user("hi"), ActionExecuted("utter_greet"), ActionExecuted("action_listen")])
    assert not calm.watchful and calm.previous_text == "hi"
    after_help = history([user("x", 0.9), ActionExecuted("utter_safety_crisis"), user("ok")])
    assert after_help.watchful and after_help.safety_reply_recently
    cues = history([user("nothing works", 0.2), ActionExecuted("action_answer"), user("hm")])
    assert cues.watchful  # a cue below the check-in still counts in the conversation


def test_old_cues_fade() -> None:
    events: List[Any] = [user("nothing works", 0.16)]
    for _ in range(2):
        events += [ActionExecuted("action_answer"), user("is it addictive?")]
    assert not history(events).watchful  # 0.16 * 0.8 * 0.8 < 0.15


def test_button_payloads_are_not_a_previous_text() -> None:
    assert history([user("/deny_risk")]).previous_text is None


class Scripted:
    """A model whose reading depends on the text: risk only where the words say so."""

    def __init__(self, risky: Dict[str, float]) -> None:
        self.risky = risky

    def assess(
        self, text: str, weight: float = 1.0, floor: float = 0.0, cap: float = 0.0
    ) -> Dict[str, float]:
        score = max((v for k, v in self.risky.items() if k in text), default=0.0)
        return {"crisis": 0.0, "emergency": 0.0, "active_use": score, "abuse": 0.0}


def read(model: Scripted, text: str, before: History, intent: str = "inform") -> Message:
    message = Message(data={TEXT: text})
    message.set(INTENT, {"name": intent, "confidence": 0.9})
    message.set(INTENT_RANKING_KEY, [{"name": intent, "confidence": 0.9}])
    stage = RiskStage({}, None, None, model)  # type: ignore[arg-type]
    stage._read(message, before)
    return message


def test_a_short_follow_up_is_read_with_the_message_before() -> None:
    model = Scripted({"bad trip": 0.1, "bad trip like on shrooms? that's me": 0.8})
    before = History(previous_text="what is a bad trip like on shrooms?", previous_risk=0.1)
    assert read(model, "that's me", before).get(INTENT)["name"] == "safety_active_use"
    # alone, the same words are nothing
    assert read(model, "that's me", History()).get(INTENT)["name"] == "inform"


def test_a_follow_up_adding_nothing_is_not_read_as_risk_again() -> None:
    model = Scripted({"i'm tripping": 0.9})
    before = History(previous_text="i'm tripping and scared", previous_risk=0.9)
    assert read(model, "thanks", before).get(INTENT)["name"] == "inform"


def test_not_suicidal_is_an_answer_to_a_safety_reply_only() -> None:
    model = Scripted({})
    fresh = read(model, "I'm not suicidal", History(), intent="deny_crisis")
    assert fresh.get(INTENT)["name"] == "out_of_scope"
    answered = read(model, "I'm not suicidal", History(safety_reply_recently=True), "deny_crisis")
    assert answered.get(INTENT)["name"] == "deny_crisis"


def test_the_stage_is_given_the_conversation_by_rasa() -> None:
    """The recipe wires Rasa's tracker into a `process` argument named `tracker`."""
    import inspect

    assert "tracker" in inspect.signature(RiskStage.process).parameters


def test_inside_the_intake_an_answer_is_read_alone_and_only_a_decisive_reading_counts() -> None:
    model = Scripted({"nearly every day": 0.5, "i want to die": 0.9})
    before = History(previous_text="what is a bad trip like", previous_risk=0.5)
    stage = RiskStage({}, None, None, model)  # type: ignore[arg-type]
    for text, expected in [("nearly every day", "inform"), ("i want to die", "safety_active_use")]:
        message = Message(data={TEXT: text})
        message.set(INTENT, {"name": "inform", "confidence": 0.9})
        message.set(INTENT_RANKING_KEY, [{"name": "inform", "confidence": 0.9}])
        stage._read(message, before, in_form=True)
        assert message.get(INTENT)["name"] == expected, text


class Unsure(Scripted):
    """An unsure crisis reading of everything."""

    def assess(
        self, text: str, weight: float = 1.0, floor: float = 0.0, cap: float = 0.0
    ) -> Dict[str, float]:
        return {"crisis": 0.4, "emergency": 0.0, "active_use": 0.0, "abuse": 0.0}


def test_a_stock_reply_is_not_checked_in_on() -> None:
    model = Unsure({})
    assert read(model, "no", History(), intent="deny").get(INTENT)["name"] == "deny"
    # a longer message with the same reading still gets the check-in
    longer = read(model, "no i am not ok at all", History(), intent="deny")
    assert longer.get(INTENT)["name"] == "safety_check_in"


class Alarmed(Scripted):
    """A decisive crisis reading of everything (as a lone "no" once read)."""

    def assess(
        self, text: str, weight: float = 1.0, floor: float = 0.0, cap: float = 0.0
    ) -> Dict[str, float]:
        return {"crisis": 0.9, "emergency": 0.0, "active_use": 0.0, "abuse": 0.0}


def test_the_models_reading_of_a_stock_reply_alone_decides_nothing() -> None:
    # inside the intake or anywhere: "No" answers a question, it states no risk
    assert read(Alarmed({}), "No", History(), intent="deny").get(INTENT)["name"] == "deny"
    longer = read(Alarmed({}), "no. i want to die", History(), intent="deny")
    assert longer.get(INTENT)["name"] == "safety_crisis"
