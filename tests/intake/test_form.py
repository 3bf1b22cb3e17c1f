"""The kiosk intake form over REST: happy path, re-prompts, go back, stop, consent, safety."""

from __future__ import annotations

import re
import uuid
from typing import Any, Dict, Iterator, List

import pytest

from tests.conftest import answer_ids
from tests.servers import Servers

pytestmark = pytest.mark.server

NO_MEDS = ["No"] * 6  # lithium, MAOI, SSRI/SNRI, other antidepressant, stimulant, benzodiazepine
HISTORY = ["No", "No", "No", "Prefer not to say", "No"]
PHQ9 = ["Several days", "More than half the days", "Not at all", "Nearly every day"] + [
    "Not at all"
] * 5
GAD7 = ["Several days"] * 7


@pytest.fixture
def store_env(servers: Servers, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Read the running server's intake store from the test process."""
    servers.share_store_env(monkeypatch)
    yield


def stored(code: str) -> List[Dict[str, Any]]:
    """Today's stored intakes with this appointment code."""
    from lantern.intake import store

    return [r for r in store.list_today() if code in str(r)]


def text(messages: list) -> str:
    return " ".join(m.get("text") or "" for m in messages)


def asked(messages: list) -> str | None:
    """The question id the bot is asking now (from the last intake custom payload)."""
    for m in reversed(messages):
        custom = m.get("custom") or {}
        if custom.get("answer_id") in ("intake_question", "intake_consent", "intake_summary"):
            return str(custom.get("question"))
    return None


def progress(messages: list) -> list:
    """[question number, number of questions] from the question's "(Question n of m)" line."""
    found = re.search(r"\(Question (\d+) of (\d+)\)", text(messages))
    assert found, messages
    return [int(found[1]), int(found[2])]


def payloads(messages: list) -> list:
    return [b["payload"] for m in messages for b in m.get("buttons") or []]


def code() -> str:
    return "T" + uuid.uuid4().hex[:7].upper()


def start(servers: Servers, sender: str, appointment: str) -> list:
    """Start, consent, identify: returns the reply asking the reason for the visit."""
    first = servers.send(sender, "start my intake")
    assert answer_ids(first) == ["intake_consent"]
    assert "encrypted" in text(first) and "stop at any time" in text(first)
    code_question = servers.send(sender, "yes")
    assert asked(code_question) == "appointment_code"
    assert progress(code_question)[0] == 1
    assert "go back" not in payloads(code_question)  # nothing to go back to yet
    reason = servers.send(sender, appointment)
    assert progress(reason)[0] == 2 and "go back" in payloads(reason)
    return reason


def answer_all(servers: Servers, sender: str, answers: List[str]) -> list:
    reply: list = []
    for answer in answers:
        reply = servers.send(sender, answer)
        assert "intake_reprompt" not in answer_ids(reply), (answer, reply)
    return reply


def test_happy_path_stores_the_intake_and_shows_no_scores(
    servers: Servers, sender: str, store_env: None
) -> None:
    appointment = code()
    assert asked(start(servers, sender, appointment)) == "reason"
    summary = answer_all(
        servers,
        sender,
        ["Depression", "antidepressants and therapy", "Sertraline, vitamin D"]
        + NO_MEDS
        + HISTORY
        + PHQ9
        + GAD7,
    )
    assert answer_ids(summary) == ["intake_summary"]
    shown = text(summary)
    assert "Sertraline, vitamin D" in shown and "Talking therapy" in shown
    assert "Prefer not to say" in shown
    for hidden in ("score", "total", "severe", "moderate", "mild", "eligib"):
        assert hidden not in shown.lower()
    assert stored(appointment) == []  # nothing stored before the patient confirms
    done = servers.send(sender, "yes")
    assert answer_ids(done) == ["intake_submitted"]
    assert "eligib" not in text(done).lower() and "score" not in text(done).lower()
    [record] = stored(appointment)
    assert record["phq9_total"] == 1 + 2 + 0 + 3
    assert record["gad7_total"] == 7
    # the form is over: a question is answered normally again
    assert "ketamine_addiction_risk" in answer_ids(servers.send(sender, "is ketamine addictive?"))


def test_invalid_answer_is_asked_again_kindly(servers: Servers, sender: str) -> None:
    start(servers, sender, code())
    reply = servers.send(sender, "purple elephant")
    assert answer_ids(reply)[0] == "intake_reprompt"
    assert asked(reply) == "reason"
    assert asked(servers.send(sender, "PTSD")) == "treatments_tried"
    reply = answer_all(servers, sender, ["therapy", "none"] + NO_MEDS + HISTORY)
    assert asked(reply) == "phq9_1"
    bad = servers.send(sender, "7")
    assert answer_ids(bad)[0] == "intake_reprompt" and asked(bad) == "phq9_1"


def test_go_back_edits_the_previous_answer(servers: Servers, sender: str) -> None:
    start(servers, sender, code())
    assert asked(servers.send(sender, "Chronic pain")) == "treatments_tried"
    back = servers.send(sender, "go back")
    assert asked(back) == "reason"
    assert asked(servers.send(sender, "Ketamine treatment information")) == "treatments_tried"
    summary = answer_all(servers, sender, ["ECT or TMS", "none"] + NO_MEDS + HISTORY + PHQ9 + GAD7)
    assert "Reason for visit: Ketamine treatment information" in text(summary)
    assert "Chronic pain" not in text(summary)


def test_stop_deletes_everything_and_stores_nothing(
    servers: Servers, sender: str, store_env: None
) -> None:
    appointment = code()
    start(servers, sender, appointment)
    answer_all(servers, sender, ["Depression", "therapy", "lithium"])
    stopped = servers.send(sender, "stop")
    assert answer_ids(stopped) == ["intake_cancelled"]
    assert "deleted" in text(stopped)
    assert stored(appointment) == []
    # nothing is left in the conversation: continuing starts again from consent
    assert answer_ids(servers.send(sender, "continue")) == ["intake_consent"]


def test_refused_consent_stores_nothing(servers: Servers, sender: str, store_env: None) -> None:
    assert answer_ids(servers.send(sender, "start my intake")) == ["intake_consent"]
    reply = servers.send(sender, "no")
    assert answer_ids(reply) == ["intake_declined"]
    assert "nothing has been stored" in text(reply)
    assert "ketamine_overview" in answer_ids(servers.send(sender, "what is ketamine?"))


def test_item9_positive_gives_the_crisis_reply_and_an_urgent_staff_alert(
    servers: Servers, sender: str, store_env: None
) -> None:
    from lantern import staff

    appointment = code()
    start(servers, sender, appointment)
    answer_all(servers, sender, ["Depression", "therapy", "none"] + NO_MEDS + HISTORY + PHQ9[:8])
    reply = servers.send(sender, "Several days")  # item 9: thoughts of self-harm
    ids = answer_ids(reply)
    assert ids[0] == "safety_crisis"
    assert asked(reply) == "go_on" or "go on" in text(reply).lower()
    alerts = [a for a in staff.open_handoffs() if a["conversation_id"] == sender]
    assert alerts and all(a.get("urgent") for a in alerts)
    assert "phq9_item9" in {a.get("reason") for a in alerts}
    # the patient chooses to go on; later answers get the "Get help now" button
    assert asked(servers.send(sender, "yes")) == "gad7_1"
    answer_all(servers, sender, GAD7)
    assert answer_ids(servers.send(sender, "yes")) == ["intake_submitted"]
    [record] = stored(appointment)
    assert "item9" in record["flags"]
    after = servers.send(sender, "what are the side effects of ketamine?")
    assert {"title": "Get help now", "payload": "/get_help"} in [
        b for m in after for b in m.get("buttons") or []
    ]


def test_item9_patient_may_stop_after_the_crisis_reply(servers: Servers, sender: str) -> None:
    start(servers, sender, code())
    answer_all(servers, sender, ["Depression", "therapy", "none"] + NO_MEDS + HISTORY + PHQ9[:8])
    assert answer_ids(servers.send(sender, "Nearly every day"))[0] == "safety_crisis"
    summary = servers.send(sender, "no")  # no more questions: straight to the summary
    assert answer_ids(summary) == ["intake_summary"]
    assert "GAD-7" not in text(summary)
