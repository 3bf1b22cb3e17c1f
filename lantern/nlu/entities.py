"""Entity extractor: the vetted lexicon, matched deterministically with spaCy."""

from __future__ import annotations

from typing import Any, Dict, List

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message

from lantern.descriptions import descriptions, named_spans
from lantern.matching.lexicon import lexicon
from lantern.text import sentences

#: Entity key telling routing which mentions the question itself is about.
FOCUS = "focus"


def mark_focus(text: str, entities: List[Dict[str, Any]]) -> None:
    """Set `focus` on each substance and condition the question itself is about.

    A long message often tells a story first ("I tried ketamine last year. Now my
    doctor mentions psilocybin. Is it addictive?"). The question is the sentences
    ending in "?" (or else the last sentence). Substances named there are the
    focus; if none is, those of the latest earlier sentence that names one ("it").
    Conditions named in the question are the focus; if none is, every condition
    is (the story says what it is for: "I have PTSD. Could ketamine help?").
    A topic no answer covers (`gap`) is the focus only where the question names it
    ("I drink wine most nights. Is ketamine addictive?" asks about ketamine).
    A one-sentence message has every mention in focus.
    """
    spans = sentences(text)
    questions = [i for i, s in enumerate(spans) if s[2]] or [len(spans) - 1]

    def sentence_of(entity: Dict[str, Any]) -> int:
        for i, (start, end, _) in enumerate(spans):
            if start <= entity["start"] < end:
                return i
        return len(spans) - 1

    for label in ("substance", "condition", "gap"):
        mentions = [e for e in entities if e["entity"] == label]
        where = {id(e): sentence_of(e) for e in mentions}
        focus = {id(e) for e in mentions if where[id(e)] in questions}
        if not focus and mentions:
            if label == "substance":
                before = [i for i in where.values() if i <= max(questions)]
                latest = max(before or where.values())
                focus = {id(e) for e in mentions if where[id(e)] == latest}
            elif label == "condition":
                focus = set(where)
        for e in mentions:
            e[FOCUS] = id(e) in focus


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=False)
class LexiconEntityExtractor(GraphComponent, EntityExtractorMixin):
    """Adds `substance`, `condition` and `region` entities from `content/knowledge/lexicon.yml`.

    New synonyms are one line of data; no retraining of an entity model is needed.
    Where the lexicon names no value of a label in `description_labels`, a phrase
    that describes one ("the horse anesthetic") at `description_threshold` or more
    counts as a mention of it (lantern/descriptions.py; `described` in the entity).
    """

    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        """Descriptions are off unless config.yml names labels and a threshold."""
        return {"description_labels": [], "description_threshold": 1.0}

    def __init__(self, config: Dict[str, Any] | None = None) -> None:
        """Keep the description settings."""
        config = {**self.get_default_config(), **(config or {})}
        self.description_labels = list(config["description_labels"])
        self.description_threshold = float(config["description_threshold"])

    @classmethod
    def create(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> LexiconEntityExtractor:
        """Create the component (the lexicon itself is loaded lazily, once)."""
        return cls(config)

    def process(self, messages: List[Message]) -> List[Message]:
        """Append lexicon entities to each message."""
        for message in messages:
            text = message.get(TEXT)
            if not text:
                continue
            mentions = lexicon().find(text)
            found: List[Dict[str, Any]] = [
                {
                    "entity": m.label,
                    "value": m.value,
                    "start": m.start,
                    "end": m.end,
                    "confidence_entity": 1.0,
                }
                for m in mentions
            ]
            found += self.described(text, mentions)
            found.sort(key=lambda e: int(e["start"]))
            mark_focus(text, found)
            message.set(
                ENTITIES,
                message.get(ENTITIES, []) + self.add_extractor_name(found),
                add_to_output=True,
            )
        return messages

    def described(self, text: str, mentions: List[Any]) -> List[Dict[str, Any]]:
        """Entities for the values the message describes, where the lexicon named none."""
        named = {m.label for m in mentions}
        labels = [label for label in self.description_labels if label not in named]
        if not labels:
            return []
        doc = lexicon().doc(text)  # tokenized again only when a description is looked for
        return [
            {
                "entity": d.label,
                "value": d.value,
                "start": d.start,
                "end": d.end,
                "confidence_entity": round(d.score, 3),
                "described": True,
            }
            for d in descriptions().find(
                doc, labels, self.description_threshold, named_spans(mentions)
            )
        ]
