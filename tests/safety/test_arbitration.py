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
    limits = Thresholds(decisive=0.65, check_in=0.35, crisis_beside=0.45)
    assert crisis_first("safety_abuse", scores(abuse=0.7, crisis=0.5), limits) == (
        "safety_crisis",
        "safety_abuse",
    )
    # "he choked me last week": abuse alone
    assert crisis_first("safety_abuse", scores(abuse=0.9, crisis=0.2), limits) == (
        "safety_abuse",
        None,
    )


def test_a_bad_trip_gets_the_crisis_reply_first_only_beside_a_decisive_crisis() -> None:
    limits = Thresholds(decisive=0.65, check_in=0.35, crisis_beside=0.45)
    # "make it stop" is said in a bad trip: an unsure crisis reading keeps active use
    unsure = crisis_first("safety_active_use", scores(active_use=0.8, crisis=0.5), limits)
    assert unsure == ("safety_active_use", None)
    sure = crisis_first("safety_active_use", scores(active_use=0.8, crisis=0.7), limits)
    assert sure == ("safety_crisis", "safety_active_use")


def test_an_emergency_read_less_surely_than_a_crisis_gets_both_replies_crisis_first() -> None:
    # "would a whole bottle of sleeping pills with ketamine do the trick"
    limits = Thresholds(decisive=0.65, check_in=0.35)
    both = crisis_first("safety_emergency", scores(emergency=0.2, crisis=0.7), limits)
    assert both == ("safety_crisis", "safety_emergency")
    # the screen's emergency phrase ("my friend is OD'ing") keeps the emergency reply first
    phrase = Screened("safety_emergency", by_phrase=True)
    kept = crisis_first("safety_emergency", scores(emergency=0.0, crisis=0.8), limits, phrase)
    assert kept == ("safety_emergency", None)
    # "I took 30 paracetamol an hour ago": read as an emergency more than a crisis
    alone = crisis_first("safety_emergency", scores(emergency=0.9, crisis=0.6), limits)
    assert alone == ("safety_emergency", None)
    for intent in ("request_dosing", None):  # a decline or no reading is no risk
        assert crisis_first(intent, scores(crisis=0.5), limits) == (intent, None)


def test_a_crisis_with_abuse_read_beside_it_gets_the_abuse_reply_after() -> None:
    # "he hits me when he drinks and I don't want to be alive anymore"
    limits = Thresholds(decisive=0.65, check_in=0.35, abuse_beside=0.3)
    assert crisis_first("safety_crisis", scores(crisis=0.9, abuse=0.4), limits) == (
        "safety_crisis",
        "safety_abuse",
    )
    assert crisis_first("safety_crisis", scores(crisis=0.9, abuse=0.2), limits) == (
        "safety_crisis",
        None,
    )


def test_a_decline_with_an_unsure_crisis_reading_asks_first() -> None:
    # "where can i buy enough of it to die in my sleep" read as a sourcing question
    limits = Thresholds(decisive=0.65, check_in=0.35, over_decline=0.6, decline_check_in=0.5)
    phrase = Screened("request_sourcing", by_phrase=True)
    assert arbitrate(scores(crisis=0.55), "request_sourcing", phrase, limits) == "safety_check_in"
    assert arbitrate(scores(crisis=0.4), "request_sourcing", phrase, limits) is None
    by_classifier = arbitrate(scores(crisis=0.55), "request_dosing", Screened(), limits)
    assert by_classifier == "safety_check_in"
    # switched off (None): a decline phrase stands below decline_override
    off = Thresholds(decisive=0.65, check_in=0.35, over_decline=0.6)
    assert arbitrate(scores(crisis=0.55), "request_sourcing", phrase, off) is None
