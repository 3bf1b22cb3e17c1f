"""When the screen and the risk model disagree, which safety reading wins."""

from __future__ import annotations

from typing import Dict

import pytest

from lantern.safety.arbitration import Screened, Thresholds, arbitrate, crisis_first

LIMITS = Thresholds(decisive=0.65, check_in=0.35)
PHRASE = Screened("safety_crisis", by_phrase=True)


def scores(**given: float) -> Dict[str, float]:
    return {"crisis": 0.0, "emergency": 0.0, "active_use": 0.0, "abuse": 0.0} | given


def test_a_crisis_the_screens_phrases_found_is_never_renamed_active_use() -> None:
    # "I'm tripping on shrooms right now and I want to kill myself"
    got = arbitrate(scores(crisis=0.27, active_use=0.73), "safety_crisis", PHRASE, LIMITS)
    assert got is None  # the screen's crisis stands


def test_active_use_the_model_is_sure_of_replaces_the_classifiers_crisis() -> None:
    # "bro my hands are melting into the couch" read as a crisis by the intent classifier
    got = arbitrate(scores(active_use=0.96), "safety_crisis", Screened("safety_crisis"), LIMITS)
    assert got == "safety_active_use"


def test_active_use_does_not_replace_a_crisis_while_the_model_also_reads_one() -> None:
    got = arbitrate(
        scores(crisis=0.4, active_use=0.9), "safety_crisis", Screened("safety_crisis"), LIMITS
    )
    assert got is None


def test_an_emergency_the_model_is_sure_of_replaces_a_crisis_phrase_only_when_very_sure() -> None:
    # "I took all my pills an hour ago, my heart is doing strange things"
    very = arbitrate(scores(emergency=0.95), "safety_crisis", PHRASE, LIMITS)
    assert very == "safety_emergency"
    fairly = arbitrate(scores(emergency=0.7), "safety_crisis", PHRASE, LIMITS)
    assert fairly is None


def test_a_crisis_replaces_an_emergency_phrase_when_very_sure() -> None:
    # "thinking about taking the whole bottle tonight" (the screen: an overdose)
    got = arbitrate(
        scores(crisis=0.96), "safety_emergency", Screened("safety_emergency", True), LIMITS
    )
    assert got == "safety_crisis"


def test_abuse_outranks_the_screens_violence_unless_crisis_is_sure_too() -> None:
    screened = Screened("safety_crisis")
    assert arbitrate(scores(crisis=0.36, abuse=0.7), "safety_crisis", screened, LIMITS) == (
        "safety_abuse"
    )
    assert arbitrate(scores(crisis=0.9, abuse=0.66), "safety_crisis", screened, LIMITS) is None
    # sure of both, and of the abuse clearly more
    assert arbitrate(scores(crisis=0.7, abuse=0.95), "safety_crisis", screened, LIMITS) == (
        "safety_abuse"
    )


@pytest.mark.parametrize("intent", ["safety_crisis", "safety_emergency"])
def test_the_classifiers_lone_reading_with_no_risk_read_is_asked_about(intent: str) -> None:
    # "Do you offer appointments where no one else has to know?"
    assert arbitrate(scores(crisis=0.02), intent, Screened(intent), LIMITS) == "safety_check_in"


def test_a_phrase_the_screen_found_is_never_vetoed() -> None:
    got = arbitrate(scores(), "safety_crisis", PHRASE, LIMITS)
    assert got is None


def test_decline_phrases_stand_unless_the_model_is_very_sure_of_risk() -> None:
    phrase = Screened("request_dosing", True)
    assert arbitrate(scores(crisis=0.9), "request_dosing", phrase, LIMITS) is None
    assert arbitrate(scores(crisis=0.98), "request_dosing", phrase, LIMITS) == "safety_crisis"
    # never a check-in over a decline
    assert arbitrate(scores(crisis=0.5), "request_dosing", phrase, LIMITS) is None


def test_without_a_screen_reading_the_three_outcomes_hold() -> None:
    none = Screened()
    assert arbitrate(scores(crisis=0.7), "ask_what_is", none, LIMITS) == "safety_crisis"
    assert arbitrate(scores(crisis=0.4), "ask_what_is", none, LIMITS) == "safety_check_in"
    assert arbitrate(scores(crisis=0.2), "ask_what_is", none, LIMITS) is None
    # a classifier-read decline: only a very sure reading, never a check-in
    assert arbitrate(scores(crisis=0.8), "request_dosing", none, LIMITS) is None
    assert arbitrate(scores(crisis=0.95), "request_dosing", none, LIMITS) == "safety_crisis"


def test_abuse_with_a_crisis_read_beside_it_gets_the_crisis_reply_first() -> None:
    # "he hits me, and some days the only way out I can see is not being here"
    limits = Thresholds(decisive=0.65, check_in=0.35, crisis_beside=0.15)
    assert crisis_first("safety_abuse", scores(abuse=0.7, crisis=0.2), limits) == (
        "safety_crisis",
        "safety_abuse",
    )
    assert crisis_first("safety_active_use", scores(active_use=0.8, crisis=0.3), limits) == (
        "safety_crisis",
        "safety_active_use",
    )


def test_abuse_alone_and_other_readings_keep_their_own_reply() -> None:
    limits = Thresholds(decisive=0.65, check_in=0.35, crisis_beside=0.15)
    assert crisis_first("safety_abuse", scores(abuse=0.9, crisis=0.1), limits) == (
        "safety_abuse",
        None,
    )
    # an emergency reply already carries what a crisis beside it needs; a decline is no risk
    for intent in ("safety_emergency", "request_dosing", None):
        assert crisis_first(intent, scores(crisis=0.5), limits) == (intent, None)
