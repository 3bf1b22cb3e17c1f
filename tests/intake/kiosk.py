"""One patient's intake driven through the form's own actions, as Rasa's form drives them.

A rasa_sdk `Tracker` and `CollectingDispatcher` per call, the way the action
server gets them: the form's validation gets the typed text as the candidate
`intake_answer` (the last event, as Rasa's form appends it), then the asker runs
on the slots as they are after it, unless the validation ended the form. The
responses the actions name are rendered from the domain (its first variation,
with the help lines, slots and the action's variables), so a missing response
fails here too.
"""

from __future__ import annotations

import string
from functools import lru_cache
from typing import Any, Dict, List

from rasa_sdk import Tracker
from rasa_sdk.events import ActionExecuted, SlotSet, UserUttered
from rasa_sdk.executor import CollectingDispatcher

from actions.intake import (
    ANSWER,
    ANSWERS,
    ITEM9_HISTORY,
    QUESTION,
    AskIntakeAnswer,
    IntakeGoBack,
    ValidateIntakeForm,
)
from lantern.intake.flow import steps
from lantern.intake.questions import by_id
from lantern.nlg import response_variables
from lantern.paths import read_domain


@lru_cache(maxsize=1)
def domain() -> Dict[str, Any]:
    """The domain's files merged, as the action server gets the domain (send_domain)."""
    return read_domain()


class _Blank(dict):
    def __missing__(self, key: str) -> str:
        return f"<{key}?>"


def render(message: Dict[str, Any], slots: Dict[str, Any]) -> Dict[str, Any]:
    """A dispatched message as the patient gets it: text, buttons, custom."""
    name = message.get("response")
    if not name:
        return message
    variation = next(v for v in domain()["responses"][name] if not v.get("condition"))
    extra = {k: v for k, v in message.items() if k not in _DISPATCH_KEYS}
    values = _Blank({**response_variables(slots.get("region")), **slots, **extra})
    fill = string.Formatter().vformat
    custom = {
        k: fill(v, (), values) if isinstance(v, str) else v
        for k, v in (variation.get("custom") or {}).items()
    }
    return {
        "response": name,
        "text": fill(variation.get("text", ""), (), values),
        "buttons": list(variation.get("buttons") or []),
        "custom": custom,
    }


_DISPATCH_KEYS = {"text", "buttons", "elements", "custom", "template", "response", "image"}
_DISPATCH_KEYS |= {"attachment"}


class Kiosk:
    """One patient's intake: slots, events so far, and the last turn's messages."""

    def __init__(self, sender: str = "kiosk-test") -> None:
        self.sender = sender
        self.slots: Dict[str, Any] = {ANSWER: None, ANSWERS: None, QUESTION: None}
        self.slots.update({ITEM9_HISTORY: None, "requested_slot": None, "crisis_shown": None})
        self.slots["region"] = None
        self.events: List[Dict[str, Any]] = []
        self.messages: List[Dict[str, Any]] = []
        self.form_active = True

    @property
    def answers(self) -> Dict[str, Any]:
        """The answers filed so far."""
        return dict(self.slots[ANSWERS] or {})

    @property
    def asked(self) -> str | None:
        """The step asked now."""
        return self.slots[QUESTION]

    def tracker(self, text: str | None = None) -> Tracker:
        """The tracker an action gets; with `text`, as the form's validation gets it."""
        events = [*self.events, ActionExecuted("action_listen")]
        slots = dict(self.slots)
        if text is not None:
            events.append(UserUttered(text, {"name": "inform", "confidence": 1.0}))
            events += [SlotSet("requested_slot", ANSWER), ActionExecuted("intake_form")]
            events.append(SlotSet(ANSWER, text))  # the candidate, last
            slots[ANSWER] = text
        return Tracker(
            self.sender,
            slots,
            {"text": text, "intent": {"name": "inform"}},
            events,
            False,
            None,
            {"name": "intake_form"} if self.form_active else {},
            "action_listen",
        )

    def apply(self, events: List[Dict[str, Any]]) -> None:
        for event in events:
            if event.get("event") == "slot":
                self.slots[event["name"]] = event["value"]
            self.events.append(event)

    async def run(self, action: Any, text: str | None = None) -> List[Dict[str, Any]]:
        """Run one action; its events applied, its messages rendered in `self.messages`."""
        dispatcher = CollectingDispatcher()
        before = dict(self.slots)
        events = await action.run(dispatcher, self.tracker(text), domain())
        self.apply(events)
        self.messages = [render(m, before) for m in dispatcher.messages]
        return list(events)

    async def form(self, text: str | None = None) -> List[Dict[str, Any]]:
        """The form's turn: validate (`text` the answer, if any), then ask the next step."""
        events = await self.run(ValidateIntakeForm(), text)
        replies = list(self.messages)
        if SlotSet("requested_slot", None) in events:
            self.form_active = False  # every step answered: the form ends
        else:
            self.slots["requested_slot"] = ANSWER
            replies += [m for m in await self._ask()]
        self.messages = replies
        return replies

    async def _ask(self) -> List[Dict[str, Any]]:
        await self.run(AskIntakeAnswer())
        return self.messages

    async def start(self) -> List[Dict[str, Any]]:
        """ "start my intake": the form activates, validates nothing, asks the first step."""
        self.form_active = True
        return await self.form()

    async def answer(self, text: str) -> List[Dict[str, Any]]:
        """The patient answers the step asked; the form files it and asks the next."""
        return await self.form(text)

    async def go_back(self) -> List[Dict[str, Any]]:
        """ "go back": the back action, then the form asks again."""
        await self.run(IntakeGoBack())
        return await self.form()

    def at(self, step: str, **given: Any) -> Kiosk:
        """Every step before `step` answered (plainly, or as `given`); `step` asked."""
        answers: Dict[str, Any] = {"consent": True, "appointment_code": "AB12CD"}
        answers.update({"reason": "depression", "treatments_tried": ["therapy"]})
        answers.update({"medicines": "none", "first_name": "Sam", "birth_date": "1985-03-14"})
        answers.update(given)
        filled: Dict[str, Any] = {}
        for each in steps(answers):
            if each == step:
                break
            question = by_id().get(each)
            default = 0 if question is not None and question.type == "scale" else "no"
            filled[each] = answers.get(each, "yes" if each == "go_on" else default)
        self.slots[ANSWERS] = filled
        self.slots[QUESTION] = step
        self.slots["requested_slot"] = ANSWER
        return self

    def at_item9(self) -> Kiosk:
        """Everything before PHQ-9 item 9 answered; item 9 asked."""
        return self.at("phq9_9")


def ids(messages: List[Dict[str, Any]]) -> List[str]:
    """Answer ids of the messages, in order (custom payloads, else the response's name)."""
    found = []
    for m in messages:
        custom = m.get("custom") or {}
        if "answer_id" in custom:
            found.append(str(custom["answer_id"]))
        elif m.get("response"):
            found.append(str(m["response"]).replace("utter_", ""))
    return found


def text(messages: List[Dict[str, Any]]) -> str:
    """Every message's text, lower case."""
    return " ".join(str(m.get("text") or "") for m in messages).lower()


def payloads(messages: List[Dict[str, Any]]) -> List[str]:
    """Every button's payload."""
    return [b["payload"] for m in messages for b in m.get("buttons") or []]
