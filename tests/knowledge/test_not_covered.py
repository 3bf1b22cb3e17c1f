"""Questions the catalog does not cover (issue 20, point 5).

A question about a topic no reviewed answer covers yet (the lexicon's `gap`
values; `not_covered` in content/knowledge/routing.yml) gets the `not_covered` reply: it
says so kindly, names the care team, offers the nearest reviewed answers as
buttons and ends with the region's help line. Each is counted by topic for
content review (actions/gaps.py): the topic and the month, never the text.
"""

from __future__ import annotations

import stat
from pathlib import Path
from typing import Any, Dict, List

import pytest
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message

from actions import gaps
from actions.answer import NOT_COVERED_TEXT, ActionAnswer
from actions.context import Context, next_step
from actions.fallback import ActionDidYouMean
from actions.knowledge_base import knowledge_base
from actions.routing import routing_table
from lantern.matching.lexicon import lexicon
from lantern.nlg import response_variables
from lantern.nlu.entities import LexiconEntityExtractor
from tests.dialogue.test_actions import run, tracker
from tests.safety.test_help_floor import shows_numbers

TABLE = routing_table()
KB = knowledge_base()


def entities(text: str) -> List[Dict[str, Any]]:
    """The entity extractor's entities for `text` (focus marked)."""
    message = Message({TEXT: text})
    LexiconEntityExtractor({}).process([message])
    return list(message.get(ENTITIES))


def gaps_in(text: str) -> List[str]:
    return [m.value for m in lexicon().find(text) if m.label == "gap"]


