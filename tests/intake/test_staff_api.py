"""The staff intake endpoints over HTTP against a real server: token, list, FHIR JSON, privacy."""

from __future__ import annotations

import json
import secrets
import sqlite3
from typing import Dict, Iterator, List

import pytest
import requests
from cryptography.fernet import Fernet
from fhir.resources.questionnaireresponse import QuestionnaireResponse

from lantern.intake import store
from tests.intake.test_store import MARKERS, marked_answers
from tests.servers import Servers, start

pytestmark = pytest.mark.server

INTAKES = "/lantern/staff/intakes"
UNKNOWN_ID = "0d6f3a52-7b1e-4c55-9a0e-5f2b8c1d9e70"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Servers]:
    """Lantern with a staff token and its own intake key and database."""
    var_dir = tmp_path_factory.mktemp("lantern-intake-staff")
    running = start(
        var_dir,
        {
            "LANTERN_STAFF_TOKEN": secrets.token_urlsafe(24),
            store.KEY_VARIABLE: Fernet.generate_key().decode(),
            store.DB_VARIABLE: str(var_dir / "intake.sqlite"),
        },
    )
    yield running
    running.stop()


def server_env(server: Servers) -> Dict[str, str]:
    return {
        name: server.env[name]
        for name in ("LANTERN_VAR_DIR", store.KEY_VARIABLE, store.DB_VARIABLE)
    }


@pytest.fixture(scope="module")
def saved(server: Servers) -> Dict[str, str]:
    """Two intakes saved into the server's store with its key: a routine one, then an urgent one."""
    with pytest.MonkeyPatch.context() as mp:
        for name, value in server_env(server).items():
            mp.setenv(name, value)
        routine = store.save(marked_answers(), conversation_id="kiosk-routine", channel="kiosk")
        urgent = store.save(
            marked_answers(phq9_9=1), conversation_id="kiosk-urgent", channel="kiosk"
        )
    return {"routine": routine, "urgent": urgent}


def auth(server: Servers) -> Dict[str, str]:
    return {"Authorization": f"Bearer {server.env['LANTERN_STAFF_TOKEN']}"}


def get(server: Servers, path: str, headers: Dict[str, str] | None = None) -> requests.Response:
    return requests.get(server.url + path, headers=headers or {}, timeout=15)


def test_without_or_with_a_wrong_token_is_401(server: Servers, saved: Dict[str, str]) -> None:
    token = server.env["LANTERN_STAFF_TOKEN"]
    bad_headers: List[Dict[str, str]] = [
        {},
        {"Authorization": "Bearer wrong-token"},
        {"Authorization": f"Bearer {token[:-1]}"},
        {"Authorization": f"Basic {token}"},
        {"Authorization": token},
        {"Authorization": "Bearer "},
    ]
    for path in (INTAKES, f"{INTAKES}/{saved['urgent']}", f"{INTAKES}/{UNKNOWN_ID}"):
        for headers in bad_headers:
            response = get(server, path, headers)
            assert response.status_code == 401, (path, headers)
            assert response.headers["WWW-Authenticate"].startswith("Bearer")
            assert not any(m in response.text for m in MARKERS)
        # a token in the query string is not a token
        assert get(server, f"{path}?token={token}").status_code == 401


def test_the_list_has_scores_bands_and_flags_urgent_first(
    server: Servers, saved: Dict[str, str]
) -> None:
    response = get(server, INTAKES, auth(server))
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    listed = response.json()["intakes"]
    assert [i["id"] for i in listed] == [saved["urgent"], saved["routine"]]
    urgent, routine = listed
    assert urgent["urgent"] is True and urgent["flags"] == ["item9", "lithium"]
    assert routine["urgent"] is False and routine["flags"] == ["lithium"]
    assert (urgent["phq9_total"], urgent["phq9_band"]) == (17, "moderately severe")
    assert (routine["phq9_total"], routine["phq9_band"]) == (16, "moderately severe")
    assert (routine["gad7_total"], routine["gad7_band"]) == (14, "moderate")
    assert (routine["first_name"], routine["birth_date"]) == ("Marigold", "1983-07-19")


def test_one_intake_as_fhir_json(server: Servers, saved: Dict[str, str]) -> None:
    response = get(server, f"{INTAKES}/{saved['urgent']}", auth(server))
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/fhir+json")
    assert response.headers["Cache-Control"] == "no-store"
    resource = response.json()
    assert resource["resourceType"] == "QuestionnaireResponse" and resource["id"] == saved["urgent"]
    assert json.loads(QuestionnaireResponse.parse_obj(resource).json()) == resource


@pytest.mark.parametrize("record_id", [UNKNOWN_ID, "not-a-record", "..%2f..%2fintake.sqlite"])
def test_an_unknown_id_is_404(server: Servers, saved: Dict[str, str], record_id: str) -> None:
    response = get(server, f"{INTAKES}/{record_id}", auth(server))
    assert response.status_code == 404
    assert response.json() == {"error": "not found"}


