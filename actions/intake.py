"""The kiosk pre-visit intake form: asking, filing answers, going back, stopping, submitting.

The form has one required slot, `intake_answer` (what the patient typed or
tapped while it asked). `ValidateIntakeForm` files that text, read, in the
`intake_answers` dict under the step in `intake_question`, sets the next step,
and clears `intake_answer` so the form asks again, until no step is left
(lantern/intake/flow.py: the steps, going back, item 9's history). Every text
the patient sees is a domain response; rules in data/intake/rules.yml start,
stop, go back and pause the form. Lantern collects; clinicians decide: no score
or eligibility is ever shown to the patient.

PHQ-9 item 9 is never lost: anything but a clear "not at all" is positive (crisis
reply and urgent staff alert in the same turn), a refusal alerts staff as a
refusal, and `intake_item9_history` keeps the first positive answer whatever "go
back" does. The patient hears that staff have been told only when the alert is
stored and the staff side is on; otherwise they are asked to tell the front desk.
"""

from __future__ import annotations

import logging
from typing import Any, Dict, List

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from lantern import staff
from lantern.intake import flow, store
from lantern.intake.questions import PREFER_NOT, by_id, parse, read_item9, yes_or_no
from lantern.intake.responses import response_name

logger = logging.getLogger(__name__)

ANSWER, ANSWERS, QUESTION = "intake_answer", "intake_answers", "intake_question"
#: Item 9's first positive answer {answer, at}, refusal time (declined_at) and whether
#: an alert was stored (alerted); apart from the answers, so "go back" never clears it.
ITEM9_HISTORY = "intake_item9_history"
#: every intake slot; "stop" and the end of the form clear them all
SLOTS = (ANSWER, ANSWERS, QUESTION, ITEM9_HISTORY)
#: question types with their own "didn't understand" response; others get `choice`'s
REPROMPT_TYPES = ("multi", "text", "date", "code")


def answers_of(tracker: Tracker) -> Dict[str, Any]:
    """The answers so far (a copy), step id -> stored answer."""
    return dict(tracker.get_slot(ANSWERS) or {})


def reset_events() -> List[EventType]:
    """Clear every intake slot (nothing collected stays in the conversation state)."""
    return [SlotSet(slot, None) for slot in SLOTS] + [SlotSet("requested_slot", None)]


def staff_told(history: Dict[str, Any] | None) -> bool:
    """Whether the patient may be told staff know: an alert is stored and staff can see it."""
    return bool((history or {}).get("alerted")) and staff.staff_side_on()


def told_or_front_desk(history: Dict[str, Any] | None) -> str:
    """The ending of a response name: `told`, or `front_desk` (ask the patient to tell them)."""
    return "told" if staff_told(history) else "front_desk"


def ask(dispatcher: CollectingDispatcher, tracker: Tracker) -> None:
    """Ask the step in `intake_question` (else the first unanswered one), with its buttons."""
    answers = answers_of(tracker)
    step = tracker.get_slot(QUESTION)
    if step not in flow.steps(answers):
        step = flow.current(answers)
    if step == flow.CONSENT:
        days = store.retention_days()
        dispatcher.utter_message(response="utter_ask_intake_consent", intake_retention_days=days)
    elif step == flow.CONFIRM:
        summary = flow.summary_lines(answers)
        dispatcher.utter_message(response="utter_ask_intake_confirm", intake_summary=summary)
    elif step == flow.GO_ON:
        kind = "declined" if answers.get(flow.item9()) == PREFER_NOT else "positive"
        told = told_or_front_desk(tracker.get_slot(ITEM9_HISTORY))
        dispatcher.utter_message(response=f"utter_ask_intake_go_on_{kind}_{told}")
    elif step in by_id():
        number, total = flow.progress(answers, step)
        dispatcher.utter_message(
            response=response_name(step), intake_number=number, intake_total=total
        )


class AskIntakeAnswer(Action):
    """Asks the current step: the form's asker of its one slot, `intake_answer`."""

    def name(self) -> str:
        """`action_ask_<slot>`, which Rasa's form calls to ask for the slot."""
        return f"action_ask_{ANSWER}"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[Dict[str, Any]]:
        """Ask the question."""
        ask(dispatcher, tracker)
        return []


