"""The intake as FHIR R4: the shipped Questionnaire and a patient's QuestionnaireResponse.

`questionnaire.json` (beside this file) is generated from questions.yml by
`python -m lantern.intake.questionnaire` and committed; a test checks the two agree.
Every question is an item (linkId = question id) in a group per section
(linkId `section_<id>`). PHQ-9
and GAD-7 carry their LOINC panel, item and answer codes (answer list LL358-3,
with ordinal values 0-3) and a read-only calculated total item
(`phq9_total` 44261-6, `gad7_total` 70274-6). Other choices use Lantern code
systems whose codes are the option codes of questions.yml.

A QuestionnaireResponse is built from the answers dict (question id -> value,
see `questionnaire_response`) and validated with `fhir.resources` (R4 4.0.1)
before it is returned. "Prefer not to say" is an item without an answer that
carries the data-absent-reason extension `asked-declined`.

PHQ-9 item 9 has two Lantern additions in a response (never in the Questionnaire,
which keeps the published instrument): an answer other than a clear "not at all"
that named no frequency is the coding `positive-unclear` of ITEM9_SYSTEM (no
ordinal value, so no PHQ-9 total), and when the patient went back and changed a
positive answer, the item carries the FIRST_POSITIVE extension (`answer`: what the
first positive answer was, `time`: when), so the clinic's copy keeps it too.
"""

from __future__ import annotations

import datetime as dt
import json
from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, List, Mapping

from fhir.resources.questionnaireresponse import QuestionnaireResponse
from pydantic import ValidationError

from lantern.intake import questions as q
from lantern.intake import scoring

QUESTIONNAIRE_FILE = Path(__file__).with_name("questionnaire.json")
#: Canonical URL of the Questionnaire: an identifier, it need not resolve.
BASE = "https://lantern.example.org/fhir"
URL = f"{BASE}/Questionnaire/lantern-intake"
YES_NO_SYSTEM = f"{BASE}/CodeSystem/yes-no-unsure"
LOINC = "http://loinc.org"
DATA_ABSENT_REASON = "http://hl7.org/fhir/StructureDefinition/data-absent-reason"
DECLINED = {"url": DATA_ABSENT_REASON, "valueCode": "asked-declined"}
ITEM9_SYSTEM = f"{BASE}/CodeSystem/phq9-item9"
UNCLEAR_CODE = "positive-unclear"
FIRST_POSITIVE = f"{BASE}/StructureDefinition/item9-first-positive"
#: How a first positive answer that was not a 1-3 score is written in FIRST_POSITIVE.
FIRST_POSITIVE_TEXT = {
    q.ITEM9_UNCLEAR: q.ITEM9_UNCLEAR_DISPLAY,
    "crisis_message": "Crisis words in place of an answer",
}
TOTAL_TEXT = {"phq9": "PHQ-9 total score", "gad7": "GAD-7 total score"}
MAX_TEXT = 2000


class InvalidAnswers(ValueError):
    """The answers can't form a valid response; the message names question ids, never values."""


def group_link_id(section_id: str) -> str:
    """A section's group linkId (`section_<id>`: a question may share a section's id)."""
    return f"section_{section_id}"


def option_system(question: q.Question) -> str:
    """The code system of a question's options."""
    if question.type == "scale":
        return LOINC
    if question.type == "yes_no":
        return YES_NO_SYSTEM
    return f"{BASE}/CodeSystem/{question.id.replace('_', '-')}"


def validated(model: Any, data: Dict[str, Any]) -> Dict[str, Any]:
    """Validate `data` with a fhir.resources model; return the model's own JSON form."""
    try:
        parsed = model.parse_obj(data)
    except ValidationError as exc:
        where = sorted({".".join(str(p) for p in e["loc"]) for e in exc.errors()})
        raise InvalidAnswers(f"not a valid FHIR {model.__name__}: {where}") from None
    result: Dict[str, Any] = json.loads(parsed.json())
    return result


@lru_cache(maxsize=1)
def _questionnaire_text() -> str:
    return QUESTIONNAIRE_FILE.read_text(encoding="utf-8")


