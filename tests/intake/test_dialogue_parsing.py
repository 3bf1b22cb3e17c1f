"""Reading intake answers, exact commands, and the steps each patient is asked."""

from __future__ import annotations

import datetime as dt

import pytest
import yaml

from lantern.intake.flow import steps
from lantern.intake.questions import PREFER_NOT, QUESTIONS_FILE, asked, parse, questions
from lantern.nlu.commands import command

Q = {q.id: q for q in questions()}
TODAY = dt.date(2026, 11, 21)


def test_every_word_in_questions_yml_is_text() -> None:
    """YAML reads a bare yes/no as a boolean; every option word must stay a string."""
    data = yaml.safe_load(QUESTIONS_FILE.read_text())
    options = data["scale_options"] + data["yes_no_options"]
    options += [o for q in data["questions"] for o in q.get("options", [])]
    for option in options:
        assert isinstance(option["code"], str)
        assert all(isinstance(word, str) for word in option.get("words", []))


@pytest.mark.parametrize("question", [q for q in questions() if q.options], ids=lambda q: q.id)
def test_every_button_reads_back_as_its_own_option(question) -> None:  # type: ignore[no-untyped-def]
    for option in question.options:
        expected = {"scale": option.value, "multi": [option.code]}.get(question.type, option.code)
        assert parse(question, option.display) == expected


@pytest.mark.parametrize(
    "qid, typed, value",
    [
        ("reason", "psychedelic therapy for my depression", "psychedelic"),
        ("reason", "spravato", "esketamine"),
        ("treatments_tried", "antidepressants and therapy", ["antidepressants", "therapy"]),
        ("treatments_tried", "no", ["none"]),
        ("med_lithium", "I don't know", "unsure"),
        ("med_lithium", "nope", "no"),
        ("hx_pregnancy", "prefer not to say", PREFER_NOT),
        ("phq9_1", "2", 2),
        ("phq9_1", "every day", 3),
        ("phq9_9", "not at all", 0),
        ("birth_date", "14 March 1985", "1985-03-14"),
        ("birth_date", "March 14, 1985", "1985-03-14"),
        ("birth_date", "1985-03-14", "1985-03-14"),
        ("birth_date", "25/12/1990", "1990-12-25"),
        ("appointment_code", "ab 12 cd", "AB12CD"),
        ("medicines", "Sertraline 50mg", "Sertraline 50mg"),
        ("medicines", "none", "none"),
    ],
)
def test_typed_answers(qid: str, typed: str, value: object) -> None:
    assert parse(Q[qid], typed, today=TODAY) == value


@pytest.mark.parametrize(
    "qid, typed",
    [
        ("reason", "purple elephant"),
        ("phq9_1", "7"),
        ("phq9_1", "yes"),  # not an answer on the frequency scale
        ("med_lithium", "banana"),
        ("birth_date", "03/04/1985"),  # March or April? ask again
        ("birth_date", "2030-01-01"),  # in the future
        ("birth_date", "1850-01-01"),
        ("appointment_code", "!"),
        ("medicines", "x" * 501),
        ("med_lithium", "   "),
    ],
)
def test_answers_that_are_asked_again(qid: str, typed: str) -> None:
    assert parse(Q[qid], typed, today=TODAY) is None


def test_prefer_not_to_say_only_where_offered() -> None:
    assert parse(Q["phq9_1"], "prefer not to say") is None  # the PHQ-9 is scored as published


@pytest.mark.parametrize(
    "typed, intent",
    [
        ("stop", "intake_stop"),
        ("Stop!", "intake_stop"),
        ("go back", "intake_back"),
        ("Continue", "intake_continue"),
        ("start my intake", "intake_start"),
        ("how do I stop ketamine?", None),
        ("I can't go back to how I was", None),
    ],
)
def test_exact_commands(typed: str, intent: str | None) -> None:
    assert command(typed) == intent


def test_identity_mode_decides_the_identity_questions(monkeypatch: pytest.MonkeyPatch) -> None:
    assert [q.id for q in asked("appointment_code")][0] == "appointment_code"
    names = [q.id for q in asked("name_and_birth_date")]
    assert names[:2] == ["first_name", "birth_date"] and "appointment_code" not in names
    monkeypatch.setenv("LANTERN_INTAKE_IDENTITY", "name_and_birth_date")
    assert steps({})[:3] == ["consent", "first_name", "birth_date"]


def test_item9_adds_the_go_on_step_and_no_skips_to_the_summary() -> None:
    base = steps({})
    assert "go_on" not in base and base[0] == "consent" and base[-1] == "confirm"
    positive = steps({"phq9_9": 1})
    assert positive[positive.index("phq9_9") + 1] == "go_on"
    declined = steps({"phq9_9": "prefer_not_to_say"})
    assert declined[declined.index("phq9_9") + 1] == "go_on"
    stopped = steps({"phq9_9": 2, "go_on": "no"})
    assert stopped[-2:] == ["go_on", "confirm"] and "gad7_1" not in stopped
    assert steps({"phq9_9": 0, "go_on": "no"}) == base  # a stale "no" skips nothing
    assert steps({"consent": False}) == ["consent"]
