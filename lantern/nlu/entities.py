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

from lantern.lexicon import lexicon
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
    A one-sentence message has every mention in focus.
    """
    spans = sentences(text)
    questions = [i for i, s in enumerate(spans) if s[2]] or [len(spans) - 1]

    def sentence_of(entity: Dict[str, Any]) -> int:
        for i, (start, end, _) in enumerate(spans):
            if start <= entity["start"] < end:
                return i
        return len(spans) - 1

    for label in ("substance", "condition"):
        mentions = [e for e in entities if e["entity"] == label]
        where = {id(e): sentence_of(e) for e in mentions}
        focus = {id(e) for e in mentions if where[id(e)] in questions}
        if not focus and mentions:
            if label == "substance":
                before = [i for i in where.values() if i <= max(questions)]
                latest = max(before or where.values())
                focus = {id(e) for e in mentions if where[id(e)] == latest}
            else:
                focus = set(where)
        for e in mentions:
            e[FOCUS] = id(e) in focus


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=False)
class LexiconEntityExtractor(GraphComponent, EntityExtractorMixin):
    """Adds `substance`, `condition` and `region` entities from `knowledge/lexicon.yml`.

    New synonyms are one line of data; no retraining of an entity model is needed.
    """

    @classmethod
    def create(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> LexiconEntityExtractor:
        """Create the component (the lexicon itself is loaded lazily, once)."""
        return cls()

    def process(self, messages: List[Message]) -> List[Message]:
        """Append lexicon entities to each message."""
        for message in messages:
            text = message.get(TEXT)
            if not text:
                continue
            found = [
                {
                    "entity": m.label,
                    "value": m.value,
                    "start": m.start,
                    "end": m.end,
                    "confidence_entity": 1.0,
                }
                for m in lexicon().find(text)
            ]
            mark_focus(text, found)
            message.set(
                ENTITIES,
                message.get(ENTITIES, []) + self.add_extractor_name(found),
                add_to_output=True,
            )
        return messages
