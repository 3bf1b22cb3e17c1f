"""The kiosk pre-visit intake form: asking, validating, going back, stopping, submitting.

The questions come from lantern/intake/questions.yml; storage, scoring and FHIR
output from lantern/intake/. Rules in data/intake/rules.yml start the form, stop
it (nothing stored), go back, and pause it for a safety reply. Lantern collects;
clinicians decide: no score or eligibility is ever shown to the patient.

PHQ-9 item 9 (thoughts of death or self-harm) is never lost: anything but a clear
"not at all" is positive (crisis reply and urgent staff alert in the same turn), a
refusal alerts staff as a refusal, and `intake_item9_history` keeps the first
positive answer (and when) whatever "go back" does. The patient hears that staff
have been told only when the alert is stored and the staff side is on; otherwise
they are asked to tell the front desk.
"""

from __future__ import annotations

import abc
import datetime as dt
import logging
from typing import Any, Dict, List

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from lantern import staff
from lantern.intake import scoring, store
from lantern.intake.questions import (
    PREFER_NOT,
    PREFER_NOT_DISPLAY,
    Question,
    asked,
    by_slot,
    display,
    normalise,
    parse,
    read_item9,
    sections,
)
from lantern.safety.helplines import helplines

logger = logging.getLogger(__name__)

FORM = "intake_form"
CONSENT, GO_ON, CONFIRM = "intake_consent", "intake_go_on", "intake_confirm"
ITEM9 = "intake_phq9_9"
#: Item 9's first positive answer {answer, at}, refusal time (declined_at) and whether
#: an alert was stored (alerted); not a form slot, so "go back" never clears it.
ITEM9_HISTORY = "intake_item9_history"
_QUESTION_SLOTS = list(by_slot())
_AFTER_ITEM9 = _QUESTION_SLOTS.index(ITEM9) + 1
#: Every slot the form can ask, in order (the domain lists the same, in the same order).
FORM_SLOTS: List[str] = [
    CONSENT,
    *_QUESTION_SLOTS[:_AFTER_ITEM9],
    GO_ON,
    *_QUESTION_SLOTS[_AFTER_ITEM9:],
    CONFIRM,
]
GO_BACK = {"title": "Go back", "payload": "go back"}
STOP = {"title": "Stop and delete my answers", "payload": "stop"}
GET_HELP = {"title": "Get help now", "payload": "/get_help"}
YES = {"yes", "y", "yeah", "yep", "ok", "okay", "sure", "i agree", "agree", "yes i agree"}
NO = {"no", "n", "nope", "no thanks", "no thank you", "i don't agree", "i do not agree"}


def required_slots(slots: Dict[str, Any]) -> List[str]:
    """The slots this patient is asked, in order, given the answers so far."""
    if slots.get(CONSENT) is False:
        return [CONSENT]
    questions = [q.slot for q in asked()]
    item9 = slots.get(ITEM9)
    if scoring.item9_positive(item9) or item9 == PREFER_NOT:
        at = questions.index(ITEM9) + 1
        questions.insert(at, GO_ON)
        if slots.get(GO_ON) == "no":  # answer no more questions: straight to the summary
            questions = questions[: at + 1]
    return [CONSENT, *questions, CONFIRM]


def answers(slots: Dict[str, Any]) -> Dict[str, Any]:
    """What the patient answered, by question id (only questions asked and answered)."""
    questions = by_slot()
    return {
        questions[slot].id: slots[slot]
        for slot in required_slots(slots)
        if slot in questions and slots.get(slot) is not None
    }


def reset_events() -> List[EventType]:
    """Clear every intake slot (nothing collected stays in the conversation state)."""
    return [SlotSet(slot, None) for slot in (*FORM_SLOTS, ITEM9_HISTORY)] + [
        SlotSet("requested_slot", None)
    ]


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")


def item9_history(
    slots: Dict[str, Any], *, positive: Any = None, declined: bool = False, alerted: bool
) -> Dict[str, Any]:
    """Item 9's history after this answer: the first positive answer and first refusal stay."""
    history = dict(slots.get(ITEM9_HISTORY) or {})
    if positive is not None and not history.get("first_positive"):
        history["first_positive"] = {"answer": positive, "at": _now()}
    if declined and not history.get("declined_at"):
        history["declined_at"] = _now()
    history["alerted"] = bool(history.get("alerted")) or alerted
    return history


