"""PHQ-9 item 9 (thoughts of death or self-harm) is never lost (issue 17, defect 8).

Only a clear "not at all" is negative; anything else the reader can't place is
positive (crisis reply and urgent alert in the same turn), a refusal alerts staff as
a refusal, "go back" can't erase a positive answer from the stored record, and the
patient hears "a member of staff has been told" only when the alert was recorded
and the staff side is on. The form's actions run here with a real rasa_sdk Tracker
and CollectingDispatcher, the way the action server runs them.
"""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path
from typing import Any, Dict, Iterator, List

import pytest

from actions.intake import ITEM9_HISTORY, CancelIntake, PauseIntake, SubmitIntake
from lantern import staff
from lantern.intake import fhir, scoring, store
from lantern.intake.questions import ITEM9_UNCLEAR, PREFER_NOT, by_id, parse, read_item9
from tests.intake.kiosk import Kiosk, ids, text

TOLD = "has been told"
FRONT_DESK = "please tell the front desk now"

#: What a patient may type at item 9 that is not a clear "not at all".
UNREADABLE = [
    "yes",
    "a little",
    "rarely",
    "maybe",
    "I think about it",
    "not often",
    "not every day",
    "not really",
    "not at all, well sometimes",
    "purple elephant",
    "?",
]
REFUSALS = ["skip", "Prefer not to say", "I'd rather not say", "pass", "skip this one"]
CLEAR_NO = ["Not at all", "not at all", "Not at all.", "never", "no", "0", "none"]


