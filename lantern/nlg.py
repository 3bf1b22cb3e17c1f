"""Response generator: Rasa's templated NLG plus region help lines and clinic details.

Domain responses may use `{crisis_line}`, `{emergency_number}`, `{peer_support}`,
`{abuse_line}`, `{child_abuse_line}`, `{report_clinician}`, their Spanish forms
(`{crisis_line_es}`, `{emergency_number_es}`, `{abuse_line_es}`,
`{child_abuse_line_es}`, `{report_clinician_es}`), `{region_name}`, `{region}` and
`{clinic_contact}`, and `{help_floor}`, the one short line with the crisis and
emergency numbers that ends every reply that is not a vetted answer. They are
filled here, in the Rasa server, so safety replies need no action server.

Safety replies (and "Get help now") also get `custom.help_actions`, the region's
call and text buttons ([{label, href, line}], `tel:`/`sms:` links) for the web
pages. On the kiosk, "Talk to staff" says staff were told only when the request
was stored and the staff side is on (`staff_told`); otherwise it says to tell the
front desk.
"""

from __future__ import annotations

import os
import string
from functools import lru_cache
from typing import Any, Dict, List

from rasa.core.nlg.response import TemplatedNaturalLanguageGenerator
from rasa.shared.core.domain import Domain
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig

from lantern import staff
from lantern.paths import read_domain
from lantern.safety.helplines import Region, helplines

DEFAULT_CLINIC_CONTACT = "call the clinic's front desk during opening hours"
NO_PEER_LINE = "There is no psychedelic peer-support line we can point to in your region."


#: The help lines whose call/text buttons each reply gets, by answer id.
HELP_ACTIONS = {
    "safety_crisis": ("crisis", "emergency"),
    "safety_emergency": ("emergency",),
    "safety_active_use": ("emergency", "peer_support"),
    "safety_abuse": ("emergency", "abuse"),
    "get_help": ("crisis", "emergency"),
}
#: Button labels by language: call, text, text with a word to send.
TAP_LABELS = {
    "en": ("Call {number}", "Text {number}", "Text {body} to {number}"),
    "es": ("Llamar al {number}", "Enviar un mensaje al {number}", "Enviar {body} al {number}"),
}
#: The output channel whose "Talk to staff" reply depends on the staff side.
KIOSK_CHANNEL = "kiosk"
#: Not a slot: LanternNLG passes it to the kiosk's utter_handoff (a response condition).
STAFF_TOLD = "staff_told"


def crisis_short(region: Region) -> str:
    """The crisis line in a few words from its numbers ("call or text 988"), else its text."""
    taps = region.taps("crisis")
    calls = [t for t in taps if t.verb == "call"]
    texts = [t for t in taps if t.verb == "text"]
    if calls and texts and calls[0].number == texts[0].number and not texts[0].body:
        return f"call or text {calls[0].number}"
    parts = [f"call {t.number}" for t in calls[:1]]
    parts += [f"text {t.body} to {t.number}" if t.body else f"text {t.number}" for t in texts[:1]]
    return " or ".join(parts) or region.crisis_line


def help_floor(region: Region) -> str:
    """The line that ends every reply that is not a vetted answer: crisis and emergency numbers."""
    return (
        f"If you're in crisis, {crisis_short(region)}, or call {region.emergency_number} "
        "in an emergency."
    )


def help_actions(
    answer_id: str, region_code: str | None, language: str | None = None
) -> List[Dict[str, str]]:
    """The call/text buttons for a reply: [{label, href, line}], none for other replies."""
    region = helplines().region(region_code)
    call, text, text_body = TAP_LABELS["es" if language == "es" else "en"]
    actions: List[Dict[str, str]] = []
    for line in HELP_ACTIONS.get(answer_id, ()):
        for tap in region.taps(line, language):
            label = call if tap.verb == "call" else text_body if tap.body else text
            if all(a["href"] != tap.href for a in actions):
                actions.append(
                    {
                        "label": label.format(number=tap.number, body=tap.body),
                        "href": tap.href,
                        "line": line,
                    }
                )
    return actions


def with_help_actions(message: Dict[str, Any], region_code: str | None) -> Dict[str, Any]:
    """`message` with `custom.help_actions` when it is a safety reply with numbers to tap."""
    custom = message.get("custom")
    if not isinstance(custom, dict) or custom.get("answer_id") not in HELP_ACTIONS:
        return message
    actions = help_actions(str(custom["answer_id"]), region_code, custom.get("lang"))
    if actions:
        message["custom"] = {**custom, "help_actions": actions}
    return message


