"""The risk stage as a Rasa NLU component: last in the pipeline, so no other intent wins over risk.

It trains the risk model (`lantern.safety.risk`) on the safety corpus
(`corpus/safety/`) and on the NLU training data (safety intents as their
category, every other intent as "no risk"), and on every message:

- keeps a safety decision of the deterministic screen before it (the floor:
  everything the screen catches stays caught), under the name the model is sure
  of where the two disagree (`lantern.safety.arbitration`);
- otherwise sets the safety intent when the model is sure (>= `decisive`), the
  check-in intent when it is unsure (>= `check_in`), and leaves the intent alone
  below that. The original ranking stays below, so the check-in's "No, I was
  asking for information" can answer the question;
- on a safety reading, sets the `language` entity (en or es), so the reply comes
  in the patient's language (the Spanish floor).
"""

from __future__ import annotations

import pickle
from pathlib import Path
from typing import Any, Dict, List, Tuple

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import ENTITIES, INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from lantern.language import language_of
from lantern.paths import ROOT
from lantern.safety.arbitration import (
    SAFETY_INTENTS,
    Screened,
    Thresholds,
    arbitrate,
    crisis_first,
)
from lantern.safety.component import set_intent, set_ranking
from lantern.safety.conversation import History, history, is_short
from lantern.safety.risk import RiskModel, corpus_fingerprint, labelled, read_corpus
from lantern.safety.screen import screen

#: Replies whose words are a stock answer ("no", "yes", "thanks", "stop"): the model's
#: reading of one or two such words alone counts for nothing ("no" is in many crisis
#: texts); read with the message before them they may still count, decisively only.
STOCK_REPLIES = frozenset(
    {"affirm", "deny", "greet", "goodbye", "thank", "intake_stop", "intake_back", "intake_continue"}
)
#: A short follow-up read with the message before it counts when the two together
#: read at least this much riskier than that message alone.
FOLLOW_UP_GAIN = 0.15
#: ...and is read together only when either already shows a trace of risk (most
#: follow-ups are ordinary questions: this saves a second reading).
FOLLOW_UP_CUE = 0.05


def corpus_folders(config: Dict[str, Any]) -> List[Path]:
    """The folders the risk model learns from: `corpus`, then the `dev_sets`."""
    named = [config.get("corpus", "corpus/safety"), *(config.get("dev_sets") or [])]
    return [ROOT / str(folder) for folder in named]


