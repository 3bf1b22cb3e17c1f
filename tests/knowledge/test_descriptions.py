"""Substances found from what people say about them (issue 20, point 2).

The lexicon keeps short descriptions with each value (`descriptions` in
content/knowledge/lexicon.yml); `lantern.descriptions` reads a message's phrases by
meaning against them, and the entity extractor adds the value where the lexicon
named none. The threshold in config.yml was chosen on
eval/lexicon/descriptions_dev.yml; its precision and recall there are asserted.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, List, Tuple

import pytest
import yaml
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message

from actions.context import Context, next_step
from actions.knowledge_base import knowledge_base
from actions.routing import routing_table
from lantern.descriptions import MIN_WORDS, NOT_THESE, content_words, descriptions, named_spans
from lantern.matching.lexicon import lexicon
from lantern.nlu.entities import LexiconEntityExtractor

ROOT = Path(__file__).resolve().parents[2]
DEV_LIST = ROOT / "eval" / "lexicon" / "descriptions_dev.yml"


def _settings() -> Dict[str, Any]:
    pipeline = yaml.safe_load((ROOT / "config.yml").read_text())["pipeline"]
    (spec,) = [c for c in pipeline if c["name"].endswith("LexiconEntityExtractor")]
    return {k: v for k, v in spec.items() if k != "name"}


EXTRACTOR = LexiconEntityExtractor(_settings())


def found(text: str) -> List[Tuple[str, str, bool]]:
    """(label, value, described) of each substance the extractor finds in `text`."""
    message = Message({TEXT: text})
    EXTRACTOR.process([message])
    return [
        (e["entity"], e["value"], bool(e.get("described")))
        for e in message.get(ENTITIES)
        if e["entity"] == "substance"
    ]


def test_config_reads_descriptions_for_substances_at_a_measured_threshold() -> None:
    settings = _settings()
    assert settings["description_labels"] == ["substance"]
    assert 0.5 <= settings["description_threshold"] < 1.0


@pytest.mark.parametrize(
    ("text", "value"),
    [
        # the issue's own examples: form, maker, origin, effect
        ("how does the nose spray from Johnson & Johnson work?", "esketamine"),
        ("what is the Amazon brew people drink in ceremonies?", "ayahuasca"),
        ("is the party drug they test for PTSD safe?", "mdma"),
        ("is the horse anesthetic really a depression treatment?", "ketamine"),
        ("are trippy drugs addictive", "psychedelics"),
    ],
)
def test_a_described_substance_is_found(text: str, value: str) -> None:
    assert found(text) == [("substance", value, True)]


def test_the_mushroom_thing_is_the_lexicons_own_word() -> None:
    assert found("tell me about the mushroom thing") == [("substance", "psilocybin", False)]


@pytest.mark.parametrize(
    "text",
    [
        "my allergy nasal spray makes me sleepy",  # a look-alike (`none`)
        "I used to ride horses before my back injury",
        "how do I find a good clinic near me?",
        "what should I bring to my first session",
    ],
)
def test_ordinary_words_and_look_alikes_name_nothing(text: str) -> None:
    assert found(text) == []


def test_a_named_substance_wins_over_a_description() -> None:
    # "the horse anesthetic" is ketamine's description; the message names esketamine
    assert found("is spravato the horse anesthetic?") == [("substance", "esketamine", False)]


def test_descriptions_are_off_without_labels() -> None:
    message = Message({TEXT: "is the horse anesthetic addictive"})
    LexiconEntityExtractor({}).process([message])
    assert [e for e in message.get(ENTITIES) if e["entity"] == "substance"] == []


def test_a_described_substance_routes_like_a_named_one() -> None:
    message = Message({TEXT: "what are the side effects of the horse tranquilizer?"})
    EXTRACTOR.process([message])
    step = next_step(
        "ask_side_effects", message.get(ENTITIES), Context(), routing_table(), knowledge_base()
    )
    assert step.answer_id == "ketamine_side_effects"
    assert step.context.substance == "ketamine"


def test_each_description_is_data_about_what_a_thing_is() -> None:
    """Values are the lexicon's; a description names none of them and keeps two words.

    A word the lexicon matches is left out of the phrase ("for depression" says
    what a thing is for, "mushrooms" is found anyway): what is left must still
    say something.
    """
    entries = descriptions().entries
    assert set(entries) == {"substance"}
    assert set(entries["substance"]) - {NOT_THESE} == set(lexicon().entries["substance"])
    for label, values in entries.items():
        for value, phrases in values.items():
            for phrase in phrases:
                doc = lexicon().doc(phrase)
                mentions = lexicon().find(phrase, doc)
                assert not [m for m in mentions if m.label == label], (value, phrase)
                words = [w for clause in content_words(doc, named_spans(mentions)) for w in clause]
                assert len(words) >= MIN_WORDS, (value, phrase)


def test_precision_and_recall_on_the_dev_list_at_the_configured_threshold() -> None:
    """eval/lexicon/descriptions_dev.yml: 47 described substances, 41 messages naming none.

    At the threshold it was chosen at (docs/dialogue.md): no message naming none
    gets a value, none gets a wrong one, and at least 70% of the described ones
    are found (33 of 47 at 0.75).
    """
    examples = yaml.safe_load(DEV_LIST.read_text())["examples"]
    positives = [e for e in examples if e["substance"]]
    negatives = [e for e in examples if not e["substance"]]
    assert len(positives) >= 40 and len(negatives) >= 40
    for e in examples:  # the list is about descriptions: the lexicon names none of them
        assert not [m for m in lexicon().find(e["text"]) if m.label == "substance"], e["text"]
    got = {e["text"]: [v for _, v, _ in found(e["text"])] for e in examples}
    false = [e["text"] for e in negatives if got[e["text"]]]
    wrong = [e["text"] for e in positives if got[e["text"]] not in ([], [e["substance"]])]
    right = [e for e in positives if got[e["text"]] == [e["substance"]]]
    assert false == [] and wrong == []
    assert len(right) / len(positives) >= 0.7, f"recall {len(right)}/{len(positives)}"