def staff_told(slots: Dict[str, Any]) -> bool:
    """Whether the patient may be told staff know: an alert is stored and staff can see it."""
    history = slots.get(ITEM9_HISTORY) or {}
    return bool(history.get("alerted")) and staff.staff_side_on()


def _alert_line(told: bool, what: str) -> str:
    if told:
        return f"A member of staff has been told and will {what}."
    return f"Please tell the front desk now, so a member of staff can {what}."


def _message(
    dispatcher: CollectingDispatcher,
    answer_id: str,
    text: str,
    buttons: List[Dict[str, str]] | None = None,
    **custom: Any,
) -> None:
    dispatcher.utter_message(text=text, buttons=buttons or [])
    dispatcher.utter_message(json_message={"answer_id": answer_id, **custom})


def _option_buttons(question: Question) -> List[Dict[str, str]]:
    buttons = [{"title": o.display, "payload": o.display} for o in question.options]
    if question.none_option:
        buttons.append({"title": "None", "payload": "None"})
    if question.prefer_not_to_say:
        buttons.append({"title": PREFER_NOT_DISPLAY, "payload": PREFER_NOT_DISPLAY})
    return buttons


def _consent_text() -> str:
    return (
        "Before your visit, I can take your intake questions here instead of a paper "
        "form. I'll ask about the reason for your visit, treatments you have tried, "
        "your medicines, your health history, and two standard questionnaires about "
        "mood and anxiety (PHQ-9 and GAD-7). Your answers go only to the clinic staff "
        f"caring for you; they are stored encrypted and deleted after {store.retention_days()} "
        "days. Nothing is stored unless you confirm at the end, and you can go back or "
        "stop at any time. Do you agree to start?"
    )


def summary_text(slots: Dict[str, Any]) -> str:
    """The answers shown back to the patient before sending (no scores)."""
    lines = []
    for slot in required_slots(slots):
        question = by_slot().get(slot)
        if question is not None and slots.get(slot) is not None:
            lines.append(f"- {question.label}: {display(question, slots[slot])}")
    return (
        "Here is what you told us:\n"
        + "\n".join(lines)
        + "\n\nIs this right? When you confirm, it goes to the clinic staff, "
        "who will review it with you at your appointment."
    )


def ask(dispatcher: CollectingDispatcher, tracker: Tracker, slot: str) -> None:
    """Ask for one slot: its text, its buttons, and where the patient is."""
    slots = dict(tracker.slots)
    if slot == CONSENT:
        buttons = [
            {"title": "Yes, I agree", "payload": "yes"},
            {"title": "No, thanks", "payload": "no"},
        ]
        _message(dispatcher, "intake_consent", _consent_text(), buttons, question="consent")
        return
    if slot == GO_ON:
        if slots.get(ITEM9) == PREFER_NOT:
            opening = "That's fine, you don't have to answer that one. " + _alert_line(
                staff_told(slots), "check in with you"
            )
        else:
            opening = "Thank you for telling us. " + _alert_line(
                staff_told(slots), "come and talk with you"
            )
        text = f"{opening} Would you like to go on with the remaining questions?"
        buttons = [
            {"title": "Go on with the questions", "payload": "yes"},
            {"title": "No more questions", "payload": "no"},
            STOP,
        ]
        _message(dispatcher, "intake_question", text, buttons, question="go_on")
        return
    if slot == CONFIRM:
        buttons = [{"title": "Yes, send it", "payload": "yes"}, GO_BACK, STOP]
        _message(dispatcher, "intake_summary", summary_text(slots), buttons, question="confirm")
        return
    question = by_slot()[slot]
    numbered = [s for s in required_slots(slots) if s in by_slot()]
    text = question.text
    if question.type == "scale":
        section = sections()[question.section]
        in_section = [s for s in numbered if by_slot()[s].section == question.section]
        position = in_section.index(slot) + 1
        if position == 1 and section.intro:
            text = f"{section.intro}\n\n{position} of {len(in_section)}: {question.text}"
        else:
            text = f"Over the last 2 weeks: {position} of {len(in_section)}: {question.text}"
    number = numbered.index(slot) + 1
    text = f"{text}\n(Question {number} of {len(numbered)})"
    navigation = [GO_BACK, STOP] if number > 1 else [STOP]  # nothing to go back to
    buttons = [*_option_buttons(question), *navigation]
    _message(
        dispatcher,
        "intake_question",
        text,
        buttons,
        question=question.id,
        progress=[number, len(numbered)],
    )


