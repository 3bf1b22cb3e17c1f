"""Response generator: Rasa's templated NLG plus region help lines and clinic details.

Domain responses may use `{crisis_line}`, `{emergency_number}`, `{peer_support}`,
`{region_name}`, `{region}` and `{clinic_contact}`. They are filled here, in the
Rasa server, so safety replies need no action server.
"""

from __future__ import annotations

import os
from typing import Any, Dict

from rasa.core.nlg.response import TemplatedNaturalLanguageGenerator
from rasa.shared.core.domain import Domain
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig

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
    }


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
