"""Browser fixtures: Lantern's servers, Debian's Chromium driven by Playwright, helpers.

Chromium comes from Debian (`scripts/install_browser.sh`); Playwright's own browser
downloads are never used. The JavaScript dependencies come from `web/node_modules`
(`scripts/install_web.sh`).
"""

from __future__ import annotations

import json
import os
import secrets
import threading
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Dict, Iterator, List

import pytest

from tests.servers import ROOT, Servers, free_port, start

CHROMIUM = Path(os.environ.get("LANTERN_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
AXE_JS = ROOT / "web/node_modules/axe-core/axe.min.js"
SOCKET_IO_JS = ROOT / "web/node_modules/socket.io-client/dist/socket.io.min.js"
SCREENSHOTS = ROOT / "test-artifacts/screenshots"
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 360, "height": 740}
#: Where clinic_site serves "another site's" page (allowed in LANTERN_CORS_ORIGINS).
CLINIC_PORT = free_port()
CLINIC_ORIGIN = f"http://127.0.0.1:{CLINIC_PORT}"
#: Replies can take a while on a busy 2-core machine (the first one loads the model).
REPLY_MS = 45_000


@pytest.fixture(scope="session")
def staff_token() -> str:
    """The staff token the test servers run with."""
    return secrets.token_urlsafe(16)


@pytest.fixture(scope="session")
def web(tmp_path_factory: pytest.TempPathFactory, staff_token: str) -> Iterator[Servers]:
    """Lantern started like `make run`, with a staff token (own var dir)."""
    missing = [str(p.relative_to(ROOT)) for p in (SOCKET_IO_JS, AXE_JS) if not p.is_file()]
    if missing:
        pytest.fail(f"missing {missing}: run scripts/install_web.sh (npm ci --prefix web)")
    running = start(
        tmp_path_factory.mktemp("lantern-web"),
        # the test clinic site (clinic_site) may embed the widget: socket.io checks the Origin
        {"LANTERN_STAFF_TOKEN": staff_token, "LANTERN_CORS_ORIGINS": CLINIC_ORIGIN},
    )
    yield running
    running.stop()


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Headless Debian Chromium."""
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: run scripts/install_browser.sh")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        yield chromium
        chromium.close()


@pytest.fixture
def context(browser: Any) -> Iterator[Any]:
    """A fresh browser profile (empty storage) at desktop size.

    The pages' Content-Security-Policy is bypassed here, so that axe-core can be
    injected and so that the text-not-HTML tests would catch an injection even where
    the policy would have blocked it. `strict_context` keeps the policy.
    """
    ctx = browser.new_context(viewport=DESKTOP, bypass_csp=True)
    ctx.set_default_timeout(REPLY_MS)
    yield ctx
    ctx.close()


@pytest.fixture
def strict_context(browser: Any) -> Iterator[Any]:
    """A fresh browser profile that applies the pages' Content-Security-Policy."""
    ctx = browser.new_context(viewport=DESKTOP)
    ctx.set_default_timeout(REPLY_MS)
    yield ctx
    ctx.close()


@pytest.fixture
def page(context: Any) -> Iterator[Any]:
    """A page that records dialogs (alert/confirm) and page errors."""
    pg = context.new_page()
    pg.dialogs = []  # type: ignore[attr-defined]
    pg.errors = []  # type: ignore[attr-defined]

    def on_dialog(dialog: Any) -> None:
        pg.dialogs.append(dialog.message)  # type: ignore[attr-defined]
        dialog.dismiss()

    pg.on("dialog", on_dialog)
    pg.on("pageerror", lambda error: pg.errors.append(str(error)))  # type: ignore[attr-defined]
    yield pg


def axe_violations(page: Any, impacts: tuple = ("serious", "critical")) -> List[Dict[str, Any]]:
    """Run axe-core (WCAG 2.0-2.2 A/AA rules) and return violations of these impacts."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE_JS))
    result = page.evaluate(
        """async () => {
            const r = await axe.run(document, {
                runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa',
                                               'wcag22aa', 'best-practice']},
                resultTypes: ['violations'],
            });
            return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.map(n => n.target.join(' ')).slice(0, 5)}));
        }"""
    )
    return [v for v in result if v["impact"] in impacts]


def storage_dump(page: Any) -> str:
    """Everything in localStorage and sessionStorage, as one JSON string."""
    return json.dumps(
        page.evaluate(
            """() => {
                const dump = s => Object.fromEntries(
                    Array.from({length: s.length}, (_, i) => [s.key(i), s.getItem(s.key(i))]));
                return {local: dump(localStorage), session: dump(sessionStorage)};
            }"""
        )
    )


def screenshot(page: Any, name: str) -> Path:
    """Save a screenshot under test-artifacts/screenshots/."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path))
    return path


@contextmanager
def clinic_site(html: str) -> Iterator[str]:
    """Serve `html` as a clinic's web page on another origin; yield its URL."""

    class Page(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - the http.server API
            body = html.encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", CLINIC_PORT), Page)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/clinic.html"
    finally:
        server.shutdown()
        server.server_close()