class AskIntakeSlot(Action, abc.ABC):
    """Asks one intake question (one subclass per slot: `action_ask_<slot>`)."""

    @property
    @abc.abstractmethod
    def slot(self) -> str:
        """The slot this action asks for."""

    def name(self) -> str:
        """`action_ask_<slot>`, which Rasa's form calls to ask for the slot."""
        return f"action_ask_{self.slot}"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[Dict[str, Any]]:
        """Ask the question."""
        ask(dispatcher, tracker, self.slot)
        return []


for _slot in FORM_SLOTS:  # register action_ask_<slot> for every form slot
    globals()[f"Ask_{_slot}"] = type(f"Ask_{_slot}", (AskIntakeSlot,), {"slot": _slot})


def _reprompt(dispatcher: CollectingDispatcher, question: Question) -> None:
    hints = {
        "code": "Please type the code as it is written, letters and numbers only.",
        "date": "Please write it like 14 March 1985, with the month as a word.",
        "text": "Please keep it short (a list of names is fine).",
        "multi": "Tap one of the buttons, or type the names of the treatments.",
    }
    hint = hints.get(question.type, "Please tap one of the buttons.")
    _message(
        dispatcher,
        "intake_reprompt",
        f"Sorry, I didn't understand that answer. {hint} You can also go back or stop.",
        question=question.id,
    )


def _declined_reply(dispatcher: CollectingDispatcher, tracker: Tracker) -> None:
    """Item 9 refused: no pressure, and the help lines in the same turn."""
    region = helplines().region(tracker.get_slot("region"))
    _message(
        dispatcher,
        "intake_item9_declined",
        "That's fine, you don't have to answer this one. If you ever have thoughts of "
        "hurting yourself or that you would be better off dead, help is there any time: "
        f"{region.crisis_line}. If you are in danger now, call {region.emergency_number}.",
        [GET_HELP],
    )


def _yes_no(value: Any) -> bool | None:
    words = normalise(str(value))
    if words in YES:
        return True
    if words in NO:
        return False
    return None


