"""Rasa's logistic-regression intent classifier, saved as plain arrays and laid out for speed.

Changes to `LogisticRegressionClassifier` that change no prediction:

- It is saved as the fitted arrays (weights, intercepts, intent names) in a
  NumPy `.npz` file read without pickle, instead of with skops. Importing skops
  scans every loaded module (TensorFlow's thousands included) and took about
  3 s of the server's start-up.
- The weights are kept column-major. Predicting multiplies one sparse feature
  row by the weight matrix's transpose; row-major, each feature's weights for
  all intents are far apart in memory. This halves the classifier's CPU time
  per message (profile: `make bench`).
- A message's scores are summed straight from the weights of the features it
  has, with the intercepts and softmax scikit-learn's multinomial model uses,
  instead of combining every feature matrix (Rasa deep-copies the per-token
  ones it does not use) and passing scikit-learn's input checks. Anything else
  (dense features, a one-vs-rest model) goes Rasa's way.

And one that does, with `question_weight` > 0: in a message of several
sentences the question sentences are scored on their own too and weighed in
(`_probabilities`; features from `lantern.nlu.question`), so a story before the
question pulls less toward another question type. One-sentence messages are
scored as before.

A message that asks several questions also gets `questions` in its output: each
question's span and its own best intent (`_questions`), which action_answer uses
to answer two questions in order; the message's own intent is unchanged.
"""

from __future__ import annotations

from typing import Any, Dict, List

import numpy as np
from rasa.engine.graph import ExecutionContext
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.logistic_regression_classifier import LogisticRegressionClassifier
from rasa.shared.nlu.constants import FEATURE_TYPE_SENTENCE, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.utils.tensorflow.constants import RANKING_LENGTH
from scipy.special import softmax

from lantern.nlu.question import PART, PARTS, QUESTION
from lantern.safety.screen import CATEGORIES

#: The output key of the questions of a message that asks several.
QUESTIONS = "questions"

#: intents the safety screen decides: a long message the classifier puts there is
#: classified as a whole (its question part cannot lower that)
SCREENED = frozenset(CATEGORIES)

#: the fitted attributes a LogisticRegression predicts with
FITTED = ("coef_", "intercept_", "classes_", "n_iter_")
WEIGHTS_FILE = "weights.npz"


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class LanternLogisticRegression(LogisticRegressionClassifier):
    """`LogisticRegressionClassifier` saved as arrays, with column-major weights."""

    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        """Rasa's settings, plus how much the question of a long message may count.

        `question_weight` (0: not read) and `question_intents`, the prefix of the
        intents the question part alone may vote for (see `_probabilities`).
        """
        return {
            **LogisticRegressionClassifier.get_default_config(),
            "question_weight": 0.0,
            "question_intents": "ask_",
        }

    def persist(self) -> None:
        """Save the fitted arrays (nothing that needs pickle)."""
        with self._model_storage.write_to(self._resource) as model_dir:
            np.savez(model_dir / WEIGHTS_FILE, **{a: getattr(self.clf, a) for a in FITTED})

    @classmethod
    def load(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> LanternLogisticRegression:
        """The classifier Rasa would build, with the saved arrays (untrained if none)."""
        component = cls(config, execution_context.node_name, model_storage, resource)
        try:
            with (
                model_storage.read_from(resource) as model_dir,
                np.load(model_dir / WEIGHTS_FILE, allow_pickle=False) as saved,
            ):
                fitted = {a: saved[a] for a in FITTED}
        except (ValueError, FileNotFoundError):  # nothing was trained (no intents)
            return component
        fitted["coef_"] = np.asfortranarray(fitted["coef_"])
        for attribute, value in fitted.items():
            setattr(component.clf, attribute, value)
        component.clf.n_features_in_ = fitted["coef_"].shape[1]
        return component

    def _multinomial(self) -> bool:
        """Whether scikit-learn's `predict_proba` is a softmax over all intents."""
        clf = self.clf
        return clf.multi_class == "multinomial" or (
            clf.multi_class == "auto" and clf.classes_.size > 2 and clf.solver != "liblinear"
        )

    def _scores(self, message: Message, attribute: str = TEXT) -> np.ndarray | None:
        """The message's decision scores; None where Rasa's way is needed (dense features)."""
        sentence = [
            f
            for f in message.features
            if f.attribute == attribute and f.type == FEATURE_TYPE_SENTENCE
        ]
        if any(f.is_dense() for f in sentence):
            return None
        weights = self.clf.coef_.T  # C-ordered: one row per feature
        scores = self.clf.intercept_.copy()
        offset = 0
        for f in sentence:  # in the order Rasa stacks them
            row = f.features.tocoo()
            scores += row.data @ weights[offset + row.col]
            offset += row.shape[1]
        return scores if offset == weights.shape[0] else None

    def _probabilities(self, message: Message) -> np.ndarray | None:
        """The intent probabilities, the question of a long message weighed in.

        None where Rasa's way is needed. A message with question features
        (`lantern.nlu.question`) gets the scores (1 - v) * whole + v * question,
        v = `question_weight` times the question part's own top probability, when
        that top intent is a question type (`question_intents`): a bare "Is that
        true?" says little on its own and counts little or not at all. A message
        whose whole text is most likely one the safety screen decides keeps that.
        """
        scores = self._scores(message)
        if scores is None:
            return None
        weight = float(self.config["question_weight"])
        classes = self.clf.classes_
        if weight > 0 and classes[np.argmax(scores)] not in SCREENED:
            asked = self._scores(message, QUESTION)
            if asked is not None:
                top = int(np.argmax(asked))
                if str(classes[top]).startswith(self.config["question_intents"]):
                    # the question part's own top probability, softmax(asked)[top]
                    share = weight / float(np.exp(asked - asked[top]).sum())
                    scores = (1 - share) * scores + share * asked
        return softmax(scores)

    def process(self, messages: List[Message]) -> List[Message]:
        """Set each message's intent and ranking as Rasa's classifier does."""
        if not hasattr(self.clf, "coef_") or not self._multinomial():
            return super().process(messages)
        for message in messages:
            probabilities = self._probabilities(message)
            if probabilities is None:
                super().process([message])
                continue
            ranking = sorted(
                (
                    {"name": name, "confidence": confidence}
                    for name, confidence in zip(self.clf.classes_, probabilities, strict=True)
                ),
                key=lambda e: -e["confidence"],
            )
            intent = ranking[0]
            if self.config[RANKING_LENGTH] > 0:
                ranking = ranking[: self.config[RANKING_LENGTH]]
            message.set("intent", intent, add_to_output=True)
            message.set("intent_ranking", ranking, add_to_output=True)
            self._questions(message)
        return messages

    def _questions(self, message: Message) -> None:
        """Each question's span and best intent, for a message that asks several."""
        questions = []
        for i, (start, end) in enumerate(message.get(PARTS) or []):
            scores = self._scores(message, f"{PART}{i}")
            if scores is None:
                continue
            probabilities = softmax(scores)
            top = int(np.argmax(probabilities))
            questions.append(
                {
                    "start": int(start),
                    "end": int(end),
                    "intent": {
                        "name": str(self.clf.classes_[top]),
                        "confidence": float(probabilities[top]),
                    },
                }
            )
        if len(questions) >= 2:
            message.set(QUESTIONS, questions, add_to_output=True)
