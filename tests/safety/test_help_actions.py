"""Help one tap away: call/text buttons on safety replies, "Get help now", the kiosk wording.

The buttons (`custom.help_actions`) come from the structured `tap` numbers in
helplines.yml, which the loader checks against the texts; LanternNLG adds them
to the safety replies and to "Get help now". On the kiosk, "Talk to staff" says
staff were told only when the request is stored and the staff side is on.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Dict

import pytest
import yaml
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import SlotSet
from rasa.shared.core.trackers import DialogueStateTracker

from lantern import staff
from lantern.nlg import HELP_ACTIONS, LanternNLG, help_actions, render, with_help_actions
from lantern.paths import DOMAIN_DIR, HELPLINES_FILE, ROOT
from lantern.safety.helplines import Helplines, helplines, parse_tap

REGIONS = sorted(helplines().regions)
#: What the pages accept as a button's link (web/widget/lantern-widget.js, TAP_HREF).
TAP_HREF = re.compile(r"^(tel:\+?\d{2,15}|sms:\+?\d{2,15}(\?&body=[A-Z]{2,20})?)$")
SAFETY_RESPONSES = {
    "utter_safety_crisis": "safety_crisis",
    "utter_safety_emergency": "safety_emergency",
    "utter_safety_active_use": "safety_active_use",
    "utter_safety_abuse": "safety_abuse",
    "utter_get_help": "get_help",
}
TOKEN = "a-staff-token-long-enough"


def digits(text: str) -> str:
    return re.sub(r"\D", "", text)


def test_us_crisis_buttons_are_call_988_text_988_call_911() -> None:
    assert help_actions("safety_crisis", "us") == [
        {"label": "Call 988", "href": "tel:988", "line": "crisis"},
        {"label": "Text 988", "href": "sms:988", "line": "crisis"},
        {"label": "Call 911", "href": "tel:911", "line": "emergency"},
    ]
    assert [a["href"] for a in help_actions("safety_emergency", "us")] == ["tel:911"]
    abuse = help_actions("safety_abuse", "us")
    assert [a["href"] for a in abuse] == ["tel:911", "tel:18007997233", "sms:88788?&body=START"]
    assert abuse[2]["label"] == "Text START to 88788"
    spanish = help_actions("safety_crisis", "us", "es")
    assert [(a["label"], a["href"]) for a in spanish] == [
        ("Llamar al 988", "tel:988"),
        ("Enviar AYUDA al 988", "sms:988?&body=AYUDA"),
        ("Llamar al 911", "tel:911"),
    ]


@pytest.mark.parametrize("region", REGIONS)
@pytest.mark.parametrize("name", sorted(SAFETY_RESPONSES))
@pytest.mark.parametrize("language", [None, "es"])
def test_every_button_dials_a_number_its_reply_gives(
    name: str, region: str, language: str | None
) -> None:
    message = with_help_actions(render(name, region, language=language), region)
    assert message["custom"]["answer_id"] == SAFETY_RESPONSES[name]
    actions = message["custom"].get("help_actions", [])
    for action in actions:
        assert TAP_HREF.match(action["href"]), action
        number = action["href"].split(":", 1)[1].split("?")[0].lstrip("+")
        assert number in digits(message["text"]), (name, region, action)
        assert action["label"].strip()
    if region != "other" and name != "utter_safety_active_use":
        lines = {a["line"] for a in actions}
        assert "emergency" in lines  # every reply but active use in an unknown region
    if region == "other":
        assert actions == []  # no number to dial: the text says where to look


def test_other_replies_get_no_buttons() -> None:
    for name in ("utter_menu", "utter_out_of_scope", "utter_safety_check_in", "utter_deny_crisis"):
        assert "help_actions" not in (
            with_help_actions(render(name, "us"), "us").get("custom") or {}
        )
    assert set(HELP_ACTIONS) == set(SAFETY_RESPONSES.values())


def test_get_help_is_short_and_not_the_crisis_paragraph() -> None:
    message = with_help_actions(render("utter_get_help", "us"), "us")
    crisis = render("utter_safety_crisis", "us")["text"]
    assert message["custom"]["answer_id"] == "get_help"
    assert "988" in message["text"] and "911" in message["text"]
    assert len(message["text"]) < len(crisis) * 0.6
    assert "reach out to someone you trust" not in message["text"]
    assert [a["label"] for a in message["custom"]["help_actions"]] == [
        "Call 988",
        "Text 988",
        "Call 911",
    ]


def test_get_help_buttons_and_replies_lead_to_utter_get_help() -> None:
    for rules_file in ("data/safety/rules.yml", "data/intake/rules.yml"):
        rules = yaml.safe_load((ROOT / rules_file).read_text())["rules"]
        steps = [r["steps"] for r in rules if {"intent": "get_help"} in r["steps"]]
        assert steps, rules_file
        for s in steps:
            assert s[s.index({"intent": "get_help"}) + 1] == {"action": "utter_get_help"}


@pytest.mark.parametrize(
    ("entry", "href"),
    [
        ("call 988", "tel:988"),
        ("text 988", "sms:988"),
        ("call 1-800-799-7233", "tel:18007997233"),
        ("text 88788 START", "sms:88788?&body=START"),
        ("call 0808 2000 247", "tel:08082000247"),
        ("call +44 116 123", "tel:+44116123"),
    ],
)
def test_tap_entries_become_links(entry: str, href: str) -> None:
    assert parse_tap(entry).href == href


@pytest.mark.parametrize("entry", ["dial 988", "call", "call 988 help me", "text 88788 start"])
def test_malformed_tap_entries_are_refused(entry: str) -> None:
    with pytest.raises(ValueError):
        parse_tap(entry)


@pytest.mark.parametrize(
    ("kind", "entries", "why"),
    [
        ("crisis", ["call 999"], "is not in its text"),  # not the crisis line's number
        ("abuse", ["text 88788 STOP"], "is not in its text"),  # not the word the text gives
        ("crisis_es", ["call 911"], "is not in its text"),
        ("helpline", ["call 988"], "unknown tap kind"),
    ],
)
def test_a_button_that_does_not_match_its_text_is_refused(
    tmp_path: Path, kind: str, entries: list, why: str
) -> None:
    data = yaml.safe_load(HELPLINES_FILE.read_text(encoding="utf-8"))
    data["regions"]["us"]["tap"][kind] = entries
    broken = tmp_path / "helplines.yml"
    broken.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(ValueError, match=why):
        Helplines(broken)


# --- LanternNLG: the live replies --------------------------------------------------


@pytest.fixture(scope="module")
def nlg() -> LanternNLG:
    return LanternNLG(domain=Domain.load(str(DOMAIN_DIR)))


def conversation(sender: str, **slots: Any) -> DialogueStateTracker:
    domain = Domain.load(str(DOMAIN_DIR))
    events = [SlotSet(k, v) for k, v in slots.items()]
    return DialogueStateTracker.from_events(sender, events, slots=domain.slots)


async def test_the_nlg_adds_the_regions_buttons_to_safety_replies(nlg: LanternNLG) -> None:
    message: Dict[str, Any] = await nlg.generate(
        "utter_safety_crisis", conversation("web-1", region="uk"), "socketio"
    )
    hrefs = [a["href"] for a in message["custom"]["help_actions"]]
    assert hrefs == ["tel:116123", "tel:999"]
    answer = await nlg.generate("utter_menu", conversation("web-1"), "socketio")
    assert "help_actions" not in answer["custom"]


@pytest.fixture
def var_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("LANTERN_VAR_DIR", str(tmp_path))
    return tmp_path


async def test_kiosk_with_the_staff_side_off_says_tell_the_front_desk(
    nlg: LanternNLG, var_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(staff.TOKEN_VARIABLE, raising=False)
    message = await nlg.generate("utter_handoff", conversation("kiosk-off"), "kiosk")
    assert "tell the front desk" in message["text"]
    assert "staff know" not in message["text"] and "let the clinic staff" not in message["text"]
    assert message["custom"] == {"answer_id": "handoff", "staff_told": False}
    monkeypatch.setenv(staff.TOKEN_VARIABLE, "short")  # refused: the staff side stays off
    message = await nlg.generate("utter_handoff", conversation("kiosk-off"), "kiosk")
    assert "tell the front desk" in message["text"]


async def test_kiosk_with_the_staff_side_on_stores_the_request_then_says_so(
    nlg: LanternNLG, var_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(staff.TOKEN_VARIABLE, TOKEN)
    message = await nlg.generate("utter_handoff", conversation("kiosk-on"), "kiosk")
    assert message["text"] == "I've let the clinic staff know. Someone will come to you shortly."
    assert message["custom"]["staff_told"] is True
    assert [h["conversation_id"] for h in staff.open_handoffs()] == ["kiosk-on"]
    # the website's handoff reply is no kiosk request
    web = await nlg.generate("utter_handoff", conversation("web-2"), "socketio")
    assert "clinic team can help" in web["text"]
    assert [h["conversation_id"] for h in staff.open_handoffs()] == ["kiosk-on"]


async def test_kiosk_says_front_desk_when_the_request_could_not_be_stored(
    nlg: LanternNLG, var_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(staff.TOKEN_VARIABLE, TOKEN)
    (var_dir / "handoffs.sqlite").write_bytes(b"this is not a database" * 100)
    message = await nlg.generate("utter_handoff", conversation("kiosk-broken"), "kiosk")
    assert "tell the front desk" in message["text"]
    assert message["custom"]["staff_told"] is False