def read_training(config: Dict[str, Any]) -> Tuple[List[str], List[str]]:
    """The corpus's texts and labels, then the risk texts of the used evaluation sets.

    `dev_sets` are evaluation sets already scored (eval/manifest.yml: never a blind
    one). Only their risk texts are learned: their benign texts were written as
    hard cases for a set's precision, and learning them weakened short present
    statements ("I've been having dark thoughts.") for no gain on the sets measured.
    """
    corpus, *dev_sets = corpus_folders(config)
    texts, labels = read_corpus(corpus)
    for folder in dev_sets:
        for text, label in zip(*read_corpus(folder), strict=True):
            if label != "none":
                texts.append(text)
                labels.append(label)
    return texts, labels


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class RiskStage(GraphComponent):
    """Reads each message for risk and sets a safety intent or the check-in."""

    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        """Thresholds on the highest risk score, and where the corpus is."""
        return {
            "decisive": 0.6,
            "check_in": 0.3,
            "over_decline": 0.9,
            "matcher_override": 0.85,
            "decline_override": 0.97,
            "decline_check_in": None,
            "negated_cap": 0.0,
            "abuse_margin": 0.15,
            "crisis_beside": 0.45,
            "abuse_beside": 0.3,
            "classifier_veto": 0.1,
            "watchful_drop": 0.1,
            "sentence_weight": 0.75,
            "sentence_floor": 0.0,
            "check_in_es": 0.2,
            "corpus": "corpus/safety",
            "dev_sets": [],
            "random_state": 42,
        }

    @classmethod
    def fingerprint_addon(cls, config: Dict[str, Any]) -> str | None:
        """The corpus is read from files, so its content is part of the fingerprint."""
        return "-".join(corpus_fingerprint(folder) for folder in corpus_folders(config))

    def __init__(
        self,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        model: RiskModel | None = None,
    ) -> None:
        """Store the config and the trained model (if any)."""
        self.config = {**self.get_default_config(), **config}
        self._storage, self._resource = model_storage, resource
        self.model = model

    @classmethod
    def create(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> RiskStage:
        """An untrained stage."""
        return cls(config, model_storage, resource)

    def train(self, training_data: TrainingData) -> Resource:
        """Fit on the corpus and the NLU examples; persist."""
        texts, labels = read_training(self.config)
        nlu_texts, nlu_labels = labelled(
            (str(m.get(TEXT)), str(m.get(INTENT)))
            for m in training_data.intent_examples
            if m.get(TEXT)
        )
        self.model = RiskModel(int(self.config["random_state"])).fit(
            texts + nlu_texts, labels + nlu_labels
        )
        with self._storage.write_to(self._resource) as directory:
            (Path(directory) / "risk.pkl").write_bytes(pickle.dumps(self.model))
        return self._resource

    @classmethod
    def load(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> RiskStage:
        """The trained stage (untrained if nothing was persisted)."""
        try:
            with model_storage.read_from(resource) as directory:
                model = pickle.loads((Path(directory) / "risk.pkl").read_bytes())  # noqa: S301
        except (ValueError, FileNotFoundError):
            model = None
        if model is not None:  # load the sentence vectors and language models now, not
            model.assess("warm up")  # on a patient's first message
            language_of("hola, buenos días")
        stage = cls(config, model_storage, resource, model)
        global _LOADED  # noqa: PLW0603 - the server's one loaded stage, for read_alone()
        _LOADED = stage
        return stage

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        """Nothing to add to the training data."""
        return training_data

    def process(
        self, messages: List[Message], tracker: DialogueStateTracker | None = None
    ) -> List[Message]:
        """Read each message (with the conversation before it); set a safety intent or the check-in.

        Rasa hands the conversation's tracker to this step (a `tracker` argument);
        without one (a bare NLU parse) each message is read alone.
        """
        before = history(tracker.events) if tracker is not None else History()
        in_form = tracker is not None and tracker.active_loop_name is not None
        for message in messages:
            self._read(message, before, in_form)
        return messages

    def _read(self, message: Message, before: History, in_form: bool = False) -> None:
        """Set the intent for one message.

        Inside a form (the intake) the message answers the form's question ("7",
        "nearly every day"): it is read alone and only a decisive reading counts
        (the intake's own item 9 handling covers self-harm answers); no check-in.
        """
        text = message.get(TEXT)
        if self.model is None or not isinstance(text, str) or not text.strip():
            return
        if text.startswith("/"):  # a button payload: the patient chose already
            return
        weight = float(self.config["sentence_weight"])
        floor = float(self.config["sentence_floor"])
        cap = float(self.config["negated_cap"])
        scores = self.model.assess(text, weight, floor, cap)
        stock = _stock_reply(message, text)
        if stock:  # "no", "thanks": one or two stock words say nothing of risk alone
            scores = dict.fromkeys(scores, 0.0)  # (read with the turn before, below, they may)
        if (
            before.previous_text
            and is_short(text)
            and not in_form
            and max(before.previous_risk, *scores.values()) >= FOLLOW_UP_CUE
        ):
            together = self.model.assess(
                f"{before.previous_text[-300:]} {text}", weight, floor, cap
            )
            for category, score in together.items():
                if score - before.previous_risk >= FOLLOW_UP_GAIN:
                    scores[category] = max(scores[category], score)
        decisive, check_in = float(self.config["decisive"]), float(self.config["check_in"])
        if before.watchful and not in_form:
            decisive -= float(self.config["watchful_drop"])
            check_in -= float(self.config["watchful_drop"])
        language = language_of(text)
        if language == "es":  # far fewer Spanish examples: ask sooner
            check_in = min(check_in, float(self.config["check_in_es"]))
        if in_form or stock:
            check_in = decisive
        current = (message.get(INTENT) or {}).get("name")
        screen = message.get("safety") or {}
        limits = Thresholds(
            decisive,
            check_in,
            over_decline=float(self.config["over_decline"]),
            matcher_override=float(self.config["matcher_override"]),
            decline_override=float(self.config["decline_override"]),
            decline_check_in=_optional(self.config["decline_check_in"]),
            abuse_margin=float(self.config["abuse_margin"]),
            classifier_veto=float(self.config["classifier_veto"]),
            crisis_beside=decisive if in_form else float(self.config["crisis_beside"]),
            abuse_beside=decisive if in_form else float(self.config["abuse_beside"]),
        )
        screened = Screened(screen.get("category"), screen.get("source") == "matcher")
        chosen = arbitrate(scores, current, screened, limits)
        first, also = crisis_first(chosen or current, scores, limits, screened)
        if first != (chosen or current):
            chosen = first
        if chosen is not None:
            set_intent(message, chosen, max(scores.values(), default=0.0))
        elif current == "deny_crisis" and not before.safety_reply_recently:
            _demote(message, "deny_crisis")  # "I'm not suicidal" answers a safety reply only
        final = (message.get(INTENT) or {}).get("name")
        if final in SAFETY_INTENTS:
            _set_language(message, language)
        message.set(
            "risk",
            {k: round(v, 3) for k, v in scores.items()}
            | {"outcome": chosen, "before": current, "language": language, "also": also},
            add_to_output=True,
        )


#: The stage the server loaded last (a Rasa server loads one model).
_LOADED: RiskStage | None = None


def read_alone(text: str) -> str | None:
    """The safety intent (or the check-in) a message needs, read without the rest of Rasa.

    For a turn Rasa could not finish (the input guard's rescue) and for the risky
    sentences of an over-long message: the screen's reading, then the loaded risk
    stage's, with its thresholds, as if the message came alone. Without a loaded
    stage (a bare process) the screen alone decides.
    """
    verdict = screen(text)
    message = Message({TEXT: text})
    if verdict.category:
        set_intent(message, verdict.category, 1.0)
    source = "matcher" if verdict.category else None
    message.set("safety", {"category": verdict.category, "source": source})
    if _LOADED is not None:
        _LOADED._read(message, History())
    name = (message.get(INTENT) or {}).get("name")
    return name if name in SAFETY_INTENTS else None


def _set_language(message: Message, language: str) -> None:
    """The `language` entity (and so slot): the safety replies have a Spanish variation."""
    entities = [e for e in message.get(ENTITIES) or [] if e.get("entity") != "language"]
    entities.append(
        {"entity": "language", "value": language, "start": 0, "end": 0, "extractor": "RiskStage"}
    )
    message.set(ENTITIES, entities, add_to_output=True)


def _demote(message: Message, name: str) -> None:
    """Replace `name` with the best question reading (ask_*, request_*), else out of scope.

    Chit-chat readings ("thanks for the feedback") never answer what was meant as
    a statement about safety.
    """
    ranking = [
        r
        for r in message.get(INTENT_RANKING_KEY) or []
        if str(r.get("name")).startswith(("ask_", "request_"))
    ] or [{"name": "out_of_scope", "confidence": 0.0}]
    set_ranking(message, ranking)


def _optional(value: Any) -> float | None:
    """A threshold that may be switched off (None) in config.yml."""
    return None if value is None else float(value)


def _stock_reply(message: Message, text: str) -> bool:
    """One or two words the classifier is sure are a stock answer ("no", "thanks")."""
    top = message.get(INTENT) or {}
    return (
        len(text.split()) <= 2
        and top.get("name") in STOCK_REPLIES
        and float(top.get("confidence") or 0.0) >= 0.8
    )
