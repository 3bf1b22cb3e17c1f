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


#: Where one sentence asks a second question: ", and is it legal?", " and how does it
#: work", "; what about ...": a comma, semicolon or "and/also/plus/but" before a
#: question's opening word.
_SECOND = re.compile(
    r"(?:[,;]\s*(?:(?:and|also|plus|but|or)\s+)?|\s+(?:and|also|plus)\s+)"
    r"(?=(?:what|which|who|where|when|why|how|is|are|can|could|does|do|should|will"
    r"|would|has|have)\b)",
    re.IGNORECASE,
)


def question_parts(text: str) -> List[Tuple[int, int]]:
    """(start, end) of each question a message asks, when it asks two or more.

    The asking sentences, each split where a second question starts inside it
    ("What is ketamine and is it addictive?"); parts of one word are dropped.
    Empty for a message that asks one question or none.
    """
    parts: List[Tuple[int, int]] = []
    for a, b, mark in sentences(text):
        if not (mark or ASKS.match(text[a:b])):
            continue
        start = a
        for m in [*_SECOND.finditer(text, a, b), None]:
            end = m.start() if m else b
            piece = text[start:end]
            if len(piece.split()) >= 2:
                lead = len(piece) - len(piece.lstrip())
                parts.append((start + lead, start + len(piece.rstrip())))
            start = m.end() if m else b
    return parts if len(parts) >= 2 else []
