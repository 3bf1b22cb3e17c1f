"""Exact commands ("stop", "go back", "continue", "start my intake") as intents.

Inside the intake form a misread "stop" would delete a patient's answers, so the
intake commands are decided here, deterministically, from the exact words (after
lower-casing and dropping punctuation). The classifier may only suggest
`intake_start`; a classifier guess of `intake_stop`, `intake_back` or
`intake_continue` for any other text is replaced by its next-best intent.
Placed after the FallbackClassifier and before the safety screen, which still
overrides everything.
"""

from __future__ import annotations

import re
from typing import Any, Dict, List

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

COMMANDS: Dict[str, frozenset] = {
    "intake_start": frozenset(
        {
            "start my intake",
            "start intake",
            "start the intake",
            "intake",
            "check in",
            "check me in",
            "i want to check in",
            "do my intake",
            "i want to do my intake",
            "fill in my intake",
            "fill out my intake",
        }
    ),
    "intake_stop": frozenset(
        {
            "stop",
            "cancel",
            "quit",
            "exit",
            "stop intake",
            "stop the intake",
            "cancel intake",
            "cancel the intake",
            "stop and delete",
            "stop and delete my answers",
            "delete my answers",
            "i want to stop",
            "stop here",
        }
    ),
    "intake_back": frozenset(
        {
            "back",
            "go back",
            "previous",
            "previous question",
            "undo",
            "change my last answer",
            "change my answer",
            "i want to change my answer",
        }
    ),
    "intake_continue": frozenset(
        {
            "continue",
            "continue my intake",
            "continue the intake",
            "go on",
            "keep going",
            "carry on",
            "resume",
            "resume my intake",
        }
    ),
}
#: Intents only this component may set.
EXACT_ONLY = frozenset({"intake_stop", "intake_back", "intake_continue"})
_PUNCTUATION = re.compile(r"[^\w\s']+")


def normalise(text: str) -> str:
    """Lower-case, straight apostrophes, no punctuation, single spaces."""
    text = text.replace("\u2019", "'").lower()
    return " ".join(_PUNCTUATION.sub(" ", text).split())


def command(text: str) -> str | None:
    """The command intent these exact words mean, if any."""
    words = normalise(text)
    for intent, phrases in COMMANDS.items():
        if words in phrases:
            return intent
    return None


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class CommandIntents(GraphComponent):
    """Sets the intent of exact commands; keeps the classifier from guessing them."""

    @classmethod
    def create(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> CommandIntents:
        """Create the component."""
        return cls()

    def process(self, messages: List[Message]) -> List[Message]:
        """Set or correct the intent of each message."""
        for message in messages:
            text = message.get(TEXT)
            if not isinstance(text, str):
                continue
            ranking = list(message.get(INTENT_RANKING_KEY) or [])
            exact = command(text)
            if exact:
                top = {"name": exact, "confidence": 1.0}
                ranking = [top, *(r for r in ranking if r.get("name") != exact)]
            else:
                ranking = [r for r in ranking if r.get("name") not in EXACT_ONLY]
                current = (message.get(INTENT) or {}).get("name")
                if current not in EXACT_ONLY:
                    continue
                top = ranking[0] if ranking else {"name": "out_of_scope", "confidence": 0.0}
            message.set(INTENT, top, add_to_output=True)
            message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)
        return messages
