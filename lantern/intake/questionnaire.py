"""The shipped FHIR Questionnaire, generated from questions.yml.

`python -m lantern.intake.questionnaire` writes questionnaire.json (beside this
file), `--check` says whether it is stale (tests/intake/test_fhir.py checks the
same). What each item holds is described in lantern/intake/fhir.py, which reads
the shipped file and builds responses against it.
"""

from __future__ import annotations

import json
import sys
from typing import Any, Dict, List

import yaml
from fhir.resources import __fhir_version__
from fhir.resources.questionnaire import Questionnaire

from lantern.intake import questions as q
from lantern.intake.fhir import (
    LOINC,
    QUESTIONNAIRE_FILE,
    TOTAL_TEXT,
    URL,
    group_link_id,
    option_system,
    validated,
)

ORDINAL_VALUE = "http://hl7.org/fhir/StructureDefinition/ordinalValue"
SHORT_TEXT = "http://hl7.org/fhir/uv/sdc/StructureDefinition/sdc-questionnaire-shortText"
CALCULATED = "http://hl7.org/fhir/uv/sdc/StructureDefinition/sdc-questionnaire-calculatedExpression"
#: Scored sections: LOINC panel and total codes with their LOINC display names.
PANEL_DISPLAY = {
    "44249-1": "PHQ-9 quick depression assessment panel",
    "69737-5": "Generalized anxiety disorder 7 item (GAD-7)",
}
TOTAL_DISPLAY = {
    "44261-6": "Patient health questionnaire 9 item total score",
    "70274-6": "Generalized anxiety disorder 7 item (GAD-7) total score",
}
COPYRIGHT = (
    "PHQ-9 and GAD-7: developed by Drs. Robert L. Spitzer, Janet B.W. Williams, Kurt Kroenke "
    "and colleagues, with an educational grant from Pfizer Inc.; no permission required to "
    "reproduce, translate, display or distribute. LOINC codes: copyright Regenstrief "
    "Institute, Inc. and the LOINC Committee, available at no cost under the license at "
    "http://loinc.org/license."
)


def _spec() -> Dict[str, Any]:
    data: Dict[str, Any] = yaml.safe_load(q.QUESTIONS_FILE.read_text(encoding="utf-8"))
    return data


def _answer_option(question: q.Question, option: q.Option) -> Dict[str, Any]:
    coding = {"system": option_system(question), "code": option.code, "display": option.display}
    entry: Dict[str, Any] = {"valueCoding": coding}
    if question.type == "scale":
        entry["extension"] = [{"url": ORDINAL_VALUE, "valueDecimal": option.value}]
    return entry


_TYPES = {
    "choice": "choice",
    "multi": "choice",
    "yes_no": "choice",
    "scale": "choice",
    "text": "string",
    "code": "string",
    "date": "date",
}


def _question_item(question: q.Question) -> Dict[str, Any]:
    item: Dict[str, Any] = {
        "extension": [{"url": SHORT_TEXT, "valueString": question.label}],
        "linkId": question.id,
    }
    if question.loinc:
        item["code"] = [{"system": LOINC, "code": question.loinc}]
    item["text"] = question.text
    item["type"] = _TYPES[question.type]
    if question.type == "multi":
        item["repeats"] = True
    if question.options:
        item["answerOption"] = [_answer_option(question, o) for o in question.options]
    return item


def _total_expression(section_id: str) -> str:
    return (
        f"%resource.repeat(item).where(linkId='{group_link_id(section_id)}').item"
        f".where(linkId != '{section_id}_total').answer.ordinalValue()"
        ".aggregate($this + $total, 0)"
    )


def build_questionnaire() -> Dict[str, Any]:
    """The Questionnaire generated from questions.yml (what questionnaire.json holds)."""
    spec = _spec()
    loinc = {s["id"]: s.get("loinc") for s in spec["sections"]}
    groups: List[Dict[str, Any]] = []
    for section in q.sections().values():
        group: Dict[str, Any] = {"linkId": group_link_id(section.id)}
        panel = loinc.get(section.id)
        if panel:
            group["code"] = [
                {"system": LOINC, "code": panel["panel"], "display": PANEL_DISPLAY[panel["panel"]]}
            ]
        group["text"] = section.title
        group["type"] = "group"
        items: List[Dict[str, Any]] = []
        if section.intro:
            items.append(
                {"linkId": f"{section.id}_intro", "text": section.intro, "type": "display"}
            )
        items += [_question_item(x) for x in q.questions() if x.section == section.id]
        if panel:
            items.append(
                {
                    "extension": [
                        {
                            "url": CALCULATED,
                            "valueExpression": {
                                "description": f"Sum of the {section.title} item scores (0-3 each)",
                                "language": "text/fhirpath",
                                "expression": _total_expression(section.id),
                            },
                        }
                    ],
                    "linkId": f"{section.id}_total",
                    "code": [
                        {
                            "system": LOINC,
                            "code": panel["total"],
                            "display": TOTAL_DISPLAY[panel["total"]],
                        }
                    ],
                    "text": TOTAL_TEXT[section.id],
                    "type": "integer",
                    "readOnly": True,
                }
            )
        group["item"] = items
        groups.append(group)
    data = {
        "resourceType": "Questionnaire",
        "id": "lantern-intake",
        "url": URL,
        "version": str(spec["version"]),
        "name": "LanternIntake",
        "title": "Lantern pre-visit intake",
        "status": "active",
        "subjectType": ["Patient"],
        "publisher": "Lantern",
        "description": (
            "Pre-visit intake asked by Lantern's waiting-room kiosk: identity (an appointment "
            "code, or first name and date of birth, depending on the clinic's setting), reason "
            "for the visit, medicines, health history, PHQ-9 and GAD-7. Generated from "
            "content/intake/questions.yml."
        ),
        "copyright": COPYRIGHT,
        "item": groups,
    }
    return validated(Questionnaire, data)


def main(argv: List[str]) -> int:
    """`python -m lantern.intake.questionnaire [--check]`: write (or check) questionnaire.json."""
    text = json.dumps(build_questionnaire(), indent=2, ensure_ascii=False) + "\n"
    if "--check" in argv:
        same = QUESTIONNAIRE_FILE.is_file() and QUESTIONNAIRE_FILE.read_text("utf-8") == text
        print("questionnaire.json is up to date" if same else "questionnaire.json is stale")
        return 0 if same else 1
    QUESTIONNAIRE_FILE.write_text(text, encoding="utf-8")
    print(f"wrote {QUESTIONNAIRE_FILE.name} (FHIR {__fhir_version__})")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
