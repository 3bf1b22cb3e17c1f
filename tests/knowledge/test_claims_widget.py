"""The widget shows an answer's claims as numbered citations the patient can open.

Renders real knowledge-base payloads with the widget's own `renderMessage` in Debian's
Chromium (no server needed): "[n]" follows each cited sentence and links to source n,
the source list is numbered the same way, and hostile payloads stay text.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any, Dict, Iterator, List

import pytest

from actions.knowledge_base import ROOT, knowledge_base

CHROMIUM = Path(os.environ.get("LANTERN_CHROMIUM", "/usr/bin/chromium"))
WIDGET_JS = ROOT / "web/widget/lantern-widget.js"
WIDGET_CSS = ROOT / "web/widget/lantern-widget.css"
SENTENCE_END = re.compile(r"[.!?][\"\u201d')]*(?=\s|$)")

RENDER = """([text, custom]) => {
    const li = window.LanternChat.renderMessage(
        {from: 'bot', kind: 'answer', text: text, custom: custom}, true, () => {});
    const log = document.querySelector('.lantern-w .lw-log');
    log.replaceChildren(li);
    const p = li.querySelector('.lw-text');
    return {
        text: p.textContent,
        marks: Array.from(p.querySelectorAll('sup.lw-cite')).map(s => {
            const a = s.querySelector('a');
            const before = document.createRange();
            before.setStart(p, 0);
            before.setEndBefore(s);
            return {label: s.textContent, href: a && a.getAttribute('href'),
                    target: a && a.target, rel: a && a.rel,
                    aria: a && a.getAttribute('aria-label'),
                    at: before.toString().length};
        }),
        items: Array.from(li.querySelectorAll('.lw-source-list li')).map(i => i.textContent),
        tags: Array.from(li.querySelectorAll('img, script, b, i')).length,
    };
}"""


@pytest.fixture(scope="module")
def page() -> Iterator[Any]:
    """A blank page holding the widget's script and styles, and an empty log."""
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: run scripts/install_browser.sh")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-gpu"], headless=True
        )
        page = browser.new_page(viewport={"width": 360, "height": 740})
        page.set_content('<div class="lantern-w"><ol class="lw-log"></ol></div>')
        page.add_style_tag(path=str(WIDGET_CSS))
        page.add_script_tag(path=str(WIDGET_JS))
        yield page
        browser.close()


def render(page: Any, text: str, custom: Dict[str, Any]) -> Dict[str, Any]:
    return page.evaluate(RENDER, [text, custom])


def expected_marks(text: str, custom: Dict[str, Any]) -> List[tuple]:
    """(position in the plain text, number): after the sentence holding each fragment."""
    marks = set()
    for citation in custom["citations"]:
        start = text.index(citation["text"])
        found = SENTENCE_END.search(text, start + len(citation["text"]) - 1)
        marks.add((found.end() if found else len(text), citation["source"]))
    return sorted(marks)


@pytest.mark.parametrize(
    "answer_id", ["mdma", "psychedelic_legal_status", "ketamine_side_effects", "drug_interactions"]
)
def test_each_cited_sentence_ends_with_a_link_to_its_numbered_source(
    page: Any, answer_id: str
) -> None:
    answer = knowledge_base()[answer_id]
    custom = answer.payload()
    shown = render(page, answer.answer, custom)
    marks = shown["marks"]
    urls = {s["n"]: s["url"] for s in custom["sources"]}
    # the plain text minus the markers is the answer, unchanged
    plain = shown["text"]
    for mark in sorted(marks, key=lambda m: -m["at"]):
        plain = plain[: mark["at"]] + plain[mark["at"] + len(mark["label"]) :]
    assert plain == answer.answer
    # the markers sit where the sentences holding the claims end, in number order
    placed = []
    offset = 0
    for mark in marks:
        n = int(mark["label"].strip("[]"))
        placed.append((mark["at"] - offset, n))
        offset += len(mark["label"])
        assert mark["href"].rstrip("/") == urls[n].rstrip("/")
        assert mark["target"] == "_blank" and mark["rel"] == "noopener noreferrer"
        assert mark["aria"].startswith(f"Source {n}: ") and "new tab" in mark["aria"]
    assert placed == expected_marks(answer.answer, custom)
    # the list says which number is which source
    assert len(shown["items"]) == len(custom["sources"])
    for i, item in enumerate(shown["items"], start=1):
        assert item.startswith(f"[{i}] ")


def test_secondary_sources_are_labelled_in_the_list(page: Any) -> None:
    answer = knowledge_base()["treatment_resistant_depression"]
    custom = answer.payload()
    shown = render(page, answer.answer, custom)
    secondary = [i for i, s in enumerate(custom["sources"]) if s["secondary"]]
    assert secondary
    for i in secondary:
        assert "not a regulator or research paper" in shown["items"][i]


def test_hostile_citations_stay_text_and_unsafe_links_are_not_links(page: Any) -> None:
    text = "<img src=x onerror=alert(1)> is here. Second <b>bold</b> sentence."
    custom = {
        "answer_id": "x",
        "sources": [
            {"n": 1, "title": "<script>alert(2)</script>", "url": "javascript:alert(3)"},
            {"n": 2, "title": "<i>t</i>", "url": "https://example.org/a"},
        ],
        "citations": [
            {"text": "<img src=x onerror=alert(1)>", "source": 1},
            {"text": "<b>bold</b>", "source": 2},
            {"text": "not in the text", "source": 2},
            {"text": "Second", "source": 9},
            {"text": 5, "source": 1},
        ],
    }
    shown = render(page, text, custom)
    assert shown["tags"] == 0
    assert [(m["label"], m["href"]) for m in shown["marks"]] == [
        ("[1]", None),
        ("[2]", "https://example.org/a"),
    ]
    assert shown["text"] == text.replace("here.", "here.[1]").replace("sentence.", "sentence.[2]")


def test_an_answer_without_citations_is_drawn_as_before(page: Any) -> None:
    shown = render(page, "Plain text. Two sentences.", {"answer_id": "x", "sources": []})
    assert shown["text"] == "Plain text. Two sentences." and shown["marks"] == []
