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
            message.set(
                ENTITIES,
                message.get(ENTITIES, []) + self.add_extractor_name(found),
                add_to_output=True,
            )
        return messages
