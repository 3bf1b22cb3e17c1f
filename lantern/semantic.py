"""Sentence meaning as a vector: WordLlama's 256-d token embeddings, averaged.

The weights and tokenizer ship inside the `wordllama` wheel from its authors
(MIT). We read its two data files directly (the package's own API needs numpy 2
and pydantic 2, which Rasa 3.6 cannot have): the tokenizer with `tokenizers`,
the embedding table with `safetensors`. A text's vector is the L2-normalised mean
of its tokens' rows (WordLlama's own pooling), about 0.1 ms per sentence on one
core. Loaded once per process, on first use.
"""

from __future__ import annotations

import threading
from functools import lru_cache
from importlib import metadata
from pathlib import Path
from typing import Sequence, Tuple

import numpy as np

WEIGHTS = "wordllama/weights/l2_supercat_256.safetensors"
TOKENIZER = "wordllama/tokenizers/l2_supercat_tokenizer_config.json"
DIMENSIONS = 256
#: Texts are cut to this many tokens (a long story's sentences are embedded one by one).
MAX_TOKENS = 512


def _packaged(name: str) -> Path:
    path = Path(str(metadata.distribution("wordllama").locate_file(name)))
    if not path.is_file():
        raise FileNotFoundError(f"{name} is missing from the wordllama package (make install)")
    return path


class Encoder:
    """Texts -> unit vectors (float32, DIMENSIONS wide)."""

    def __init__(self) -> None:
        """Load the tokenizer and the embedding table from the installed wheel."""
        from safetensors.numpy import load_file
        from tokenizers import Tokenizer

        self.tokenizer = Tokenizer.from_file(str(_packaged(TOKENIZER)))
        self.tokenizer.no_padding()
        self.tokenizer.enable_truncation(MAX_TOKENS)
        table = load_file(str(_packaged(WEIGHTS)))["embedding.weight"]
        self.table = np.ascontiguousarray(table, dtype=np.float32)
        self._lock = threading.Lock()  # the Rust tokenizer object is not shared across threads

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """One row per text; an empty text gives a zero row."""
        out = np.zeros((len(texts), self.table.shape[1]), dtype=np.float32)
        if not texts:
            return out
        with self._lock:
            encodings = self.tokenizer.encode_batch(list(texts), add_special_tokens=False)
        for row, encoding in enumerate(encodings):
            if encoding.ids:
                out[row] = self.table[encoding.ids].mean(axis=0)
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return out / np.maximum(norms, 1e-12)

    def word_rows(self, word: str) -> Tuple[np.ndarray, int]:
        """One word's token rows summed, and how many.

        Pooling any run of words from these gives what `embed` gives for the run
        (lantern/descriptions.py).
        """
        with self._lock:
            ids = self.tokenizer.encode(word, add_special_tokens=False).ids
        if not ids:
            return np.zeros(self.table.shape[1], dtype=np.float32), 0
        return self.table[ids].sum(axis=0), len(ids)


_LOAD = threading.Lock()


@lru_cache(maxsize=1)
def _encoder() -> Encoder:
    with _LOAD:
        return Encoder()


def encoder() -> Encoder:
    """The process's encoder, loaded on first use."""
    return _encoder()
