"""Each intake question as a domain response, written from questions.yml into domain.yml.

The question's wording lives in lantern/intake/questions.yml, where a clinician
reviews it with its options and codes; the patient sees it through the domain
response `utter_ask_intake_q_<id>` (text framed by its section, option buttons,
"None" / "Prefer not to say" where the question has them, then Go back and Stop),
so it is reviewed and translated like every other reply. The block between the
markers at the end of domain.yml is this module's output:
`python -m lantern.intake.responses` rewrites it, `--check` fails when it is stale
(tests/intake/test_responses.py checks the same). The Go back and Stop buttons are
the domain's own (YAML aliases of the intake's hand-written responses).
"""

from __future__ import annotations

import json
import sys
from typing import Dict, List

from lantern.intake.questions import (
    IDENTITY_MODES,
    NONE_DISPLAY,
    PREFER_NOT_DISPLAY,
    Question,
    asked,
    questions,
    sections,
)
from lantern.paths import ROOT

DOMAIN = ROOT / "domain.yml"
PREFIX = "utter_ask_intake_q_"
BEGIN = (
    "  # --- generated from lantern/intake/questions.yml by `python -m lantern.intake.responses`"
)
END = "  # --- end of the generated intake questions"
#: appended to every question: the kiosk turns it into a progress bar
PROGRESS = "\n(Question {intake_number} of {intake_total})"
#: YAML aliases of the navigation buttons defined in the intake's hand-written responses
BACK, STOP = "*intake_back_button", "*intake_stop_button"


def response_name(question_id: str) -> str:
    """The domain response that asks a question."""
    return f"{PREFIX}{question_id}"


def text(question: Question) -> str:
    """The question framed by its section ("2 of 9: ..."), then the progress line."""
    if "{" in question.text or "}" in question.text:
        raise ValueError(f"question {question.id}: braces would be read as a template variable")
    section = sections()[question.section]
    same = [q.id for q in questions() if q.section == question.section]
    same = [qid for qid in same if qid in {q.id for q in asked(_mode(question))}]
    position = same.index(question.id) + 1
    frame = section.first_prompt if position == 1 and section.first_prompt else section.prompt
    framed = frame.format(
        intro=section.intro, position=position, count=len(same), text=question.text
    )
    return framed + PROGRESS


def _mode(question: Question) -> str:
    return question.identity or IDENTITY_MODES[0]


def first_everywhere(question: Question) -> bool:
    """Whether the question is the first one asked in every identity mode that asks it."""
    modes = [m for m in IDENTITY_MODES if question.identity in (None, m)]
    return all(asked(m)[0].id == question.id for m in modes)


def answer_buttons(question: Question) -> List[Dict[str, str]]:
    """The answer buttons: the options, "None", "Prefer not to say" (payload = title)."""
    titles = [o.display for o in question.options]
    if question.none_option:
        titles.append(NONE_DISPLAY)
    if question.prefer_not_to_say:
        titles.append(PREFER_NOT_DISPLAY)
    return [{"title": t, "payload": t} for t in titles]


def _scalar(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)  # a JSON string is a YAML double-quoted scalar


def block() -> str:
    """The generated part of domain.yml's responses, markers included."""
    lines = [BEGIN, "  # (edit the questions there, then run it again; do not edit below)"]
    for question in questions():
        lines += [
            f"  {response_name(question.id)}:",
            f"    - text: {_scalar(text(question))}",
            "      buttons:",
        ]
        for button in answer_buttons(question):
            title, payload = _scalar(button["title"]), _scalar(button["payload"])
            lines.append(f"        - {{title: {title}, payload: {payload}}}")
        if not first_everywhere(question):  # nothing to go back to before the first
            lines.append(f"        - {BACK}")
        lines.append(f"        - {STOP}")
        lines.append(f"      custom: {{answer_id: intake_question, question: {question.id}}}")
    lines.append(END)
    return "\n".join(lines) + "\n"


def written(domain_text: str) -> str:
    """domain.yml's text with the generated block replaced (or appended at the end)."""
    if BEGIN in domain_text:
        before, rest = domain_text.split(BEGIN, 1)
        after = rest.split(END + "\n", 1)[1] if END + "\n" in rest else ""
        return before + block() + after
    return domain_text.rstrip("\n") + "\n\n" + block()


def main(argv: List[str]) -> int:
    """Rewrite domain.yml's generated block, or with `--check` fail if it is stale."""
    current = DOMAIN.read_text(encoding="utf-8")
    wanted = written(current)
    if "--check" in argv:
        if wanted != current:
            print("domain.yml's intake questions are stale: python -m lantern.intake.responses")
            return 1
        return 0
    if wanted != current:
        DOMAIN.write_text(wanted, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