@pytest.fixture(autouse=True)
def env(intake_stores: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Fresh staff and intake stores; the staff side on (a token is set)."""
    monkeypatch.setenv(staff.TOKEN_VARIABLE, "a-long-enough-staff-token-for-tests")
    yield intake_stores


def alerts(sender: str) -> List[Dict[str, Any]]:
    return [a for a in staff.open_handoffs() if a["conversation_id"] == sender]


def break_staff_store(var_dir: Path) -> None:
    (var_dir / "handoffs.sqlite").write_bytes(b"this is not a database" * 100)


# --- reading the answer ---------------------------------------------------------


@pytest.mark.parametrize("typed", CLEAR_NO)
def test_only_a_clear_not_at_all_is_negative(typed: str) -> None:
    assert read_item9(typed) == 0


@pytest.mark.parametrize("typed", UNREADABLE)
def test_anything_else_is_positive(typed: str) -> None:
    value = read_item9(typed)
    assert value not in (0, None, PREFER_NOT)
    assert scoring.item9_positive(value)


@pytest.mark.parametrize("typed", ["not often", "not every day", "not nearly every day"])
def test_a_negated_frequency_is_not_that_frequency(typed: str) -> None:
    """A negated frequency is neither "not at all" nor that frequency."""
    assert read_item9(typed) == ITEM9_UNCLEAR
    for qid in ("phq9_1", "gad7_3"):  # other items: asked again
        assert parse(by_id()[qid], typed) is None
    assert parse(by_id()["phq9_1"], "often") == 2  # the plain word still reads


@pytest.mark.parametrize(
    "typed, value", [("Several days", 1), ("nearly every day", 3), ("yes, most days", 2)]
)
def test_a_named_frequency_is_kept(typed: str, value: int) -> None:
    assert read_item9(typed) == value


@pytest.mark.parametrize("typed", REFUSALS)
def test_a_refusal_is_a_refusal(typed: str) -> None:
    assert read_item9(typed) == PREFER_NOT


# --- the form, turn by turn --------------------------------------------------------


@pytest.mark.parametrize("typed", UNREADABLE)
async def test_an_unreadable_answer_gets_the_crisis_reply_and_an_alert(typed: str) -> None:
    kiosk = Kiosk().at_item9()
    replies = await kiosk.answer(typed)
    assert "intake_reprompt" not in ids(replies)
    assert "didn't understand" not in text(replies)
    assert ids(replies)[0] == "safety_crisis"  # first, in the same turn
    assert scoring.item9_positive(kiosk.answers["phq9_9"])
    assert kiosk.asked == "go_on"
    [alert] = alerts(kiosk.sender)
    assert alert["urgent"] and alert["reason"] == "phq9_item9"
    assert TOLD in text(replies)  # recorded, staff side on


@pytest.mark.parametrize("typed", CLEAR_NO)
async def test_a_clear_not_at_all_moves_on_quietly(typed: str) -> None:
    kiosk = Kiosk().at_item9()
    replies = await kiosk.answer(typed)
    assert kiosk.answers["phq9_9"] == 0
    assert "safety_crisis" not in ids(replies)
    assert kiosk.asked == "gad7_1"
    assert alerts(kiosk.sender) == []


@pytest.mark.parametrize("typed", REFUSALS)
async def test_a_refusal_alerts_staff_as_a_refusal(typed: str) -> None:
    kiosk = Kiosk().at_item9()
    replies = await kiosk.answer(typed)
    assert "intake_reprompt" not in ids(replies)
    assert kiosk.answers["phq9_9"] == PREFER_NOT
    [alert] = alerts(kiosk.sender)
    assert alert["urgent"] and alert["reason"] == "phq9_item9_declined"
    assert "phq9_item9_declined" in staff.ALERT_REASONS
    assert ids(replies)[0] == "intake_item9_declined"
    assert "988" in text(replies)  # help lines of the default region (us) in the same turn
    assert kiosk.asked == "go_on"
    assert TOLD in text(replies)


async def test_go_back_then_not_at_all_keeps_the_first_positive_answer_on_record() -> None:
    kiosk = Kiosk().at_item9()
    await kiosk.answer("a little")
    first = kiosk.slots[ITEM9_HISTORY]
    assert first["first_positive"]["answer"] == ITEM9_UNCLEAR and first["first_positive"]["at"]
    back = await kiosk.go_back()
    assert ids(back) == ["intake_question"] and kiosk.asked == "phq9_9"
    await kiosk.answer("Several days")  # positive again: the first answer stays first
    await kiosk.go_back()
    await kiosk.answer("Not at all")
    assert kiosk.answers["phq9_9"] == 0
    assert kiosk.slots[ITEM9_HISTORY]["first_positive"] == first["first_positive"]
    for _ in range(7):  # GAD-7
        await kiosk.answer("Several days")
    assert kiosk.asked == "confirm"
    await kiosk.answer("yes")
    assert not kiosk.form_active
    await kiosk.run(SubmitIntake())
    assert ids(kiosk.messages) == ["intake_submitted"]
    [record] = store.list_today()
    assert record["urgent"] is True and "item9" in record["flags"]
    assert record["item9_ever_positive"] is True
    assert record["item9_first_positive"] == first["first_positive"]
    # the FHIR copy says so too, and the current answer is still the one given last
    resource = store.get_fhir(record["id"])
    assert resource is not None
    assert fhir.answers_from_response(resource)["phq9_9"] == 0
    assert fhir.item9_first_positive(resource) == first["first_positive"]
    # the open alert agrees with the record
    [alert] = alerts(kiosk.sender)
    assert alert["urgent"] and alert["reason"] == "phq9_item9"


async def test_a_positive_answer_after_a_refusal_makes_the_alert_positive() -> None:
    kiosk = Kiosk().at_item9()
    await kiosk.answer("skip")
    await kiosk.go_back()
    await kiosk.answer("Several days")
    history = kiosk.slots[ITEM9_HISTORY]
    assert history["declined_at"] and history["first_positive"]["answer"] == 1
    assert [a["reason"] for a in alerts(kiosk.sender)] == ["phq9_item9"]
    assert scoring.flags({"phq9_9": 1}, history) == ["item9", "item9_declined"]


async def test_stop_after_a_positive_answer_keeps_the_alert() -> None:
    kiosk = Kiosk().at_item9()
    await kiosk.answer("yes")
    await kiosk.run(CancelIntake())
    assert kiosk.slots[ITEM9_HISTORY] is None and kiosk.slots["intake_answers"] is None
    assert [a["reason"] for a in alerts(kiosk.sender)] == ["phq9_item9"]


# --- telling the patient the truth about the alert ----------------------------------


async def test_a_failed_alert_is_not_reported_as_told(env: Path) -> None:
    break_staff_store(env)
    kiosk = Kiosk().at_item9()
    replies = await kiosk.answer("Nearly every day")
    assert ids(replies)[0] == "safety_crisis"  # the crisis reply never depends on the store
    assert TOLD not in text(replies)
    assert FRONT_DESK in text(replies)
    assert kiosk.slots[ITEM9_HISTORY]["alerted"] is False


async def test_a_refusal_with_a_failed_alert_asks_for_the_front_desk(env: Path) -> None:
    break_staff_store(env)
    kiosk = Kiosk().at_item9()
    replies = await kiosk.answer("skip")
    assert TOLD not in text(replies) and FRONT_DESK in text(replies)


async def test_staff_side_off_asks_for_the_front_desk(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(staff.TOKEN_VARIABLE)
    kiosk = Kiosk().at_item9()
    replies = await kiosk.answer("Several days")
    assert ids(replies)[0] == "safety_crisis"
    assert alerts(kiosk.sender)  # recorded, but nobody can read it
    assert TOLD not in text(replies) and FRONT_DESK in text(replies)


@pytest.mark.parametrize("token", ["", "   "])
async def test_an_empty_staff_token_is_off(monkeypatch: pytest.MonkeyPatch, token: str) -> None:
    monkeypatch.setenv(staff.TOKEN_VARIABLE, token)
    assert not staff.staff_side_on()
    replies = await Kiosk().at_item9().answer("Several days")
    assert TOLD not in text(replies) and FRONT_DESK in text(replies)


async def test_a_token_the_staff_page_would_refuse_is_off(monkeypatch: pytest.MonkeyPatch) -> None:
    """E.g. one too short to be accepted: staff can't log in, so nobody has been told."""
    monkeypatch.setattr(staff, "authorized", lambda header: False)
    assert not staff.staff_side_on()
    replies = await Kiosk().at_item9().answer("Several days")
    assert TOLD not in text(replies) and FRONT_DESK in text(replies)


@pytest.mark.parametrize("case", ["told", "store broken", "staff side off"])
async def test_a_pause_tells_the_truth(
    case: str, env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if case == "store broken":
        break_staff_store(env)
    if case == "staff side off":
        monkeypatch.delenv(staff.TOKEN_VARIABLE)
    kiosk = Kiosk().at_item9()
    await kiosk.run(PauseIntake())
    said = text(kiosk.messages)
    assert ids(kiosk.messages) == ["intake_paused"]
    if case == "told":
        assert TOLD in said and FRONT_DESK not in said
    else:
        assert TOLD not in said and FRONT_DESK in said


async def test_crisis_words_while_item9_is_asked_count_as_a_positive_item9() -> None:
    """A crisis message in place of an answer pauses the form; item 9 remembers it."""
    kiosk = Kiosk().at_item9()
    kiosk.slots["requested_slot"] = None  # action_deactivate_loop after the crisis reply
    kiosk.form_active = False
    await kiosk.run(PauseIntake())
    assert kiosk.slots[ITEM9_HISTORY]["first_positive"]["answer"] == "crisis_message"
    # continuing, the patient answers "not at all": the record still shows the flag
    assert scoring.flags({"phq9_9": 0}, kiosk.slots[ITEM9_HISTORY]) == ["item9"]


async def test_an_alert_that_failed_is_recorded_when_the_intake_is_sent(env: Path) -> None:
    kiosk = Kiosk().at_item9()
    (env / "handoffs.sqlite").write_bytes(b"broken" * 100)
    await kiosk.answer("a little")
    assert kiosk.slots[ITEM9_HISTORY]["alerted"] is False
    (env / "handoffs.sqlite").unlink()  # the store works again
    kiosk.slots["intake_answers"] = {**kiosk.answers, "go_on": "no", "confirm": True}
    await kiosk.run(SubmitIntake())
    assert ids(kiosk.messages) == ["intake_submitted"]
    assert [a["reason"] for a in alerts(kiosk.sender)] == ["phq9_item9"]


def test_scores_and_flags_of_unclear_declined_and_revised_answers() -> None:
    first = {"first_positive": {"answer": 2, "at": "2026-11-21T09:00:00+00:00"}}
    assert scoring.flags({"phq9_9": ITEM9_UNCLEAR}) == ["item9"]
    assert scoring.flags({"phq9_9": PREFER_NOT}) == ["item9_declined"]
    assert scoring.flags({"phq9_9": 0}) == []
    assert scoring.flags({"phq9_9": 0}, first) == ["item9"]
    assert scoring.flags({"phq9_9": 0}, {"declined_at": "2026-11-21T09:00:00+00:00"}) == [
        "item9_declined"
    ]
    unclear = scoring.score({f"phq9_{n}": 1 for n in range(1, 9)} | {"phq9_9": ITEM9_UNCLEAR})
    assert unclear.phq9_total is None and unclear.item9_positive  # no frequency to add up
    revised = scoring.score({"phq9_9": 0}, first)
    assert not revised.item9_positive and revised.item9_ever_positive


# --- record_alert -------------------------------------------------------------------


def test_record_alert_says_whether_it_worked(env: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    assert staff.record_alert("kiosk-a", "phq9_item9") is True
    break_staff_store(env)
    assert staff.record_alert("kiosk-b", "phq9_item9") is False
    assert "lantern.staff.alert_failed error=DatabaseError" in caplog.text


def test_record_alert_fails_on_a_read_only_database(
    env: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    assert staff.record_alert("kiosk-a", "phq9_item9") is True
    connect = sqlite3.connect

    def read_only(path: Any, *args: Any, **kwargs: Any) -> sqlite3.Connection:
        return connect(f"file:{path}?mode=ro", *args, uri=True, **kwargs)

    monkeypatch.setattr(sqlite3, "connect", read_only)
    assert staff.record_alert("kiosk-b", "crisis_in_intake") is False
    assert "alert_failed" in caplog.text and "kiosk-b" not in caplog.text