@pytest.fixture(autouse=True)
def var_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Each test counts into its own var dir."""
    monkeypatch.setenv("LANTERN_VAR_DIR", str(tmp_path))
    return tmp_path


@pytest.mark.parametrize(
    ("text", "topic"),
    [
        ("can I drink alcohol after my infusion?", "alcohol"),
        ("is a glass of wine ok the night after?", "alcohol"),
        ("is ketamine safe while breastfeeding", "breastfeeding"),
        ("can I smoke weed after my treatment", "cannabis"),
        ("what is DMT?", "other_psychedelics"),
        ("is ibogaine used for addiction", "other_psychedelics"),
        ("is TMS better than ketamine", "other_treatments"),
    ],
)
def test_the_lexicon_knows_the_topics_no_answer_covers(text: str, topic: str) -> None:
    assert gaps_in(text) == [topic]


@pytest.mark.parametrize(
    "text",
    [
        "can I drink water before my session?",  # not "drink" alone
        "what questions should I ask a clinic before booking?",  # not a typo of "boozing"
        "my mother is in a nursing home",  # not "nursing" alone
        "can ketamine help me quit drinking",  # the condition, not the topic
        "psilocybin and other psychedelics",  # a value's name is not a phrase for topics
    ],
)
def test_ordinary_words_are_not_topics(text: str) -> None:
    assert gaps_in(text) == []


@pytest.mark.parametrize(
    ("intent", "text"),
    [
        ("ask_after_session", "can I drink alcohol after my infusion?"),
        ("ask_who_should_avoid", "is ketamine safe while breastfeeding"),
        ("ask_what_is", "what is DMT?"),  # would otherwise ask "which one?"
        ("inform_substance", "what about mescaline?"),
    ],
)
def test_a_question_on_such_a_topic_is_not_covered(intent: str, text: str) -> None:
    context = Context("ketamine", None, "ask_after_session")
    step = next_step(intent, entities(text), context, TABLE, KB, text)
    assert step.not_covered is not None and step.answer_id is None
    assert step.context == context  # the conversation stays where it was


def test_an_answer_that_covers_the_topic_is_given() -> None:
    # the psychedelics screening answer says pregnant or breastfeeding people are left out
    text = "should people who are breastfeeding avoid psilocybin?"
    step = next_step("ask_who_should_avoid", entities(text), Context(), TABLE, KB, text)
    assert step.answer_id == "who_should_avoid_psychedelics" and step.not_covered is None
    # alcohol as the addiction being treated
    text = "can ketamine help with alcohol cravings and drinking alcohol"
    step = next_step("ask_conditions", entities(text), Context(), TABLE, KB, text)
    assert step.answer_id == "ketamine_for_addiction"


def test_a_topic_only_in_the_story_before_the_question_does_not_count() -> None:
    text = "I drink wine most nights. Is ketamine addictive?"
    step = next_step("ask_addiction_risk", entities(text), Context(), TABLE, KB, text)
    assert step.answer_id == "ketamine_addiction_risk"


def test_every_topic_has_nearest_answers_and_a_lexicon_entry() -> None:
    TABLE.check(KB)
    assert set(TABLE.not_covered) == set(lexicon().entries["gap"])
    for gap in TABLE.not_covered.values():
        assert 1 <= len(gap.nearest) <= 4


def _not_covered_tracker(text: str, intent: str, region: str | None = None) -> Any:
    t = tracker(intent, entities(text), slots={"region": region} if region else None)
    t.latest_message["text"] = text
    return t


@pytest.mark.parametrize("region", ["us", "uk", "au"])
async def test_the_reply_is_kind_offers_the_nearest_answers_and_ends_with_the_help_line(
    region: str,
) -> None:
    text = "can I drink alcohol after my infusion?"
    messages, events = await run(
        ActionAnswer(), _not_covered_tracker(text, "ask_after_session", region)
    )
    (reply,) = messages
    assert reply["custom"] == {"answer_id": "not_covered"}
    assert reply["text"].startswith("I don't have a reviewed answer on that yet")
    assert "care team" in reply["text"]
    assert reply["text"] == f"{NOT_COVERED_TEXT} {response_variables(region)['help_floor']}"
    assert shows_numbers(reply["text"], region)
    assert [b["payload"] for b in reply["buttons"]] == [
        '/choose_topic{"topic":"after_session"}',
        '/choose_topic{"topic":"drug_interactions"}',
    ]
    assert events == []  # no answer given: context and last answer unchanged


async def test_an_unsure_message_on_such_a_topic_is_not_covered_too() -> None:
    text = "is TMS better than ketamine?"
    ranking = [
        {"name": "nlu_fallback", "confidence": 0.25},
        {"name": "ask_treatment_course", "confidence": 0.2},
        {"name": "ask_kap", "confidence": 0.19},
    ]
    t = tracker("nlu_fallback", entities(text), ranking=ranking)
    t.latest_message["text"] = text
    messages, _ = await run(ActionDidYouMean(), t)
    assert messages[0]["custom"]["answer_id"] == "not_covered"


async def test_gaps_are_counted_by_topic_and_month(var_dir: Path) -> None:
    for text, intent in [
        ("can I drink alcohol after my infusion?", "ask_after_session"),
        ("can I have a beer after my session", "ask_after_session"),
        ("what is DMT?", "ask_what_is"),
    ]:
        await run(ActionAnswer(), _not_covered_tracker(text, intent))
    counts = {topic: count for topic, _, count in gaps.summary()}
    assert counts == {"alcohol": 2, "other_psychedelics": 1}
    store = var_dir / gaps.FILE_NAME
    assert stat.S_IMODE(store.stat().st_mode) == 0o600


async def test_no_message_text_reaches_the_counts(var_dir: Path) -> None:
    """Only the topic, the month and a number are stored: no word of the message."""
    text = "Zebrafinch here: can I drink alcohol after my infusion on Tuesday?"
    await run(ActionAnswer(), _not_covered_tracker(text, "ask_after_session"))
    stored = b"".join(p.read_bytes() for p in var_dir.iterdir() if p.is_file())
    assert b"alcohol" in stored  # the topic is there...
    for word in ("zebrafinch", "infusion", "tuesday", "drink", "after"):  # ...the text is not
        assert word.encode() not in stored.lower(), word
    assert gaps.summary()[0][::2] == ("alcohol", 1)


async def test_a_failing_store_never_costs_the_reply(monkeypatch: pytest.MonkeyPatch) -> None:
    import sqlite3

    def broken(topic: str) -> None:
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(gaps, "record", broken)
    messages, _ = await run(ActionAnswer(), _not_covered_tracker("what is DMT?", "ask_what_is"))
    assert messages[0]["custom"]["answer_id"] == "not_covered"
