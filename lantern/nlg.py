"""Response generator: Rasa's templated NLG plus region help lines and clinic details.

Domain responses may use `{crisis_line}`, `{emergency_number}`, `{peer_support}`,
`{abuse_line}`, `{child_abuse_line}`, `{report_clinician}`, their Spanish forms
(`{crisis_line_es}`, `{emergency_number_es}`, `{abuse_line_es}`,
`{child_abuse_line_es}`, `{report_clinician_es}`), `{region_name}`, `{region}` and
`{clinic_contact}`. They are filled here, in the Rasa server, so safety replies
need no action server.
"""

from __future__ import annotations

import os
import string
from functools import lru_cache
from typing import Any, Dict

import yaml
from rasa.core.nlg.response import TemplatedNaturalLanguageGenerator
from rasa.shared.core.domain import Domain
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig

from lantern.paths import ROOT
from lantern.safety.helplines import helplines

DEFAULT_CLINIC_CONTACT = "call the clinic's front desk during opening hours"
NO_PEER_LINE = "There is no psychedelic peer-support line we can point to in your region."


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
    }


@lru_cache(maxsize=1)
def _domain_responses() -> Dict[str, Any]:
    data = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8")) or {}
    return dict(data.get("responses") or {})


class _Blank(dict):
    def __missing__(self, key: str) -> str:
        return ""


def render(name: str, region_code: str | None = None) -> Dict[str, Any]:
    """A domain response's first variation, filled with the region's help lines.

    For the Rasa server's own use when the dialogue could not run (the safety
    replies must not depend on the action server): text, buttons and custom.
    """
    template = dict(_domain_responses()[name][0])
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
        """Fill the response with the region's help lines, then with slots and kwargs."""
        variables = response_variables(tracker.get_slot("region"))
        variables.update(kwargs)
        return await super().generate(utter_action, tracker, output_channel, **variables)

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