def test_the_patient_side_cannot_reach_intakes(server: Servers, saved: Dict[str, str]) -> None:
    record_id = saved["urgent"]
    for message in (f"{INTAKES}/{record_id}", record_id, "show me today's intakes"):
        replies = requests.post(
            f"{server.url}/webhooks/rest/webhook",
            json={"sender": "kiosk-urgent", "message": message},
            timeout=60,
        )
        assert replies.status_code == 200
        assert not any(m in replies.text for m in MARKERS), message
    for path in (
        f"/webhooks/rest/{record_id}",
        f"/webhooks/rest/webhook/{record_id}",
        "/webhooks/rest/intakes",
        f"/lantern/kiosk/{record_id}",
        "/lantern/kiosk/intakes",
        f"/lantern/widget/{record_id}",
        f"/lantern/intakes/{record_id}",
        "/lantern/staff/intake.sqlite",
        "/lantern/staff/intake.key",
        "/conversations/kiosk-urgent/tracker",
    ):
        response = get(server, path)
        assert response.status_code in (401, 404, 405), path
        assert not any(m in response.text for m in MARKERS), path


def test_a_wrong_key_is_a_clear_error_not_a_500(server: Servers, saved: Dict[str, str]) -> None:
    env = server_env(server)
    with pytest.MonkeyPatch.context() as mp:
        for name, value in env.items():
            mp.setenv(name, value)
        mp.setenv(store.KEY_VARIABLE, Fernet.generate_key().decode())  # not the server's key
        foreign = store.save(marked_answers(), conversation_id="kiosk-other", channel="kiosk")
    try:
        for path in (INTAKES, f"{INTAKES}/{foreign}"):
            response = get(server, path, auth(server))
            assert response.status_code == 503, path
            body = response.json()
            assert store.KEY_VARIABLE in body["detail"]
            assert not any(m in response.text for m in MARKERS)
        assert get(server, f"{INTAKES}/{saved['routine']}", auth(server)).status_code == 200
    finally:
        with sqlite3.connect(env[store.DB_VARIABLE]) as conn:
            conn.execute("DELETE FROM intakes WHERE id = ?", (foreign,))
    assert get(server, INTAKES, auth(server)).status_code == 200


def test_no_answer_reaches_the_server_logs(server: Servers, saved: Dict[str, str]) -> None:
    """Save, list and read over HTTP (done above and again here); the logs hold no answer."""
    assert get(server, INTAKES, auth(server)).status_code == 200
    for record_id in saved.values():
        assert get(server, f"{INTAKES}/{record_id}", auth(server)).status_code == 200
    logs = server.logs()
    assert "/lantern/staff/intakes" in logs or "rasa" in logs.lower(), "expected server logs"
    for marker in MARKERS:
        assert marker not in logs, marker


@pytest.mark.browser
def test_the_staff_page_lists_intakes_and_shows_their_fhir_json(
    server: Servers, saved: Dict[str, str]
) -> None:
    """Headless Debian Chromium under the page's real CSP; axe-core in a second context."""
    from playwright.sync_api import sync_playwright

    from lantern import staff
    from tests.browser.conftest import (
        CHROMIUM,
        CHROMIUM_ARGS,
        DESKTOP,
        PHONE,
        axe_violations,
        screenshot,
    )

    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("LANTERN_VAR_DIR", server.env["LANTERN_VAR_DIR"])
        staff.record_handoff("kiosk-routine")
        staff.record_alert("kiosk-urgent", "phq9_item9")

    def sign_in(page: object) -> None:
        page.goto(f"{server.url}/lantern/staff")  # type: ignore[attr-defined]
        page.get_by_label("Staff token").fill(server.env["LANTERN_STAFF_TOKEN"])  # type: ignore[attr-defined]
        page.get_by_role("button", name="Show requests").click()  # type: ignore[attr-defined]
        page.locator("#s-intake-rows tr").nth(1).wait_for()  # type: ignore[attr-defined]

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        try:
            context = browser.new_context(viewport=DESKTOP)
            context.set_default_timeout(20_000)
            page = context.new_page()
            errors: List[str] = []
            page.on("pageerror", lambda error: errors.append(str(error)))
            sign_in(page)

            handoffs = page.locator("#s-rows tr")
            assert "Urgent: PHQ-9 item 9" in handoffs.nth(0).inner_text()
            assert "Talk to staff" in handoffs.nth(1).inner_text()

            first, second = page.locator("#s-intake-rows tr").all()
            text = first.inner_text()
            assert "URGENT" in text and "PHQ-9 item 9 above 0" in text and "Lithium" in text
            assert "17 (moderately severe)" in text and "14 (moderate)" in text
            assert "Marigold, born 1983-07-19" in text
            assert "URGENT" not in second.inner_text()
            assert page.locator("#s-intake-status").inner_text() == "2 intakes today"

            first.get_by_role("button", name="FHIR JSON").click()
            viewer = page.locator("#s-fhir-json")
            viewer.wait_for()
            shown = json.loads(viewer.inner_text())
            assert shown["resourceType"] == "QuestionnaireResponse"
            assert shown["id"] == saved["urgent"]
            assert page.evaluate("document.activeElement.id") == "s-fhir-title"
            href = page.locator("#s-fhir-download").get_attribute("href") or ""
            assert href.startswith("blob:")
            screenshot(page, "staff-intakes-desktop")
            page.get_by_role("button", name="Close").click()
            assert page.locator("#s-fhir").is_hidden()
            page.set_viewport_size(PHONE)
            screenshot(page, "staff-intakes-phone")
            assert errors == []

            # accessibility: axe-core needs the CSP bypassed to be injected
            checked = browser.new_context(viewport=DESKTOP, bypass_csp=True)
            checked.set_default_timeout(20_000)
            audit = checked.new_page()
            sign_in(audit)
            audit.locator("#s-intake-rows button").first.click()
            audit.locator("#s-fhir-json").wait_for()
            assert axe_violations(audit) == []
        finally:
            browser.close()
