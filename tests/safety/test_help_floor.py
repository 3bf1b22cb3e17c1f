"""Every reply that is not a vetted answer ends with the region's crisis and emergency numbers.

The floor line (`help_floor`, lantern/nlg.py) is checked where each such reply is
made: the domain's out-of-scope and menu replies (rendered for every region), the
actions' "Did you mean" and "Which one do you mean?", and the guard's
service-unavailable and too-long replies. Vetted answers do not get it.
`test_help_floor_http.py` checks the same over HTTP.
"""

from __future__ import annotations

import re
from typing import Any, Dict, List

import pytest

from actions.answer import ActionAnswer
from actions.fallback import ActionDidYouMean
from actions.knowledge_base import knowledge_base
from lantern.channels import guard, rest
from lantern.nlg import crisis_short, help_floor, render, response_variables
from lantern.safety.helplines import helplines
from tests.dialogue.test_actions import entity, run, tracker

REGIONS = sorted(helplines().regions)
#: Domain responses that are not vetted answers.
FLOOR_RESPONSES = ["utter_out_of_scope", "utter_menu"]


def digits(text: str) -> str:
    """The digits of `text`, so "116 123" and "116123" compare equal."""
    return re.sub(r"\D", "", text)


def region_numbers(code: str) -> List[str]:
    """What a reply must show for region `code`: its crisis and emergency numbers.

    The first crisis number to call and every emergency number, from the data the
    buttons use; a region with none (unknown country) must show its texts instead.
    """
    region = helplines().region(code)
    crisis = [t.number for t in region.taps("crisis") if t.verb == "call"][:1]
    emergency = [t.number for t in region.taps("emergency")]
    return (crisis or [region.crisis_line]) + (emergency or [region.emergency_number])


def shows_numbers(text: str, code: str) -> bool:
    """Whether `text` gives every one of the region's crisis and emergency numbers."""
    wanted = region_numbers(code)
    return all((digits(n) in digits(text)) if digits(n) else (n in text) for n in wanted) and bool(
        wanted
    )


def test_the_floor_line_is_short_and_built_from_the_regions_data() -> None:
    us = response_variables("us")["help_floor"]
    assert us == "If you're in crisis, call or text 988, or call 911 in an emergency."
    uk = helplines().region("uk")
    assert help_floor(uk) == "If you're in crisis, call 116 123, or call 999 in an emergency."
    au = helplines().region("au")
    assert crisis_short(au) == "call 13 11 14 or text 0477 13 11 14"
    other = helplines().region("other")
    assert crisis_short(other) == other.crisis_line  # no number: the text itself
    for code in REGIONS:
        line = response_variables(code)["help_floor"]
        assert shows_numbers(line, code), (code, line)
        assert line.count(".") <= 2 and len(line) < 170, line  # one short line


@pytest.mark.parametrize("region", REGIONS)
@pytest.mark.parametrize("name", FLOOR_RESPONSES)
def test_out_of_scope_and_the_menu_end_with_the_floor(name: str, region: str) -> None:
    message = render(name, region)
    floor = response_variables(region)["help_floor"]
    assert message["text"].endswith(floor)
    assert shows_numbers(message["text"], region)
    assert message["buttons"]  # the topics are still offered


def _texts(messages: List[Dict[str, Any]]) -> List[str]:
    return [m["text"] for m in messages if m.get("text")]


@pytest.mark.parametrize("region", ["us", "uk", "au", "other"])
async def test_did_you_mean_ends_with_the_floor_for_the_conversations_region(
    region: str,
) -> None:
    ranking = [
        {"name": "nlu_fallback", "confidence": 0.25},
        {"name": "ask_side_effects", "confidence": 0.2},
        {"name": "ask_addiction_risk", "confidence": 0.19},
    ]
    t = tracker(
        "nlu_fallback", [entity("substance", "ketamine")], ranking=ranking, slots={"region": region}
    )
    messages, _ = await run(ActionDidYouMean(), t)
    assert messages[0]["custom"]["answer_id"] == "did_you_mean"
    assert messages[0]["text"].endswith(response_variables(region)["help_floor"])
    assert shows_numbers(messages[0]["text"], region)
    assert messages[0]["buttons"]


@pytest.mark.parametrize("region", ["us", "nz"])
async def test_which_one_do_you_mean_ends_with_the_floor(region: str) -> None:
    messages, _ = await run(ActionAnswer(), tracker("ask_side_effects", slots={"region": region}))
    assert messages[0]["custom"]["answer_id"] == "clarify_substance"
    assert messages[0]["text"].startswith("Which one do you mean?")
    assert messages[0]["text"].endswith(response_variables(region)["help_floor"])
    assert shows_numbers(messages[0]["text"], region)


def test_the_guards_own_replies_give_the_numbers() -> None:
    code = helplines().default_code()
    unavailable = guard.service_unavailable()
    assert unavailable["custom"]["answer_id"] == "service_unavailable"
    assert shows_numbers(unavailable["text"], code)
    too_long = guard.check("What is ketamine? " * 200)  # benign, over 2,000 characters
    assert too_long.reply is not None
    assert too_long.reply["custom"]["answer_id"] == "input_too_long"
    assert shows_numbers(too_long.reply["text"], code)
    (body_too_large,) = rest.too_long_reply()
    assert shows_numbers(body_too_large["text"], code)


async def test_vetted_answers_do_not_get_the_floor_line() -> None:
    floors = {response_variables(code)["help_floor"] for code in REGIONS}
    for answer in knowledge_base().answers.values():
        assert not any(f in answer.answer or f in answer.consult for f in floors), answer.id
    messages, _ = await run(
        ActionAnswer(), tracker("ask_addiction_risk", [entity("substance", "ketamine")])
    )
    assert messages[0]["custom"]["answer_id"] == "ketamine_addiction_risk"
    assert not any("If you're in crisis" in text for text in _texts(messages))
