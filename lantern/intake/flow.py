"""The intake's steps and answers: which step is asked now, going back, item 9's history.

The form keeps everything in one dict, step id -> stored answer (`intake_answers`
in the dialogue). The steps are the questions of questions.yml asked in the
identity mode, in order, framed by three steps of the form itself: `consent`
first (True/False), `confirm` last (True once the patient sends the summary),
and `go_on` ("yes"/"no") right after PHQ-9 item 9 when it was positive or
refused, where "no" skips to the summary. Plain data, no Rasa: the actions and
the tests share it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Dict, List, Mapping

from lantern.intake import scoring
from lantern.intake.questions import PREFER_NOT, asked, by_id, display, self_harm_question

CONSENT, GO_ON, CONFIRM = "consent", "go_on", "confirm"
#: the steps that are not questions of questions.yml
FORM_STEPS = (CONSENT, GO_ON, CONFIRM)


def item9() -> str:
    """The id of PHQ-9 item 9 (the question marked `self_harm`)."""
    return self_harm_question().id


def item9_needs_care(value: Any) -> bool:
    """Whether an item 9 answer was positive or refused (both alert staff)."""
    return scoring.item9_positive(value) or value == PREFER_NOT


def steps(answers: Mapping[str, Any], mode: str | None = None) -> List[str]:
    """The step ids this patient is asked, in order, given the answers so far."""
    if answers.get(CONSENT) is False:
        return [CONSENT]
    ids = [q.id for q in asked(mode)]
    if item9_needs_care(answers.get(item9())):
        at = ids.index(item9()) + 1
        ids.insert(at, GO_ON)
        if answers.get(GO_ON) == "no":  # no more questions: straight to the summary
            ids = ids[: at + 1]
    return [CONSENT, *ids, CONFIRM]


def current(answers: Mapping[str, Any]) -> str | None:
    """The step asked now: the first without an answer (None: the intake is complete)."""
    return next((step for step in steps(answers) if answers.get(step) is None), None)


def go_back(answers: Mapping[str, Any]) -> Dict[str, Any]:
    """The answers without the last one before the current step (consent stays).

    Back past "go on?" edits item 9 itself. Nothing to go back to: unchanged.
    """
    order = steps(answers)
    now = current(answers)
    before = order[: order.index(now)] if now in order else order
    answered = [s for s in before if answers.get(s) is not None and s != CONSENT]
    kept = dict(answers)
    if answered:
        kept.pop(answered[-1], None)
        if answered[-1] == GO_ON:
            kept.pop(item9(), None)
    return kept


def question_answers(answers: Mapping[str, Any]) -> Dict[str, Any]:
    """What the patient answered, by question id (only questions asked and answered)."""
    questions = by_id()
    return {
        step: answers[step]
        for step in steps(answers)
        if step in questions and answers.get(step) is not None
    }


def progress(answers: Mapping[str, Any], question_id: str) -> tuple[int, int]:
    """(number of the question, number of questions) as the patient sees them now."""
    numbered = [s for s in steps(answers) if s in by_id()]
    return numbered.index(question_id) + 1, len(numbered)


def summary_lines(answers: Mapping[str, Any]) -> str:
    """The answers shown back before sending, one "- label: answer" line each (no scores)."""
    questions = by_id()
    return "\n".join(
        f"- {questions[qid].label}: {display(questions[qid], value)}"
        for qid, value in question_answers(answers).items()
    )


def now() -> str:
    """The time now, as item 9's history keeps it (UTC, seconds)."""
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")


def item9_history(
    history: Mapping[str, Any] | None,
    *,
    positive: Any = None,
    declined: bool = False,
    alerted: bool,
) -> Dict[str, Any]:
    """Item 9's history after this answer: the first positive answer and first refusal stay."""
    kept = dict(history or {})
    if positive is not None and not kept.get("first_positive"):
        kept["first_positive"] = {"answer": positive, "at": now()}
    if declined and not kept.get("declined_at"):
        kept["declined_at"] = now()
    kept["alerted"] = bool(kept.get("alerted")) or alerted
    return kept
