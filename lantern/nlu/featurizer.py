"""Rasa's count-vector featurizer, giving only the sentence features the classifier reads.

`CountVectorsFeaturizer` vectorises every message twice: each token alone (the
sequence features, for components that read a message token by token, such as
DIET) and the whole message (the sentence features). Lantern's classifier reads
only the sentence features and nothing reads the sequence ones, so
`SentenceCountVectors` makes the sentence features exactly as Rasa does and
skips the rest: half the featurizers' time per message. It also counts the
vocabulary itself instead of calling scikit-learn's `transform`, whose sparse
matrix checks cost more than the counting for a one-line message (same
matrix: tests/scale/test_nlu_speed.py compares it with Rasa's).
"""

from __future__ import annotations

from collections import Counter
from typing import Callable, Dict, List, Tuple

import numpy as np
import scipy.sparse
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.constants import DENSE_FEATURIZABLE_ATTRIBUTES
from rasa.nlu.featurizers.sparse_featurizer.count_vectors_featurizer import (
    CountVectorsFeaturizer,
)
from sklearn.feature_extraction.text import CountVectorizer

Matrices = List[scipy.sparse.spmatrix | None]


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=True)
class SentenceCountVectors(CountVectorsFeaturizer):
    """`CountVectorsFeaturizer` without sequence features."""

    def _create_features(
        self, attribute: str, all_tokens: List[List[str]]
    ) -> Tuple[Matrices, Matrices]:
        """No sequence features; sentence features as `CountVectorsFeaturizer` makes them."""
        if not self.vectorizers.get(attribute):
            return [None], [None]
        sentence: Matrices = []
        for tokens in all_tokens:
            if not tokens or attribute not in DENSE_FEATURIZABLE_ATTRIBUTES:
                sentence.append(None)
                continue
            sentence.append(self._sentence_vector(attribute, tokens))
        return [None] * len(all_tokens), sentence

    def _sentence_vector(self, attribute: str, tokens: List[str]) -> scipy.sparse.coo_matrix:
        """The sentence features of `tokens` (one row), as Rasa's featurizer makes them.

        What `vectorizer.transform([text]).tocoo()` returns, with sorted indices:
        the count of each vocabulary feature the vectorizer's analyzer finds.
        """
        vectorizer = self.vectorizers[attribute]
        vocabulary = vectorizer.vocabulary_
        counts: Counter = Counter()
        for feature in self._analyzer(vectorizer)(" ".join(tokens)):
            index = vocabulary.get(feature)
            if index is not None:
                counts[index] += 1
        columns = sorted(counts)
        data = [1 if vectorizer.binary else counts[c] for c in columns]
        return scipy.sparse.coo_matrix(
            (
                np.array(data, dtype=vectorizer.dtype),
                (np.zeros(len(columns), dtype=np.int32), np.array(columns, dtype=np.int32)),
            ),
            shape=(1, len(vocabulary)),
        )

    def _analyzer(self, vectorizer: CountVectorizer) -> Callable[[str], List[str]]:
        """The vectorizer's analyzer, built once per vectorizer.

        Its vocabulary is checked then, as `transform` checks it.
        """
        cache: Dict[int, Tuple[CountVectorizer, Callable]] = self.__dict__.setdefault(
            "_lantern_analyzers", {}
        )
        known = cache.get(id(vectorizer))
        if known is None or known[0] is not vectorizer:
            vectorizer._check_vocabulary()
            known = cache[id(vectorizer)] = (vectorizer, vectorizer.build_analyzer())
        return known[1]
