"""The safety screen as a Rasa NLU component: it runs on every message, after the classifier."""

from __future__ import annotations

from typing import Any, Dict, List

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from lantern.safety.screen import CATEGORIES, URGENT, screen

#: The intents the screen decides (the same names the trained classifier uses).
SAFETY_INTENTS = frozenset(CATEGORIES)


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class SafetyScreen(GraphComponent):
    """Overrides the predicted intent when the deterministic screen fires.

    The trained classifier is the second net: a safety intent it predicts stands
    when it is confident (>= `classifier_threshold`, or >= `cue_threshold` where
    the screen saw a safety word it did not act on), unless the screen found the
    safety words negated ("I'm not suicidal") or, for crisis and emergency, a
    known figure of speech ("felt like I died", "dying to know") or a risk the
    message tells as over ("years ago ..., I'm well now"). Weaker safety
    guesses are demoted to the best non-safety intent.
    Placed last, after the FallbackClassifier, so a safety decision is never
    turned into "unsure"; the second net reads the classifier's own ranking.
    """

    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        """Defaults: how confident the classifier must be to act on its own."""
        return {"classifier_threshold": 0.8, "cue_threshold": 0.5}

    def __init__(self, config: Dict[str, Any]) -> None:
        """Store the config."""
        self.threshold = float(config.get("classifier_threshold", 0.8))
        self.cue_threshold = float(config.get("cue_threshold", 0.5))

    @classmethod
    def create(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> SafetyScreen:
        """Create the component."""
        return cls(config)

    def process(self, messages: List[Message]) -> List[Message]:
        """Screen each message and override its intent when needed."""
        for message in messages:
            text = message.get(TEXT)
            if not isinstance(text, str):
                continue
            decision = screen(text)
            ranking = [
                r for r in message.get(INTENT_RANKING_KEY) or [] if r.get("name") != "nlu_fallback"
            ]
            top = ranking[0] if ranking else (message.get(INTENT) or {})
            predicted = top.get("name")
            confidence = float(top.get("confidence") or 0.0)
            source = None
            category = decision.category
            if category:
                source = "matcher"
            elif (
                predicted in SAFETY_INTENTS
                and not decision.negated
                # a figure of speech, a risk told as over or about people in
                # general: the risk model reads it
                and not ((decision.benign or decision.elsewhere) and predicted in URGENT)
            ):
                needed = self.cue_threshold if decision.cue else self.threshold
                if confidence >= needed:
                    category, source = predicted, "classifier"
            current = (message.get(INTENT) or {}).get("name")
            if category:
                set_intent(message, category, 1.0 if source == "matcher" else confidence)
            elif current in SAFETY_INTENTS:
                self._demote(message, current)
            message.set("safety", {"category": category, "source": source}, add_to_output=True)
        return messages

    @staticmethod
    def _demote(message: Message, name: str) -> None:
        """Replace an unconfirmed safety prediction with the next non-safety intent."""
        ranking = [r for r in message.get(INTENT_RANKING_KEY) or [] if r.get("name") != name]
        ranking = [r for r in ranking if r.get("name") not in SAFETY_INTENTS] or [
            {"name": "out_of_scope", "confidence": 0.0}
        ]
        set_ranking(message, ranking)


def set_ranking(message: Message, ranking: List[Dict[str, Any]]) -> None:
    """Make `ranking` the message's intent ranking, its first reading the intent."""
    message.set(INTENT, ranking[0], add_to_output=True)
    message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)


def set_intent(message: Message, name: str, confidence: float) -> None:
    """Put `name` on top of the message's ranking (the readings below it are kept)."""
    ranking = [r for r in message.get(INTENT_RANKING_KEY) or [] if r.get("name") != name]
    set_ranking(message, [{"name": name, "confidence": float(confidence)}, *ranking])