def questionnaire() -> Dict[str, Any]:
    """The shipped Questionnaire (questionnaire.json)."""
    data: Dict[str, Any] = json.loads(_questionnaire_text())
    return data


def canonical() -> str:
    """`url|version` of the shipped Questionnaire, as a response references it."""
    data = questionnaire()
    return f"{data['url']}|{data['version']}"


def _coding(question: q.Question, code: str) -> Dict[str, Any]:
    for option in question.options:
        if option.code == code:
            return {"system": option_system(question), "code": code, "display": option.display}
    raise InvalidAnswers(f"{question.id}: not one of its options")


def _answers(question: q.Question, value: Any) -> List[Dict[str, Any]]:
    """The FHIR answer list for one value (already known not to be 'prefer not to say')."""
    kind = question.type
    if question.self_harm and value == q.ITEM9_UNCLEAR:
        coding = {"system": ITEM9_SYSTEM, "code": UNCLEAR_CODE, "display": q.ITEM9_UNCLEAR_DISPLAY}
        return [{"valueCoding": coding}]
    if kind == "scale":
        number = scoring.item_value(value)
        if number is None:
            raise InvalidAnswers(f"{question.id}: a scale answer is 0-3")
        code = next(o.code for o in question.options if o.value == number)
        return [{"valueCoding": _coding(question, code)}]
    if kind in ("choice", "yes_no"):
        if not isinstance(value, str):
            raise InvalidAnswers(f"{question.id}: expected an option code")
        return [{"valueCoding": _coding(question, value)}]
    if kind == "multi":
        if not isinstance(value, (list, tuple)) or not value:
            raise InvalidAnswers(f"{question.id}: expected a list of option codes")
        codes = list(dict.fromkeys(str(v) for v in value))
        return [{"valueCoding": _coding(question, code)} for code in codes]
    if kind in ("text", "code"):
        text = value.strip() if isinstance(value, str) else ""
        if not text or len(text) > MAX_TEXT:
            raise InvalidAnswers(f"{question.id}: expected text of 1-{MAX_TEXT} characters")
        return [{"valueString": text}]
    if kind == "date":
        try:
            date = dt.date.fromisoformat(value) if isinstance(value, str) else None
        except ValueError:
            date = None
        if date is None:
            raise InvalidAnswers(f"{question.id}: expected a YYYY-MM-DD date")
        return [{"valueDate": date.isoformat()}]
    raise InvalidAnswers(f"{question.id}: unknown question type")


def _first_positive_extension(question: q.Question, first: Mapping[str, Any]) -> Dict[str, Any]:
    """FIRST_POSITIVE for item 9's first positive answer ({"answer": value, "at": ISO time})."""
    answer, at = first.get("answer"), first.get("at")
    try:
        when = dt.datetime.fromisoformat(str(at)).astimezone(dt.timezone.utc)
    except ValueError:
        raise InvalidAnswers(f"{question.id}: first positive answer without a time") from None
    number = scoring.item_value(answer)
    if number is not None and number > 0:
        code = next(o.code for o in question.options if o.value == number)
        value: Dict[str, Any] = {"valueCoding": _coding(question, code)}
    elif answer in FIRST_POSITIVE_TEXT:
        value = {"valueString": FIRST_POSITIVE_TEXT[str(answer)]}
    else:
        raise InvalidAnswers(f"{question.id}: the first positive answer is not positive")
    return {
        "url": FIRST_POSITIVE,
        "extension": [
            {"url": "answer", **value},
            {"url": "time", "valueDateTime": when.isoformat(timespec="seconds")},
        ],
    }


def item9_first_positive(response: Mapping[str, Any]) -> Dict[str, Any] | None:
    """Item 9's first positive answer back from a response ({"answer", "at"}), or None."""
    question = q.self_harm_question()
    texts = {text: answer for answer, text in FIRST_POSITIVE_TEXT.items()}
    for group in response.get("item", []):
        for item in group.get("item", []):
            if item.get("linkId") != question.id:
                continue
            for extension in item.get("extension", []):
                if extension.get("url") != FIRST_POSITIVE:
                    continue
                parts = {e["url"]: e for e in extension["extension"]}
                answer = parts["answer"]
                if "valueCoding" in answer:
                    code = answer["valueCoding"]["code"]
                    value: Any = next(o.value for o in question.options if o.code == code)
                else:
                    value = texts[answer["valueString"]]
                at = dt.datetime.fromisoformat(parts["time"]["valueDateTime"])
                return {"answer": value, "at": at.isoformat(timespec="seconds")}
    return None


