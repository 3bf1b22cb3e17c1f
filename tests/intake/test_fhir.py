"""The shipped Questionnaire and the QuestionnaireResponse: valid R4, in step with questions.yml."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any, Dict, Iterator, List, Tuple

import fhir.resources
import pytest
import yaml
from fhir.resources.questionnaire import Questionnaire
from fhir.resources.questionnaireresponse import QuestionnaireResponse

from lantern.intake import fhir as intake_fhir
from lantern.intake.fhir import InvalidAnswers, questionnaire, questionnaire_response
from lantern.intake.questionnaire import build_questionnaire
from lantern.intake.questions import QUESTIONS_FILE

SPEC = yaml.safe_load(QUESTIONS_FILE.read_text(encoding="utf-8"))
WHEN = dt.datetime(2026, 3, 14, 9, 30, tzinfo=dt.timezone.utc)
LOINC_ANSWERS = ["LA6568-5", "LA6569-3", "LA6570-1", "LA6571-9"]
DATA_ABSENT = "http://hl7.org/fhir/StructureDefinition/data-absent-reason"


def walk(items: List[Dict[str, Any]], parent: str = "") -> Iterator[Tuple[str, Dict[str, Any]]]:
    """(parent linkId, item) for every item, depth first."""
    for item in items:
        yield parent, item
        yield from walk(item.get("item", []), item["linkId"])


def full_answers(mode: str = "appointment_code") -> Dict[str, Any]:
    """An answer for every question asked in `mode`, of every type."""
    answers: Dict[str, Any] = {}
    for question in SPEC["questions"]:
        if question.get("identity") not in (None, mode):
            continue
        kind, qid = question["type"], question["id"]
        if kind == "code":
            answers[qid] = "K7Q2ZP"
        elif kind == "text":
            answers[qid] = "Marigold" if qid == "first_name" else "Zyprexa 5 mg at night"
        elif kind == "date":
            answers[qid] = "1983-07-19"
        elif kind == "choice":
            answers[qid] = question["options"][1]["code"]
        elif kind == "multi":
            answers[qid] = [question["options"][1]["code"], question["options"][0]["code"]]
        elif kind == "yes_no":
            answers[qid] = "yes" if qid == "med_lithium" else "no"
        elif kind == "scale":
            answers[qid] = 2
    return answers


def test_the_library_is_fhir_r4() -> None:
    assert fhir.resources.__fhir_version__ == "4.0.1"


def test_questionnaire_validates_and_is_up_to_date() -> None:
    data = questionnaire()
    model = Questionnaire.parse_obj(data)
    assert json.loads(model.json()) == data  # nothing dropped or changed by the model
    assert data == build_questionnaire(), "run: python -m lantern.intake.questionnaire"
    assert data["url"].startswith("https://") and data["version"] == str(SPEC["version"])
    assert intake_fhir.canonical() == f"{data['url']}|{data['version']}"


def test_link_ids_are_unique() -> None:
    ids = [item["linkId"] for _, item in walk(questionnaire()["item"])]
    assert len(ids) == len(set(ids))


def test_questionnaire_agrees_with_questions_yml_item_by_item() -> None:
    data = questionnaire()
    groups = data["item"]
    assert [g["linkId"] for g in groups] == [f"section_{s['id']}" for s in SPEC["sections"]]
    scale = SPEC["scale_options"]
    yes_no = SPEC["yes_no_options"]
    for section, group in zip(SPEC["sections"], groups, strict=True):
        assert group["type"] == "group" and group["text"] == section["title"]
        children = {item["linkId"]: item for item in group["item"]}
        expected = [q["id"] for q in SPEC["questions"] if q["section"] == section["id"]]
        questions_here = [
            i["linkId"]
            for i in group["item"]
            if i["type"] not in ("display",) and "readOnly" not in i
        ]
        assert questions_here == expected, section["id"]
        if section.get("intro"):
            assert children[f"{section['id']}_intro"] == {
                "linkId": f"{section['id']}_intro",
                "text": section["intro"],
                "type": "display",
            }
        for question in (q for q in SPEC["questions"] if q["section"] == section["id"]):
            item = children[question["id"]]
            assert item["text"] == question["text"]
            assert item["extension"][0]["valueString"] == question["label"]
            kind = question["type"]
            want_type = {"text": "string", "code": "string", "date": "date"}.get(kind, "choice")
            assert item["type"] == want_type, question["id"]
            assert item.get("repeats", False) is (kind == "multi")
            options = [o["valueCoding"] for o in item.get("answerOption", [])]
            if kind == "scale":
                assert item["code"] == [{"system": "http://loinc.org", "code": question["loinc"]}]
                assert [o["code"] for o in options] == [o["code"] for o in scale] == LOINC_ANSWERS
                assert {o["system"] for o in options} == {"http://loinc.org"}
                assert [o["display"] for o in options] == [o["display"] for o in scale]
                ordinals = [o["extension"][0]["valueDecimal"] for o in item["answerOption"]]
                assert ordinals == [0, 1, 2, 3]
            elif kind == "yes_no":
                assert [(o["code"], o["display"]) for o in options] == [
                    (o["code"], o["display"]) for o in yes_no
                ]
            elif kind in ("choice", "multi"):
                assert [(o["code"], o["display"]) for o in options] == [
                    (o["code"], o["display"]) for o in question["options"]
                ]
            else:
                assert not options
        if section.get("loinc"):
            assert group["code"][0]["system"] == "http://loinc.org"
            assert group["code"][0]["code"] == section["loinc"]["panel"]
            total = children[f"{section['id']}_total"]
            assert total["code"][0]["code"] == section["loinc"]["total"]
            assert total["type"] == "integer" and total["readOnly"] is True
            expression = total["extension"][0]["valueExpression"]
            assert expression["language"] == "text/fhirpath"
            assert f"section_{section['id']}" in expression["expression"]


def test_loinc_codes_are_the_published_ones() -> None:
    """PHQ-9 44249-1 / 44261-6, GAD-7 69737-5 / 70274-6; items in the published order."""
    codes = {q["id"]: q.get("loinc") for q in SPEC["questions"]}
    assert [codes[f"phq9_{n}"] for n in range(1, 10)] == [
        "44250-9",
        "44255-8",
        "44259-0",
        "44254-1",
        "44251-7",
        "44258-2",
        "44252-5",
        "44253-3",
        "44260-8",
    ]
    assert [codes[f"gad7_{n}"] for n in range(1, 8)] == [
        "69725-0",
        "68509-9",
        "69733-4",
        "69734-2",
        "69735-9",
        "69689-8",
        "69736-7",
    ]
    loinc = {s["id"]: s.get("loinc") for s in SPEC["sections"]}
    assert loinc["phq9"] == {"panel": "44249-1", "total": "44261-6"}
    assert loinc["gad7"] == {"panel": "69737-5", "total": "70274-6"}


@pytest.mark.parametrize("mode", ["appointment_code", "name_and_birth_date"])
def test_full_response_validates_and_round_trips(mode: str) -> None:
    answers = full_answers(mode)
    response = questionnaire_response(
        answers, record_id="3f1c2a9e-0000-4000-8000-000000000001", authored=WHEN
    )
    assert response["resourceType"] == "QuestionnaireResponse"
    assert response["status"] == "completed"
    assert response["questionnaire"] == intake_fhir.canonical()
    assert response["authored"] == "2026-03-14T09:30:00+00:00"
    # JSON -> model -> JSON is unchanged
    text = json.dumps(response)
    assert json.loads(QuestionnaireResponse.parse_raw(text).json()) == response
    # and the answers come back out
    assert intake_fhir.answers_from_response(response) == answers
    # totals: 9 x 2 and 7 x 2
    totals = {
        item["linkId"]: item["answer"][0]["valueInteger"]
        for _, item in walk(response["item"])
        if item["linkId"].endswith("_total")
    }
    assert totals == {"phq9_total": 18, "gad7_total": 14}


def test_response_link_ids_exist_in_the_questionnaire_under_the_same_group() -> None:
    where = {item["linkId"]: parent for parent, item in walk(questionnaire()["item"])}
    response = questionnaire_response(full_answers(), record_id="r-1", authored=WHEN)
    seen = 0
    for parent, item in walk(response["item"]):
        assert item["linkId"] in where, item["linkId"]
        assert where[item["linkId"]] == parent, item["linkId"]
        seen += 1
    assert seen > 30


def test_prefer_not_to_say_is_an_item_without_answer_marked_asked_declined() -> None:
    answers = {
        **full_answers(),
        "med_maoi": "prefer_not_to_say",
        "treatments_tried": "prefer_not_to_say",
    }
    response = questionnaire_response(answers, record_id="r-2", authored=WHEN)
    QuestionnaireResponse.parse_obj(response)
    items = {item["linkId"]: item for _, item in walk(response["item"])}
    for declined in ("med_maoi", "treatments_tried"):
        assert "answer" not in items[declined]
        assert items[declined]["extension"] == [{"url": DATA_ABSENT, "valueCode": "asked-declined"}]
    assert intake_fhir.answers_from_response(response) == answers


def test_unanswered_questions_and_incomplete_totals_are_left_out() -> None:
    answers = {"appointment_code": "K7Q2ZP", "phq9_1": 1, "phq9_2": 0}
    response = questionnaire_response(answers, record_id="r-3", authored=WHEN)
    ids = [item["linkId"] for _, item in walk(response["item"])]
    assert ids == ["section_identity", "appointment_code", "section_phq9", "phq9_1", "phq9_2"]


@pytest.mark.parametrize(
    "question, value",
    [
        ("reason", "Zyprexa-not-an-option"),
        ("treatments_tried", []),
        ("treatments_tried", ["Zyprexa-not-an-option"]),
        ("med_lithium", "Zyprexa-not-an-option"),
        ("phq9_1", 4),
        ("phq9_1", "Zyprexa-not-an-option"),
        ("birth_date", "1983-02-30"),
        ("medicines", "   "),
        ("medicines", "Zyprexa" * 400),
    ],
)
def test_invalid_values_are_refused_naming_the_question_not_the_value(
    question: str, value: Any
) -> None:
    with pytest.raises(InvalidAnswers) as error:
        questionnaire_response({question: value}, record_id="r-4", authored=WHEN)
    assert question in str(error.value)
    assert "Zyprexa" not in str(error.value)


def test_unknown_question_ids_are_refused() -> None:
    with pytest.raises(InvalidAnswers, match="intake_reason"):
        questionnaire_response({"intake_reason": "ketamine"}, record_id="r-5", authored=WHEN)


def test_a_naive_or_local_time_is_stored_as_utc() -> None:
    local = dt.datetime(2026, 3, 14, 10, 30, tzinfo=dt.timezone(dt.timedelta(hours=1)))
    response = questionnaire_response({"phq9_1": 0}, record_id="r-6", authored=local)
    assert response["authored"] == "2026-03-14T09:30:00+00:00"
