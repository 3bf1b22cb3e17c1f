"""action_answer and action_did_you_mean with real Trackers and a CollectingDispatcher."""

from __future__ import annotations

from typing import Any, Dict, List

import pytest
from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.answer import ActionAnswer
from actions.fallback import ActionDidYouMean
from actions.knowledge_base import knowledge_base


def tracker(
    intent: str,
    entities: List[Dict[str, Any]] | None = None,
    slots: Dict[str, Any] | None = None,
    ranking: List[Dict[str, Any]] | None = None,
    channel: str = "rest",
    events: List[Dict[str, Any]] | None = None,
) -> Tracker:
    latest = {
        "text": "question",
        "intent": {"name": intent, "confidence": 0.9},
        "intent_ranking": ranking or [{"name": intent, "confidence": 0.9}],
        "entities": entities or [],
    }
    user_event = {
        "event": "user",
        "text": "question",
        "parse_data": latest,
        "input_channel": channel,
    }
    return Tracker(
        "conversation",
        slots or {},
        latest,
        [*(events or []), user_event],
        False,
        None,
        {},
        channel,
    )


def entity(name: str, value: str) -> Dict[str, Any]:
    return {"entity": name, "value": value}


def slots_of(events: List[Dict[str, Any]]) -> Dict[str, Any]:
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}


async def run(action: Any, t: Tracker) -> tuple:
    dispatcher = CollectingDispatcher()
    events = await action.run(dispatcher, t, {})
    return dispatcher.messages, events


async def test_answer_sends_text_consult_buttons_and_payload() -> None:
    messages, events = await run(
        ActionAnswer(), tracker("ask_addiction_risk", [entity("substance", "ketamine")])
    )
    answer = knowledge_base()["ketamine_addiction_risk"]
    assert messages[0]["text"] == answer.answer
    payload = messages[0]["custom"]
    assert payload["answer_id"] == "ketamine_addiction_risk"
    assert payload["title"] == answer.title
    assert payload["sources"] and all(s["title"] and s["url"] for s in payload["sources"])
    assert payload["reviewed"]["date"] == answer.reviewed_on.isoformat()
    assert payload["related"] == list(answer.related)
    assert messages[1]["text"] == answer.consult
    assert [b["payload"] for b in messages[2]["buttons"]] == [
        f'/choose_topic{{"topic":"{r}"}}' for r in answer.related
    ]
    assert SlotSet("substance", "ketamine") in events
    assert SlotSet("last_answer", "ketamine_addiction_risk") in events


async def test_pronoun_question_uses_the_substance_in_context() -> None:
    t = tracker("ask_side_effects", slots={"substance": "ketamine", "question_type": "ask_what_is"})
    messages, _ = await run(ActionAnswer(), t)
    assert messages[0]["custom"]["answer_id"] == "ketamine_side_effects"


async def test_what_about_switches_substance_and_keeps_question_type() -> None:
    t = tracker(
        "inform_substance",
        [entity("substance", "psilocybin")],
        slots={"substance": "ketamine", "question_type": "ask_legal_status"},
    )
    messages, events = await run(ActionAnswer(), t)
    assert messages[0]["custom"]["answer_id"] == "psychedelic_legal_status"
    assert slots_of(events)["substance"] == "psilocybin"


async def test_question_without_substance_or_context_asks_which_one() -> None:
    messages, events = await run(ActionAnswer(), tracker("ask_side_effects"))
    assert messages[0]["custom"]["answer_id"] == "clarify_substance"
    assert "Which one" in messages[0]["text"]
    payloads = [b["payload"] for b in messages[0]["buttons"]]
    assert '/inform_substance{"substance":"ketamine"}' in payloads
    assert slots_of(events)["question_type"] == "ask_side_effects"


async def test_topic_button_opens_that_answer() -> None:
    messages, events = await run(
        ActionAnswer(), tracker("choose_topic", [entity("topic", "esketamine_spravato")])
    )
    assert messages[0]["custom"]["answer_id"] == "esketamine_spravato"
    assert slots_of(events)["substance"] == "esketamine"


async def test_unknown_topic_gets_out_of_scope() -> None:
    messages, _ = await run(ActionAnswer(), tracker("choose_topic", [entity("topic", "nope")]))
    assert len(messages) == 1 and messages[0]["response"] == "utter_out_of_scope"


