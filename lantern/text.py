"""Plain text helpers both servers use (no Rasa imports): sentences, and whether a text asks."""

from __future__ import annotations

import re
from typing import List, Tuple

#: A sentence: text up to ".", "!" or "?" before a space or the end, or up to a line
#: break ("clinicaltrials.gov" and "3.5" stay whole).
_SENTENCE = re.compile(r"[^\n]*?(?:[.!?]+(?=\s|$)|\n|$)")


def sentences(text: str) -> List[Tuple[int, int, bool]]:
    """(start, end, is_question) of each non-empty sentence of `text`."""
    spans = []
    for m in _SENTENCE.finditer(text):
        if m.group().strip():
            spans.append((m.start(), m.end(), m.group().rstrip().endswith("?")))
    return spans


#: A sentence that asks without a "?": it opens (after "so", "but", "and", ...)
#: with a question word or an auxiliary, or says that the writer wants to know.
ASKS = re.compile(
    r"^\W*(?:(?:so|but|and|also|then|now|ok|okay|well|basically|honestly|anyway)\b\W*)*"
    r"(?:what|which|who|whom|whose|when|where|why|how|is|are|was|were|am|do|does|did"
    r"|can|could|should|would|will|may|might|must|has|have|had|shall|isn't|aren't"
    r"|doesn't|don't|can't|won't|wouldn't|shouldn't|tell me|explain|any idea"
    r"|i(?:'d| would) like to (?:know|understand|learn)|i want to (?:know|understand)"
    r"|i(?:'m| am| was) (?:wondering|curious)|i wonder|wondering|curious)\b",
    re.IGNORECASE,
)


def asks(text: str) -> bool:
    """Whether any sentence of `text` asks something (a "?" or a question's opening)."""
    return any(mark or ASKS.match(text[a:b]) for a, b, mark in sentences(text))
