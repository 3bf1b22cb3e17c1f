"""The question part of a long message, featurized on its own for the classifier.

A patient often tells a story before asking ("My friend said ketamine cured her
depression in a week. Is that true? Does it wear off?"). Words of the story pull
the classifier toward another question type. `QuestionCountVectors` makes
Rasa's sentence features of the whole message as `SentenceCountVectors` does
and, for a message of several sentences, also those of its question sentences
alone, under the attribute `QUESTION`. The classifier
(`lantern.nlu.classifier`) scores both and combines them. Messages of one
sentence, or whose every sentence asks, get no question features.

A message that asks two or more questions ("What is ketamine, and is it
addictive?", `lantern.text.question_parts`) also gets the features of each one
alone (`PART` + its index), which the classifier reads into `questions`, so the
answering action can answer both.
"""

from __future__ import annotations

from typing import List, Tuple

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.constants import TOKENS_NAMES
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message

from lantern.nlu.featurizer import SentenceCountVectors
from lantern.text import ASKS, question_parts, sentences

#: The feature attribute of the question sentences of a long message.
QUESTION = "text_question"
#: A message that asks several questions: (start, end) of each (not output), and the
#: feature attribute of the i-th, PART + str(i). Only the first MAX_PARTS are read.
PARTS = "question_parts"
PART = "text_part_"
MAX_PARTS = 3


def question_spans(text: str) -> List[Tuple[int, int]]:
    """(start, end) of the asking sentences of a message of several sentences.

    Empty when the message has one sentence, when no sentence asks, or when
    every sentence does: then the whole message is the question.
    """
    spans = sentences(text)
    if len(spans) < 2:
        return []
    asking = [(a, b) for a, b, mark in spans if mark or ASKS.match(text[a:b])]
    return asking if len(asking) < len(spans) else []


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=True)
class QuestionCountVectors(SentenceCountVectors):
    """`SentenceCountVectors`, plus features of the question sentences of a long message."""

    def process(self, messages: List[Message]) -> List[Message]:
        """Sentence features of every message as Rasa's; question features for long ones."""
        if self.vectorizers is None:
            return super().process(messages)  # Rasa logs that nothing was trained
        for message in messages:
            for attribute in self._attributes:
                tokens = self._get_processed_message_tokens_by_attribute(message, attribute)
                _, (sentence,) = self._create_features(attribute, [tokens])
                self.add_features_to_message(None, sentence, attribute, message)
                if attribute == TEXT and sentence is not None:
                    self._add_question(message, tokens)
                    self._add_parts(message, tokens)
        return messages

    def _add_parts(self, message: Message, tokens: List[str]) -> None:
        """Features of each question of a message that asks several, and their spans."""
        parts = question_parts(message.get(TEXT) or "")[:MAX_PARTS]
        units = message.get(TOKENS_NAMES[TEXT]) or []
        if not parts or len(units) != len(tokens):
            return
        message.set(PARTS, parts)
        for i, (a, b) in enumerate(parts):
            part = [token for unit, token in zip(units, tokens, strict=True) if a <= unit.start < b]
            if part:
                self.add_features_to_message(
                    None, self._sentence_vector(TEXT, part), f"{PART}{i}", message
                )

    def _add_question(self, message: Message, tokens: List[str]) -> None:
        """Features of the question sentences' `tokens`, if the message has a separate question."""
        asked = question_spans(message.get(TEXT) or "")
        units = message.get(TOKENS_NAMES[TEXT]) or []
        if not asked or len(units) != len(tokens):
            return
        part = [
            token
            for unit, token in zip(units, tokens, strict=True)
            if any(a <= unit.start < b for a, b in asked)
        ]
        if part:
            vector = self._sentence_vector(TEXT, part)
            self.add_features_to_message(None, vector, QUESTION, message)
