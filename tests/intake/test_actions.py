"""The intake form's actions with rasa_sdk's Tracker and CollectingDispatcher (no servers).

`ValidateIntakeForm` files each answer under the step asked and sets the next;
`AskIntakeAnswer` asks it; `IntakeGoBack` drops the previous answer;
`SubmitIntake` stores only a confirmed intake; `CancelIntake` forgets it all.
PHQ-9 item 9 has its own file (test_item9.py).
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterator

import pytest
from rasa_sdk.events import SlotSet

from actions.intake import (
    ANSWER,
    ANSWERS,
    ITEM9_HISTORY,
    QUESTION,
    CancelIntake,
    IntakeGoBack,
    SubmitIntake,
    ValidateIntakeForm,
)
from lantern.intake import store
from lantern.intake.flow import steps
from tests.intake.kiosk import Kiosk, ids, payloads, text

QUESTIONS = len(steps({})) - 2  # without consent and confirm


@pytest.fixture(autouse=True)
def env(intake_stores: Path) -> Iterator[Path]:
    """Fresh intake and staff stores; the default identity mode."""
    yield intake_stores


async def test_the_form_starts_with_consent_and_its_retention() -> None:
    kiosk = Kiosk()
    replies = await kiosk.start()
    assert ids(replies) == ["intake_consent"] and kiosk.asked == "consent"
    assert f"deleted after {store.retention_days()} days" in text(replies)
    assert payloads(replies) == ["yes", "no"]
    assert kiosk.slots[ANSWER] is None and kiosk.answers == {}


async def test_consent_then_the_first_question_numbered_without_go_back() -> None:
    kiosk = Kiosk()
    await kiosk.start()
    replies = await kiosk.answer("Yes")
    assert kiosk.answers == {"consent": True} and kiosk.asked == "appointment_code"
    assert ids(replies) == ["intake_question"]
    assert f"(question 1 of {QUESTIONS})" in text(replies)
    assert payloads(replies) == ["stop"]  # nothing to go back to yet
    replies = await kiosk.answer("ab 12 cd")
    assert kiosk.answers["appointment_code"] == "AB12CD" and kiosk.asked == "reason"
    assert f"(question 2 of {QUESTIONS})" in text(replies)
    assert payloads(replies)[-3:] == ["Prefer not to say", "go back", "stop"]


async def test_an_unclear_consent_is_asked_again() -> None:
    kiosk = Kiosk()
    await kiosk.start()
    replies = await kiosk.answer("what is this?")
    assert ids(replies) == ["intake_reprompt", "intake_consent"]
    assert kiosk.answers == {} and kiosk.asked == "consent"


async def test_refused_consent_ends_the_form_and_stores_nothing() -> None:
    kiosk = Kiosk()
    await kiosk.start()
    replies = await kiosk.answer("no")
    assert replies == [] and not kiosk.form_active and kiosk.asked is None
    events = await kiosk.run(SubmitIntake())
    assert ids(kiosk.messages) == ["intake_declined"]
    assert SlotSet(ANSWERS, None) in events and SlotSet(ITEM9_HISTORY, None) in events
    assert store.list_today() == []


@pytest.mark.parametrize(
    "step, typed, reprompt",
    [
        ("appointment_code", "!", "intake_reprompt_code"),
        ("reason", "purple elephant", "intake_reprompt_choice"),
        ("treatments_tried", "purple elephant", "intake_reprompt_multi"),
        ("medicines", "x" * 501, "intake_reprompt_text"),
        ("phq9_1", "7", "intake_reprompt_choice"),
        ("confirm", "no", "intake_reprompt_confirm"),
    ],
)
async def test_an_answer_that_cant_be_read_is_asked_again_kindly(
    step: str, typed: str, reprompt: str
) -> None:
    kiosk = Kiosk().at(step)
    before = kiosk.answers
    replies = await kiosk.answer(typed)
    assert [m["response"] for m in replies][0] == f"utter_{reprompt}"
    custom = replies[0]["custom"]
    assert custom == {"answer_id": "intake_reprompt", "question": step}
    assert kiosk.answers == before and kiosk.asked == step  # the same step, asked again
    assert custom["answer_id"] in ids(replies) and len(replies) == 2


async def test_the_birth_date_mode_asks_name_and_date(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LANTERN_INTAKE_IDENTITY", "name_and_birth_date")
    kiosk = Kiosk()
    await kiosk.start()
    await kiosk.answer("yes")
    assert kiosk.asked == "first_name"
    await kiosk.answer("Sam")
    replies = await kiosk.answer("03/04/1985")  # March or April?
    assert ids(replies)[0] == "intake_reprompt" and "14 march 1985" in text(replies)
    await kiosk.answer("14 March 1985")
    assert kiosk.answers["birth_date"] == "1985-03-14" and kiosk.asked == "reason"


async def test_an_answer_is_filed_only_under_the_step_asked_now() -> None:
    kiosk = Kiosk().at("reason")
    kiosk.slots[QUESTION] = "appointment_code"  # stale: already answered
    await kiosk.answer("Depression")
    assert kiosk.answers["appointment_code"] == "AB12CD"  # not overwritten
    assert "reason" not in kiosk.answers and kiosk.asked == "reason"  # asked, not guessed


async def test_the_summary_shows_the_answers_and_no_scores() -> None:
    kiosk = Kiosk().at(
        "confirm", medicines="Sertraline, vitamin D", hx_pregnancy="prefer_not_to_say"
    )
    kiosk.slots[QUESTION] = "gad7_7"
    kiosk.slots[ANSWERS].pop("confirm", None)
    kiosk.slots[ANSWERS].pop("gad7_7")
    replies = await kiosk.answer("Nearly every day")
    assert ids(replies) == ["intake_summary"] and kiosk.asked == "confirm"
    shown = text(replies)
    assert "- current medicines: sertraline, vitamin d" in shown
    assert "- pregnant or breastfeeding: prefer not to say" in shown
    assert "- gad-7 7: nearly every day" in shown and "consent" not in shown
    for hidden in ("score", "total", "severe", "moderate", "mild", "eligib"):
        assert hidden not in shown
    assert payloads(replies) == ["yes", "go back", "stop"]
    await kiosk.answer("yes")
    assert not kiosk.form_active and kiosk.answers["confirm"] is True


async def test_go_back_drops_the_previous_answer_and_asks_it() -> None:
    kiosk = Kiosk().at("treatments_tried", reason="chronic_pain")
    replies = await kiosk.go_back()
    assert kiosk.asked == "reason" and "reason" not in kiosk.answers
    assert ids(replies) == ["intake_question"] and replies[0]["custom"]["question"] == "reason"
    await kiosk.answer("Ketamine treatment information")
    assert kiosk.answers["reason"] == "ketamine" and kiosk.asked == "treatments_tried"


async def test_go_back_past_go_on_asks_item9_again_and_keeps_its_history() -> None:
    kiosk = Kiosk().at("gad7_1", phq9_9=2)
    kiosk.slots[ITEM9_HISTORY] = {"first_positive": {"answer": 2, "at": "x"}, "alerted": True}
    await kiosk.go_back()
    assert kiosk.asked == "phq9_9"
    assert "phq9_9" not in kiosk.answers and "go_on" not in kiosk.answers
    assert kiosk.slots[ITEM9_HISTORY]["first_positive"]["answer"] == 2


async def test_go_back_at_the_first_question_changes_nothing() -> None:
    kiosk = Kiosk().at("appointment_code")
    assert await kiosk.run(IntakeGoBack()) == []
    replies = await kiosk.form()
    assert kiosk.asked == "appointment_code" and ids(replies) == ["intake_question"]


async def test_no_more_questions_after_item9_goes_to_the_summary() -> None:
    kiosk = Kiosk().at("go_on", phq9_9=1)
    replies = await kiosk.answer("No")
    assert kiosk.answers["go_on"] == "no" and kiosk.asked == "confirm"
    assert ids(replies) == ["intake_summary"] and "gad-7" not in text(replies)


async def test_submit_stores_the_question_answers_and_clears_the_slots() -> None:
    kiosk = Kiosk().at("confirm")
    kiosk.slots[ANSWERS] = {**kiosk.answers, "confirm": True}
    kiosk.slots["requested_slot"] = None
    events = await kiosk.run(SubmitIntake())
    assert ids(kiosk.messages) == ["intake_submitted"]
    assert "sent securely" in text(kiosk.messages)
    cleared = {e["name"] for e in events if e["event"] == "slot" and e["value"] is None}
    assert {ANSWER, ANSWERS, QUESTION, ITEM9_HISTORY, "requested_slot"} <= cleared
    [record] = store.list_today()
    assert record["appointment_code"] == "AB12CD" and record["phq9_total"] == 0
    assert record["gad7_total"] == 0 and record["flags"] == []


async def test_submit_says_so_when_the_store_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(store.KEY_VARIABLE)
    monkeypatch.setenv(store.KEY_VARIABLE, "not a key")
    kiosk = Kiosk().at("confirm")
    kiosk.slots[ANSWERS] = {**kiosk.answers, "confirm": True}
    events = await kiosk.run(SubmitIntake())
    assert ids(kiosk.messages) == ["intake_save_failed"]
    assert payloads(kiosk.messages) == ["continue", "stop"]
    assert all(e["name"] != ANSWERS for e in events)  # kept for "try again"


async def test_stop_forgets_everything() -> None:
    kiosk = Kiosk().at("med_maoi", med_lithium="yes")
    events = await kiosk.run(CancelIntake())
    assert ids(kiosk.messages) == ["intake_cancelled"] and "deleted" in text(kiosk.messages)
    assert kiosk.slots[ANSWERS] is None and kiosk.slots[QUESTION] is None
    assert SlotSet("requested_slot", None) in events
    assert store.list_today() == []


async def test_the_form_requires_the_answer_slot_until_every_step_is_answered() -> None:
    form = ValidateIntakeForm()
    domain_slots = [ANSWER]
    kiosk = Kiosk().at("confirm")
    assert await form.required_slots(domain_slots, None, kiosk.tracker(), {}) == [ANSWER]  # type: ignore[arg-type]
    kiosk.slots[ANSWERS] = {**kiosk.answers, "confirm": True}
    assert await form.required_slots(domain_slots, None, kiosk.tracker(), {}) == []  # type: ignore[arg-type]