def kiosk_handoff(conversation_id: str) -> bool:
    """Store a kiosk's "talk to staff" request; whether the patient may hear staff know.

    Only when the staff side is on (someone can see the request) and it was stored.
    """
    return staff.staff_side_on() and staff.record_handoff(conversation_id)


def response_variables(region_code: str | None) -> Dict[str, str]:
    """The template variables for a region (None: the deployment default)."""
    region = helplines().region(region_code)
    return {
        "region": region.code,
        "region_name": region.name,
        "crisis_line": region.crisis_line,
        "emergency_number": region.emergency_number,
        "peer_support": (
            f"For support through a difficult psychedelic experience you can {region.peer_support}."
            if region.peer_support
            else NO_PEER_LINE
        ),
        "clinic_contact": os.environ.get("LANTERN_CLINIC_CONTACT", DEFAULT_CLINIC_CONTACT),
        "abuse_line": region.abuse_line,
        "child_abuse_line": region.child_abuse_line,
        "report_clinician": region.report_clinician,
        "crisis_line_es": region.crisis_line_es,
        "emergency_number_es": region.emergency_number_es,
        "abuse_line_es": region.abuse_line_es,
        "child_abuse_line_es": region.child_abuse_line_es,
        "report_clinician_es": region.report_clinician_es,
        "help_floor": help_floor(region),
    }


@lru_cache(maxsize=1)
def _domain_responses() -> Dict[str, Any]:
    return dict(read_domain().get("responses") or {})


class _Blank(dict):
    def __missing__(self, key: str) -> str:
        return ""


def render(
    name: str, region_code: str | None = None, language: str | None = None
) -> Dict[str, Any]:
    """A domain response filled with the region's help lines, in `language` where it has one.

    For the Rasa server's own use when the dialogue could not run (the safety
    replies must not depend on the action server): text, buttons and custom.
    The variation is the one whose `language` slot condition matches, else the
    first without a condition.
    """
    variations = _domain_responses()[name]
    plain = [v for v in variations if not v.get("condition")]
    chosen = plain[0] if plain else variations[0]
    for variation in variations:
        conditions = variation.get("condition") or []
        if language and any(
            c.get("name") == "language" and c.get("value") == language for c in conditions
        ):
            chosen = variation
    template = dict(chosen)
    variables = _Blank(response_variables(region_code))
    fill = string.Formatter().vformat
    message: Dict[str, Any] = {"text": fill(str(template.get("text", "")), (), variables)}
    if template.get("buttons"):
        message["buttons"] = list(template["buttons"])
    custom = template.get("custom")
    if isinstance(custom, dict):
        message["custom"] = {
            k: fill(v, (), variables) if isinstance(v, str) else v for k, v in custom.items()
        }
    return message


class LanternNLG(TemplatedNaturalLanguageGenerator):
    """Templated responses with help-line variables for the conversation's region."""

    def __init__(
        self, endpoint_config: EndpointConfig | None = None, domain: Domain | None = None
    ) -> None:
        """Rasa builds this from `endpoints.yml` (`nlg: type: lantern.nlg.LanternNLG`)."""
        super().__init__((domain or Domain.empty()).responses)

    async def generate(
        self,
        utter_action: str,
        tracker: DialogueStateTracker,
        output_channel: str,
        **kwargs: Any,
    ) -> Dict[str, Any] | None:
        """Fill the response with the region's help lines, then with slots and kwargs.

        A safety reply gets its call/text buttons; the kiosk's "Talk to staff" reply
        stores the request first and says staff know only if they can see it.
        """
        region = tracker.get_slot("region")
        variables = response_variables(region)
        variables.update(kwargs)
        filled = tracker.current_slot_values()
        if utter_action == "utter_handoff" and output_channel == KIOSK_CHANNEL:
            filled[STAFF_TOLD] = kiosk_handoff(tracker.sender_id)
        message = self.generate_from_slots(utter_action, filled, output_channel, **variables)
        return with_help_actions(message, region) if message else message

    def _fill_response(
        self,
        response: Dict[str, Any],
        filled_slots: Dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> Dict[str, Any]:
        """Fill text and custom payloads only.

        Button payloads such as `/choose_topic{"topic": "x"}` contain braces that
        Rasa would try to fill as slots, logging an error with the slot values
        (health information) each time.
        """
        buttons = response.pop("buttons", None)
        filled = super()._fill_response(response, filled_slots, **kwargs)
        if buttons is not None:
            filled["buttons"] = buttons
        return filled