class ValidateIntakeForm(FormValidationAction):
    """Files each answer under the step asked; PHQ-9 item 9 above "not at all" brings help."""

    def name(self) -> str:
        """The form's validation action."""
        return "validate_intake_form"

    async def required_slots(
        self,
        domain_slots: List[str],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> List[str]:
        """`intake_answer` while a step is left; nothing once all are answered (the form ends)."""
        return [ANSWER] if flow.current(answers_of(tracker)) is not None else []

    async def get_validation_events(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        """File the answer just given (if any) and set the step asked next.

        Only slots that change: with no answer to file, nothing, so that Rasa's form
        rejects a message it could not take ("go back") and the rules handle it.
        """
        answers = answers_of(tracker)
        changes: Dict[str, Any] = {}
        text = tracker.slots_to_validate().get(ANSWER)
        step = tracker.get_slot(QUESTION)
        if isinstance(text, str) and step is not None and step == flow.current(answers):
            value, changes = self._read(step, text, dispatcher, tracker)
            if value is not None:
                answers[step] = value
                changes[ANSWERS] = answers
        changes.update({QUESTION: flow.current(answers), ANSWER: None})
        return [SlotSet(k, v) for k, v in changes.items() if tracker.get_slot(k) != v]

    def _read(
        self, step: str, text: str, dispatcher: CollectingDispatcher, tracker: Tracker
    ) -> tuple[Any, Dict[str, Any]]:
        """The stored answer for `step` (None: asked again) and other slots to set."""
        if step in flow.FORM_STEPS:
            answer = yes_or_no(text)
            if answer is None or (step == flow.CONFIRM and answer is False):
                dispatcher.utter_message(response=f"utter_intake_reprompt_{step}")
                return None, {}
            if step == flow.GO_ON:
                return ("yes" if answer else "no"), {}
            return answer, {}
        question = by_id()[step]
        if question.self_harm:
            return self._item9(text, dispatcher, tracker)
        parsed = parse(question, text)
        if parsed is None:
            kind = question.type if question.type in REPROMPT_TYPES else "choice"
            dispatcher.utter_message(response=f"utter_intake_reprompt_{kind}")
        return parsed, {}

    @staticmethod
    def _item9(
        text: str, dispatcher: CollectingDispatcher, tracker: Tracker
    ) -> tuple[Any, Dict[str, Any]]:
        """Item 9 is never asked again: a clear "not at all", a refusal, or positive."""
        answer = read_item9(text)
        if answer == 0:
            return 0, {}
        declined = answer == PREFER_NOT
        if declined:
            dispatcher.utter_message(response="utter_intake_item9_declined")
        else:
            dispatcher.utter_message(response="utter_safety_crisis")
        reason = "phq9_item9_declined" if declined else "phq9_item9"
        alerted = staff.record_alert(tracker.sender_id, reason)
        history = flow.item9_history(
            tracker.get_slot(ITEM9_HISTORY),
            positive=None if declined else answer,
            declined=declined,
            alerted=alerted,
        )
        return answer, {ITEM9_HISTORY: history, "crisis_shown": True}


class SubmitIntake(Action):
    """At the end of the form: store the confirmed intake, or confirm nothing was stored."""

    def name(self) -> str:
        """Runs when the form is complete."""
        return "action_intake_submit"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        """Store (encrypted) and thank the patient; no scores are shown."""
        answers = answers_of(tracker)
        history = dict(tracker.get_slot(ITEM9_HISTORY) or {})
        if history and not history.get("alerted"):  # the alert failed earlier: try again
            reason = "phq9_item9" if history.get("first_positive") else "phq9_item9_declined"
            history["alerted"] = staff.record_alert(tracker.sender_id, reason)
        if answers.get(flow.CONSENT) is not True or answers.get(flow.CONFIRM) is not True:
            dispatcher.utter_message(response="utter_intake_declined")
            return reset_events()
        try:
            store.save(
                flow.question_answers(answers),
                conversation_id=tracker.sender_id,
                channel=tracker.get_latest_input_channel() or "unknown",
                item9_history=history,
            )
        except Exception as exc:  # noqa: BLE001 - the patient must get a reply, not silence
            logger.error("lantern.intake.save_failed error=%s", type(exc).__name__)
            dispatcher.utter_message(response="utter_intake_save_failed")
            return [SlotSet(ITEM9_HISTORY, history or None)]
        dispatcher.utter_message(response="utter_intake_submitted")
        return reset_events()


class CancelIntake(Action):
    """Stop: end the intake and delete everything collected so far."""

    def name(self) -> str:
        """Runs on "stop", inside or outside the form."""
        return "action_intake_cancel"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        """Forget every answer; nothing is stored."""
        dispatcher.utter_message(response="utter_intake_cancelled")
        return reset_events()


class IntakeGoBack(Action):
    """Go back: forget the previous answer so the form asks it again."""

    def name(self) -> str:
        """Runs on "go back" inside the form."""
        return "action_intake_back"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        """Drop the answer before the current step; that step is asked next."""
        answers = answers_of(tracker)
        kept = flow.go_back(answers)
        if kept == answers:
            return []  # nothing to go back to: the form asks the same step again
        return [SlotSet(ANSWERS, kept), SlotSet(QUESTION, flow.current(kept))]


class PauseIntake(Action):
    """After a safety reply inside the intake: alert staff, offer to continue or stop."""

    def name(self) -> str:
        """Runs after a crisis, emergency or active-use reply during the form."""
        return "action_intake_pause"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        """Record an urgent staff alert and ask how to go on.

        Crisis words typed while item 9 was asked count as a positive item 9.
        """
        alerted = staff.record_alert(tracker.sender_id, "crisis_in_intake")
        history = tracker.get_slot(ITEM9_HISTORY)
        events: List[EventType] = []
        if tracker.get_slot(QUESTION) == flow.item9():
            history = flow.item9_history(history, positive="crisis_message", alerted=alerted)
            events.append(SlotSet(ITEM9_HISTORY, history))
        told = "told" if alerted and staff.staff_side_on() else "front_desk"
        dispatcher.utter_message(response=f"utter_intake_paused_{told}")
        return events
