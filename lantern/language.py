"""Which language a message is in, for the replies that have a Spanish variation.

lingua (Apache-2.0, models inside the wheel, no downloads) is the most accurate
detector on short texts; it is asked to choose between English and Spanish only,
which takes about 0.1 ms a message. Loaded once, on first use.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

#: How sure lingua must be before a reply switches to Spanish; a message of a
#: few words needs more ("im sucidal" reads 0.86 Spanish).
SPANISH_CONFIDENCE = 0.8
SHORT_SPANISH_CONFIDENCE = 0.95
SHORT_WORDS = 4


@lru_cache(maxsize=1)
def _detector() -> Any:
    from lingua import Language, LanguageDetectorBuilder

    return LanguageDetectorBuilder.from_languages(Language.ENGLISH, Language.SPANISH).build()


def language_of(text: str) -> str:
    """'es' when the text is clearly Spanish, else 'en'."""
    from lingua import Language

    needed = SHORT_SPANISH_CONFIDENCE if len(text.split()) < SHORT_WORDS else SPANISH_CONFIDENCE
    for value in _detector().compute_language_confidence_values(text):
        if value.language == Language.SPANISH:
            return "es" if value.value >= needed else "en"
    return "en"