async def test_get_help_button_follows_every_answer_after_a_crisis() -> None:
    t = tracker("ask_what_is", [entity("substance", "lsd")], slots={"crisis_shown": True})
    messages, _ = await run(ActionAnswer(), t)
    assert {"title": "Get help now", "payload": "/get_help"} in messages[2]["buttons"]
    t = tracker("ask_what_is", [entity("substance", "lsd")])
    messages, _ = await run(ActionAnswer(), t)
    assert all(b["payload"] != "/get_help" for b in messages[2]["buttons"])


@pytest.mark.parametrize(
    ("channel", "flag", "shown"),
    [
        ("cmdline", "1", True),
        ("cmdline", "0", False),
        ("rest", "1", False),
        ("socketio", "1", False),
    ],
)
async def test_answer_id_is_shown_only_to_reviewers_in_the_shell(
    monkeypatch: pytest.MonkeyPatch, channel: str, flag: str, shown: bool
) -> None:
    monkeypatch.setenv("LANTERN_REVIEWER_MODE", flag)
    t = tracker("ask_what_is", [entity("substance", "mdma")], channel=channel)
    messages, _ = await run(ActionAnswer(), t)
    texts = " ".join(m.get("text") or "" for m in messages)
    assert ("answer_id=mdma" in texts) is shown


async def test_did_you_mean_offers_the_top_two_answers() -> None:
    ranking = [
        {"name": "nlu_fallback", "confidence": 0.3},
        {"name": "ask_side_effects", "confidence": 0.2},
        {"name": "ask_addiction_risk", "confidence": 0.15},
    ]
    t = tracker("nlu_fallback", [entity("substance", "ketamine")], ranking=ranking)
    messages, _ = await run(ActionDidYouMean(), t)
    assert messages[0]["custom"] == {
        "answer_id": "did_you_mean",
        "candidates": ["ketamine_side_effects", "ketamine_addiction_risk"],
    }
    assert messages[0]["buttons"][-1]["payload"] == "/out_of_scope"


async def test_second_low_confidence_turn_falls_back_to_out_of_scope() -> None:
    ranking = [{"name": "ask_side_effects", "confidence": 0.2}]
    earlier = [
        {"event": "bot", "text": "Did you mean", "data": {"custom": {"answer_id": "did_you_mean"}}}
    ]
    t = tracker("nlu_fallback", [entity("substance", "ketamine")], ranking=ranking, events=earlier)
    messages, _ = await run(ActionDidYouMean(), t)
    assert messages[0]["response"] == "utter_out_of_scope"


def test_the_most_specific_condition_decides() -> None:
    from actions.context import first_entity

    found = [entity("condition", "chronic_pain"), entity("condition", "phantom_limb_pain")]
    assert first_entity(found, "condition") == "phantom_limb_pain"
    assert first_entity([entity("condition", "anxiety")], "condition") == "anxiety"
    assert first_entity([], "condition") is None


async def test_feedback_is_recorded_for_the_last_answer(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Any
) -> None:
    from actions import feedback
    from actions.feedback import ActionRecordFeedback

    monkeypatch.setenv("LANTERN_VAR_DIR", str(tmp_path))
    t = tracker("feedback_not_helpful", slots={"last_answer": "microdosing"})
    messages, _ = await run(ActionRecordFeedback(), t)
    await run(ActionRecordFeedback(), tracker("feedback_helpful", slots={"last_answer": "lsd"}))
    assert messages[0]["response"] == "utter_feedback_thanks"
    assert sorted(feedback.summary()) == [("lsd", 1, 0), ("microdosing", 0, 1)]


async def test_after_the_crisis_reply_the_reply_read_beside_it_follows() -> None:
    """The risk stage put the crisis reply first over abuse; the abuse reply comes next."""
    from actions.answer import ActionAnswerAfterSafety

    state = tracker("safety_crisis")
    state.latest_message["text"] = "he hits me and the only way out is not being here"
    state.latest_message["risk"] = {"crisis": 0.3, "abuse": 0.8, "also": "safety_abuse"}
    messages, _ = await run(ActionAnswerAfterSafety(), state)
    assert [m.get("response") for m in messages] == ["utter_safety_abuse"]

    state.latest_message["risk"] = {"crisis": 0.9, "also": None}
    messages, _ = await run(ActionAnswerAfterSafety(), state)
    assert messages == []