class ValidateIntakeForm(FormValidationAction):
    """Reads every answer; PHQ-9 item 9 above "not at all" brings the crisis reply."""

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
        """The slots asked, given the identity mode and the answers so far."""
        return required_slots(dict(tracker.slots))

    async def get_validation_events(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        """Validate every slot the patient just filled."""
        changes: Dict[str, Any] = {}
        for slot, value in tracker.slots_to_validate().items():
            if slot in FORM_SLOTS:
                changes.update(self._validate(slot, value, dispatcher, tracker))
        return [SlotSet(slot, value) for slot, value in changes.items()]

    def _validate(
        self, slot: str, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker
    ) -> Dict[str, Any]:
        if not isinstance(value, str):
            return {slot: value}  # already validated (e.g. set by an action)
        if slot in (CONSENT, CONFIRM):
            answer = _yes_no(value)
            if answer is None or (slot == CONFIRM and answer is False):
                text = (
                    "Please tap Yes, I agree, or No, thanks."
                    if slot == CONSENT
                    else "To change an answer, tap Go back. To leave without saving, "
                    "tap Stop. To send your answers, tap Yes, send it."
                )
                _message(dispatcher, "intake_reprompt", text, question=slot)
                return {slot: None}
            return {slot: answer}
        if slot == GO_ON:
            answer = _yes_no(value)
            if answer is None:
                _message(dispatcher, "intake_reprompt", "Please tap one of the buttons.")
                return {slot: None}
            return {slot: "yes" if answer else "no"}
        question = by_slot()[slot]
        if question.self_harm:
            return self._item9(slot, value, dispatcher, tracker)
        parsed = parse(question, value)
        if parsed is None:
            _reprompt(dispatcher, question)
            return {slot: None}
        return {slot: parsed}

    @staticmethod
    def _item9(
        slot: str, value: str, dispatcher: CollectingDispatcher, tracker: Tracker
    ) -> Dict[str, Any]:
        """Item 9 is never asked again: a clear "not at all", a refusal, or positive."""
        answer = read_item9(value)
        if answer == 0:
            return {slot: 0}
        declined = answer == PREFER_NOT
        if declined:
            _declined_reply(dispatcher, tracker)
        else:
            dispatcher.utter_message(response="utter_safety_crisis")
        reason = "phq9_item9_declined" if declined else "phq9_item9"
        alerted = staff.record_alert(tracker.sender_id, reason)
        history = item9_history(
            dict(tracker.slots),
            positive=None if declined else answer,
            declined=declined,
            alerted=alerted,
        )
        return {slot: answer, ITEM9_HISTORY: history, "crisis_shown": True}


class SubmitIntake(Action):
    """At the end of the form: store the confirmed intake, or confirm nothing was stored."""

    def name(self) -> str:
        """Runs when the form is complete."""
        return "action_intake_submit"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        """Store (encrypted) and thank the patient; no scores are shown."""
        slots = dict(tracker.slots)
        history = dict(slots.get(ITEM9_HISTORY) or {})
        if history and not history.get("alerted"):  # the alert failed earlier: try again
            reason = "phq9_item9" if history.get("first_positive") else "phq9_item9_declined"
            history["alerted"] = staff.record_alert(tracker.sender_id, reason)
        if slots.get(CONSENT) is not True or slots.get(CONFIRM) is not True:
            _message(
                dispatcher,
                "intake_declined",
                "That's fine: nothing has been stored. You can still ask me questions, "
                "or talk to the front desk.",
            )
            return reset_events()
        try:
            store.save(
                answers(slots),
                conversation_id=tracker.sender_id,
                channel=tracker.get_latest_input_channel() or "unknown",
                item9_history=history,
            )
        except Exception as exc:  # noqa: BLE001 - the patient must get a reply, not silence
            logger.error("lantern.intake.save_failed error=%s", type(exc).__name__)
            _message(
                dispatcher,
                "intake_save_failed",
                "I'm sorry, I couldn't save your answers. Please tell the front desk; "
                "you can also try again.",
                [{"title": "Try again", "payload": "continue"}, STOP],
            )
            return [SlotSet(ITEM9_HISTORY, history or None)]
        _message(
            dispatcher,
            "intake_submitted",
            "Thank you. Your answers have been sent securely to the clinic staff, who "
            "will go through them with you at your appointment.",
        )
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
        _message(
            dispatcher,
            "intake_cancelled",
            "Stopped. Your answers have been deleted and nothing was stored. "
            "You can still ask me questions, or talk to the front desk.",
        )
        return reset_events()


class IntakeGoBack(Action):
    """Go back: forget the previous answer so the form asks it again."""

    def name(self) -> str:
        """Runs on "go back" inside the form."""
        return "action_intake_back"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        """Clear the answer before the current question."""
        slots = dict(tracker.slots)
        order = required_slots(slots)
        current = slots.get("requested_slot")
        at = order.index(current) if current in order else len(order)
        answered = [s for s in order[:at] if slots.get(s) is not None and s != CONSENT]
        if not answered:
            return []
        previous = answered[-1]
        events = [SlotSet(previous, None)]
        if previous == GO_ON:  # back past "go on?" edits item 9 itself
            events.append(SlotSet(ITEM9, None))
        return events


class PauseIntake(Action):
    """After a safety reply inside the intake: alert staff, offer to continue or stop."""

    def name(self) -> str:
        """Runs after a crisis, emergency or active-use reply during the form."""
        return "action_intake_pause"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        """Record an urgent staff alert (no text) and ask how to go on.

        Crisis words typed while item 9 was asked count as a positive item 9.
        """
        alerted = staff.record_alert(tracker.sender_id, "crisis_in_intake")
        slots = dict(tracker.slots)
        events: List[EventType] = []
        if _asked_when_paused(tracker) == ITEM9:
            history = item9_history(slots, positive="crisis_message", alerted=alerted)
            events.append(SlotSet(ITEM9_HISTORY, history))
        if alerted and staff.staff_side_on():
            told = "Your intake is paused, and a member of staff has been told."
        else:
            told = (
                "Your intake is paused. Please tell the front desk now, so a member of "
                "staff can come and talk with you."
            )
        _message(
            dispatcher,
            "intake_paused",
            f"{told} Nothing is sent until you confirm at the end. Would you like to continue?",
            [{"title": "Continue my intake", "payload": "continue"}, STOP],
        )
        return events


def _asked_when_paused(tracker: Tracker) -> str | None:
    """The question the form was asking when a safety reply paused it."""
    for event in reversed(tracker.events):
        slot_event = event.get("event") == "slot" and event.get("name") == "requested_slot"
        if slot_event and event.get("value"):
            return str(event["value"])
    return None
