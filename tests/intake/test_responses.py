"""Every text of the intake is a domain response; the domain's intake model is small.

The question responses are generated from questions.yml (they must agree);
every response the actions name exists; the Python code keeps no sentence a
patient reads; the domain has a handful of intake slots and one answer mapping.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path
from typing import Any, Dict, List

import yaml

from actions import intake as actions
from lantern.intake import flow, responses
from lantern.intake.questions import (
    IDENTITY_MODES,
    NONE_DISPLAY,
    PREFER_NOT_DISPLAY,
    asked,
    questions,
)
from lantern.paths import ROOT, domain_files, read_domain

DOMAIN_TEXT = "".join(path.read_text(encoding="utf-8") for path in domain_files())
DOMAIN: Dict[str, Any] = read_domain()
RESPONSES: Dict[str, List[Dict[str, Any]]] = DOMAIN["responses"]
NAVIGATION = [
    {"title": "Go back", "payload": "go back"},
    {"title": "Stop and delete my answers", "payload": "stop"},
]
#: modules of the intake whose strings a patient could read if they held sentences
CODE = [ROOT / "actions" / "intake.py", ROOT / "lantern" / "intake" / "flow.py"]


def test_the_generated_question_responses_are_up_to_date() -> None:
    written = responses.QUESTIONS_FILE.read_text(encoding="utf-8")
    assert responses.document() == written, "run python -m lantern.intake.responses"
    assert responses.main(["--check"]) == 0
    own = yaml.safe_load(written)["responses"]
    assert set(own) == {n for n in RESPONSES if n.startswith(responses.PREFIX)}
    generated = {n for n in RESPONSES if n.startswith(responses.PREFIX)}
    assert generated == {responses.response_name(q.id) for q in questions()}


def test_each_question_response_asks_it_with_its_answers_and_navigation() -> None:
    firsts = {asked(mode)[0].id for mode in IDENTITY_MODES}
    for question in questions():
        [variation] = RESPONSES[responses.response_name(question.id)]
        assert question.text in variation["text"]
        assert variation["text"].endswith("(Question {intake_number} of {intake_total})")
        titles = [b["title"] for b in variation["buttons"]]
        expected = [o.display for o in question.options]
        expected += [NONE_DISPLAY] * question.none_option
        expected += [PREFER_NOT_DISPLAY] * question.prefer_not_to_say
        assert titles[: len(expected)] == expected
        navigation = variation["buttons"][len(expected) :]
        assert navigation == (NAVIGATION[1:] if question.id in firsts else NAVIGATION)
        assert variation["custom"] == {"answer_id": "intake_question", "question": question.id}
    phq9_2 = RESPONSES[responses.response_name("phq9_2")][0]["text"]
    assert phq9_2.startswith("Over the last 2 weeks: 2 of 9: Feeling down")


def _named_responses(path: Path) -> List[str]:
    """Response names the code utters: literals, and f-strings with their endings."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = []
    for node in ast.walk(tree):
        if isinstance(node, ast.keyword) and node.arg == "response":
            value = node.value
            if isinstance(value, ast.Constant):
                names.append(str(value.value))
            elif isinstance(value, ast.JoinedStr):
                parts = [p.value if isinstance(p, ast.Constant) else "*" for p in value.values]
                names.append("".join(map(str, parts)))
    return names


def test_every_response_the_actions_name_exists() -> None:
    named = _named_responses(ROOT / "actions" / "intake.py")
    assert len(named) >= 10
    for name in named:
        pattern = re.compile("^" + re.escape(name).replace(r"\*", "[a-z0-9_]+") + "$")
        assert any(pattern.match(r) for r in RESPONSES), name
    for step in flow.FORM_STEPS:
        assert f"utter_intake_reprompt_{step}" in RESPONSES
    for kind in (*actions.REPROMPT_TYPES, "choice"):
        assert f"utter_intake_reprompt_{kind}" in RESPONSES
    for kind in ("positive", "declined"):
        for told in ("told", "front_desk"):
            assert f"utter_ask_intake_go_on_{kind}_{told}" in RESPONSES
    for told in ("told", "front_desk"):
        assert f"utter_intake_paused_{told}" in RESPONSES
    types = {q.type for q in questions()}
    assert types <= {*actions.REPROMPT_TYPES, "choice", "scale", "yes_no"}


def _strings(path: Path) -> List[str]:
    """The string literals of a module, docstrings left out."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    return [
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and id(node) not in docstrings
    ]


def looks_like_a_sentence(value: str) -> bool:
    """Three words or more, or a capitalised phrase: text for a person, not a name or code."""
    if value.startswith("lantern."):  # a log event name with its fields
        return False
    words = [w for w in value.split() if re.search("[A-Za-z]", w)]
    return len(words) >= 3 or (len(words) >= 2 and value[:1].isupper())


def test_the_intake_code_keeps_no_sentence_a_patient_reads() -> None:
    assert looks_like_a_sentence("Please tap one of the buttons.")
    assert looks_like_a_sentence("Go back")
    assert not looks_like_a_sentence("utter_intake_reprompt_")
    for path in CODE:
        found = [s for s in _strings(path) if looks_like_a_sentence(s)]
        assert found == [], f"{path.name}: {found}"


def test_the_domain_has_a_handful_of_intake_slots_and_one_answer_mapping() -> None:
    intake = {name: slot for name, slot in DOMAIN["slots"].items() if name.startswith("intake_")}
    assert sorted(intake) == sorted(actions.SLOTS)
    assert DOMAIN["forms"]["intake_form"]["required_slots"] == [actions.ANSWER]
    [mapping] = intake[actions.ANSWER]["mappings"]
    assert mapping["type"] == "from_text"
    assert mapping["conditions"] == [
        {"active_loop": "intake_form", "requested_slot": actions.ANSWER}
    ]
    # every message a rule answers inside the form is never taken as an answer
    rules = yaml.safe_load((ROOT / "data" / "intake" / "rules.yml").read_text(encoding="utf-8"))
    inside = {
        step["intent"]
        for rule in rules["rules"]
        if {"active_loop": "intake_form"} in (rule.get("condition") or [])
        for step in rule["steps"]
        if "intent" in step
    }
    assert {"safety_crisis", "safety_check_in", "intake_stop", "handoff"} <= inside
    assert inside <= set(mapping["not_intent"])
    assert DOMAIN_TEXT.count("not_intent:") == 1
    intake_actions = [a for a in DOMAIN["actions"] if "intake" in str(a)]
    assert len(intake_actions) == 6  # validation, asker, submit, cancel, back, pause
