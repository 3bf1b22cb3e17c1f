"""The safety replies render completely for every region, with the right numbers and buttons.

Each safety response in the domain is rendered with `lantern.nlg.render` (the same
filling the Rasa server uses) for every region in helplines.yml. `render` fills an
unknown variable with "", so the templates' variables are also checked against
the region's variables directly: a missing or blank help line cannot hide.
"""

from __future__ import annotations

import re
import string
from pathlib import Path
from typing import Any, Dict, List

import pytest
import yaml

from lantern.nlg import _domain_responses, response_variables
from lantern.nlg import render as nlg_render
from lantern.paths import HELPLINES_FILE, read_domain
from lantern.safety.helplines import REQUIRED_FIELDS, Helplines, helplines

SAFETY_RESPONSES = [
    "utter_safety_crisis",
    "utter_safety_emergency",
    "utter_safety_active_use",
    "utter_safety_abuse",
    "utter_safety_check_in",
    "utter_safety_crisis_es",
    "utter_safety_emergency_es",
    "utter_safety_abuse_es",
]
# Spanish reply -> the English reply whose id, structure and buttons it shares
SPANISH = {
    "utter_safety_crisis_es": "utter_safety_crisis",
    "utter_safety_emergency_es": "utter_safety_emergency",
    "utter_safety_abuse_es": "utter_safety_abuse",
}
REGIONS = sorted(helplines().regions)


def render(name: str, region: str | None = None) -> Dict[str, Any]:
    """`utter_x_es` names the Spanish variation of `utter_x` (a `language` slot condition)."""
    if name.endswith("_es"):
        return nlg_render(name[: -len("_es")], region, language="es")
    return nlg_render(name, region)


def variation(name: str) -> Dict[str, Any]:
    """The domain's template behind `render(name)`."""
    if name.endswith("_es"):
        return next(v for v in _domain_responses()[name[:-3]] if v.get("condition"))
    return next(v for v in _domain_responses()[name] if not v.get("condition"))


PHONE = re.compile(r"\d[\d -]{2,}\d")


def _fields(template: str) -> List[str]:
    return [name for _, name, _, _ in string.Formatter().parse(template) if name is not None]


def _strings(message: Dict[str, Any]) -> List[str]:
    custom = message.get("custom") or {}
    return [message["text"], *(v for v in custom.values() if isinstance(v, str))]


@pytest.mark.parametrize("region", REGIONS)
@pytest.mark.parametrize("name", SAFETY_RESPONSES)
def test_every_region_fills_every_safety_reply(name: str, region: str) -> None:
    template = variation(name)
    variables = response_variables(region)
    for field in _fields(template["text"]):
        assert field in variables, f"{name}: unknown template variable {{{field}}}"
        assert variables[field].strip(), f"{name}/{region}: {{{field}}} is blank"
    message = render(name, region)
    for text in _strings(message):
        assert "{" not in text and "}" not in text, f"{name}/{region}: unfilled: {text}"
    assert len(message["text"]) > 60
    if "region" in (template.get("custom") or {}):
        assert message["custom"]["region"] == region


@pytest.mark.parametrize("region", REGIONS)
def test_abuse_replies_carry_the_regions_own_lines(region: str) -> None:
    r = helplines().region(region)
    english = render("utter_safety_abuse", region)["text"]
    for part in (r.emergency_number, r.abuse_line, r.child_abuse_line, r.report_clinician):
        assert part in english
    spanish = render("utter_safety_abuse_es", region)["text"]
    for part in (
        r.emergency_number_es,
        r.abuse_line_es,
        r.child_abuse_line_es,
        r.report_clinician_es,
    ):
        assert part in spanish
    assert "clinic's management" in english and "dirección de la clínica" in spanish


def test_us_abuse_reply_gives_the_domestic_violence_and_child_abuse_lines() -> None:
    message = render("utter_safety_abuse", "us")
    text = message["text"]
    assert "1-800-799-7233" in text
    assert "START to 88788" in text
    assert "1-800-422-4453" in text
    assert "call 911" in text
    assert "state medical board" in text
    assert message["custom"]["answer_id"] == "safety_abuse"
    assert message["buttons"] == [{"title": "Get help now", "payload": "/get_help"}]


def test_us_spanish_crisis_reply_gives_the_spanish_988_route() -> None:
    message = render("utter_safety_crisis_es", "us")
    text = message["text"]
    assert "988" in text and "marca el 2" in text
    assert "AYUDA" in text
    assert "llama al 911" in text
    assert message["custom"] == {"answer_id": "safety_crisis", "region": "us", "lang": "es"}


def test_us_spanish_abuse_reply_gives_the_same_numbers() -> None:
    text = render("utter_safety_abuse_es", "us")["text"]
    for number in ("911", "1-800-799-7233", "88788", "1-800-422-4453"):
        assert number in text


@pytest.mark.parametrize("spanish,english", sorted(SPANISH.items()))
def test_spanish_replies_keep_the_english_id_and_buttons(spanish: str, english: str) -> None:
    es = render(spanish, "us")
    en = render(english, "us")
    assert es["custom"]["answer_id"] == en["custom"]["answer_id"]
    assert es["custom"]["lang"] == "es" and "lang" not in en["custom"]
    assert [b["payload"] for b in es["buttons"]] == [b["payload"] for b in en["buttons"]]
    assert es["text"] != en["text"]


def test_check_in_asks_directly_with_exactly_three_buttons() -> None:
    message = render("utter_safety_check_in", "us")
    assert message["text"] == (
        "I want to make sure you're safe. "
        "Are you having thoughts of ending your life or hurting yourself?"
    )
    assert message["buttons"] == [
        {"title": "Yes", "payload": "/safety_crisis"},
        {"title": "I need urgent medical help", "payload": "/safety_emergency"},
        {"title": "No, I was asking for information", "payload": "/deny_risk"},
    ]
    assert message["custom"] == {"answer_id": "safety_check_in"}


def test_check_in_payloads_are_intents_of_the_domain() -> None:
    domain = read_domain()
    intents = {i if isinstance(i, str) else next(iter(i)) for i in domain["intents"]}
    for payload in (
        "safety_crisis",
        "safety_emergency",
        "deny_risk",
        "safety_abuse",
        "safety_check_in",
    ):
        assert payload in intents


def test_every_number_in_the_abuse_texts_has_sources() -> None:
    data = yaml.safe_load(HELPLINES_FILE.read_text(encoding="utf-8"))
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", str(data["checked_abuse"]))
    for code, raw in data["regions"].items():
        texts = [raw[f] for f in REQUIRED_FIELDS if f.startswith(("abuse", "child", "report"))]
        if any(PHONE.search(t) for t in texts):
            sources = raw.get("abuse_sources") or []
            assert sources and all(str(s).startswith("http") for s in sources), code


def test_a_region_without_an_abuse_line_is_refused(tmp_path: Path) -> None:
    data = yaml.safe_load(HELPLINES_FILE.read_text(encoding="utf-8"))
    del data["regions"]["uk"]["abuse_line"]
    broken = tmp_path / "helplines.yml"
    broken.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(ValueError, match="'uk': field 'abuse_line'"):
        Helplines(broken)


def test_a_region_with_a_blank_spanish_text_is_refused(tmp_path: Path) -> None:
    data = yaml.safe_load(HELPLINES_FILE.read_text(encoding="utf-8"))
    data["regions"]["other"]["crisis_line_es"] = "  "
    broken = tmp_path / "helplines.yml"
    broken.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(ValueError, match="'other': field 'crisis_line_es'"):
        Helplines(broken)