def questionnaire_response(
    answers: Mapping[str, Any],
    *,
    record_id: str,
    authored: dt.datetime,
    item9_first_positive: Mapping[str, Any] | None = None,
) -> Dict[str, Any]:
    """A validated R4 QuestionnaireResponse (status completed) for `answers`.

    `answers`: question id -> value (choice: option code; multi: list of codes; text
    and code: str; yes_no: "yes" | "no" | "unsure"; scale: 0-3; date: "YYYY-MM-DD";
    any question: "prefer_not_to_say"; item 9: also ITEM9_UNCLEAR). Questions not in
    `answers` were not asked and are left out; totals are included when their
    questionnaire is complete. `item9_first_positive` ({"answer", "at"}) is kept on
    item 9 when the current answer is not that answer. Raises InvalidAnswers (naming
    question ids only) for an unknown id or an invalid value.
    """
    known = {x.id: x for x in q.questions()}
    unknown = sorted(set(answers) - set(known))
    if unknown:
        raise InvalidAnswers(f"unknown question ids: {unknown}")
    scores = scoring.score(answers)
    totals = {"phq9": scores.phq9_total, "gad7": scores.gad7_total}
    groups: List[Dict[str, Any]] = []
    for section in q.sections().values():
        items: List[Dict[str, Any]] = []
        for question in q.questions():
            if question.section != section.id or question.id not in answers:
                continue
            value = answers[question.id]
            item: Dict[str, Any] = {"linkId": question.id, "text": question.text}
            if value == q.PREFER_NOT:
                item["extension"] = [dict(DECLINED)]
            else:
                item["answer"] = _answers(question, value)
            first = item9_first_positive if question.self_harm else None
            if first and first.get("answer") != value:
                item.setdefault("extension", []).append(_first_positive_extension(question, first))
            items.append(item)
        if totals.get(section.id) is not None:
            items.append(
                {
                    "linkId": f"{section.id}_total",
                    "text": TOTAL_TEXT[section.id],
                    "answer": [{"valueInteger": totals[section.id]}],
                }
            )
        if items:
            groups.append(
                {"linkId": group_link_id(section.id), "text": section.title, "item": items}
            )
    when = authored.astimezone(dt.timezone.utc).isoformat(timespec="seconds")
    data = {
        "resourceType": "QuestionnaireResponse",
        "id": record_id,
        "questionnaire": canonical(),
        "status": "completed",
        "authored": when,
        "item": groups,
    }
    return validated(QuestionnaireResponse, data)


def answers_from_response(response: Mapping[str, Any]) -> Dict[str, Any]:
    """The answers dict back from a response built by `questionnaire_response`."""
    known = {x.id: x for x in q.questions()}
    answers: Dict[str, Any] = {}
    for group in response.get("item", []):
        for item in group.get("item", []):
            question = known.get(item["linkId"])
            if question is None:
                continue  # the totals
            if DECLINED in item.get("extension", []):
                answers[question.id] = q.PREFER_NOT
                continue
            values = [
                next(v for k, v in a.items() if k.startswith("value")) for a in item["answer"]
            ]
            if question.type == "scale":
                code = values[0]["code"]
                if question.self_harm and values[0].get("system") == ITEM9_SYSTEM:
                    answers[question.id] = q.ITEM9_UNCLEAR
                    continue
                answers[question.id] = next(o.value for o in question.options if o.code == code)
            elif question.type == "multi":
                answers[question.id] = [v["code"] for v in values]
            elif question.type in ("choice", "yes_no"):
                answers[question.id] = values[0]["code"]
            else:
                answers[question.id] = values[0]
    return answers
