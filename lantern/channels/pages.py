"""Lantern's web pages, served by the Rasa server itself (no extra service).

Registered in `credentials.yml` like any channel; its blueprint is mounted at
`/lantern` and serves the files in `web/`:

- `/lantern/widget`  a demo clinic page with the embeddable chat widget
  (`/lantern/widget/lantern-widget.js` is the one script a website adds)
- `/lantern/kiosk`   the full-screen waiting-room kiosk
- `/lantern/staff`   the staff page; `GET /lantern/staff/handoffs` lists the open
  "talk to staff" requests and urgent alerts with their `version`, and
  `?since=<version>` holds the request (up to 25 s) until the list changes, so the
  open staff page hears of a new alert at once without polling on a timer (which
  browsers slow down in background tabs); `POST /lantern/staff/handoffs/<id>/close`
  closes one, all with `Authorization: Bearer $LANTERN_STAFF_TOKEN` (lantern/staff.py);
  `GET /lantern/staff/intakes` lists today's intakes (scores, bands, flags; urgent
  first) and `GET /lantern/staff/intakes/<id>` returns one as a FHIR
  QuestionnaireResponse (`application/fhir+json`), with the same token
  (lantern/intake/store.py); wrong tokens are counted per client address and lead
  to a lockout (429), a configured token under 16 characters keeps them off (503)
- `/lantern/vendor/socket.io.min.js`  the socket.io client from `web/node_modules`
  (installed by scripts/install_web.sh)
"""

from __future__ import annotations

import asyncio
import logging
import mimetypes
import time
from pathlib import Path
from typing import Any, Awaitable, Callable, Dict

from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from sanic_cors.core import SANIC_CORS_EVALUATED

from lantern import staff
from lantern.channels.proxy import client_address
from lantern.intake import store as intakes
from lantern.paths import ROOT

logger = logging.getLogger(__name__)

WEB_DIR = ROOT / "web"
PAGES = ("widget", "kiosk", "staff")
#: Files a page folder may serve, by extension.
TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".ico": "image/x-icon",
}
VENDOR_FILES = {
    "socket.io.min.js": WEB_DIR / "node_modules/socket.io-client/dist/socket.io.min.js",
    "socket.io.min.js.map": WEB_DIR / "node_modules/socket.io-client/dist/socket.io.min.js.map",
}
#: Our own pages run only our own scripts and styles: even if some text were ever
#: put into the page as HTML, an injected script or event handler would not run.
PAGE_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'self'"
)
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-cache",
}
#: How long `GET /lantern/staff/handoffs?since=` waits for a change, and how often it looks.
LIVE_WAIT_SECONDS = 25.0
LIVE_CHECK_SECONDS = 0.5
#: Pages and staff replies are never kept by a browser or a proxy (a shared kiosk's
#: Back button or cache shows nothing of a past visitor; a staff list is no file on disk).
NO_STORE = "no-store"


def _not_found() -> HTTPResponse:
    return response.json({"error": "not found"}, status=404)


def _refused(access: staff.Access) -> HTTPResponse:
    headers = {}
    if access.status == 401:
        headers["WWW-Authenticate"] = 'Bearer realm="lantern-staff"'
    if access.retry_after:
        headers["Retry-After"] = str(access.retry_after)
    return response.json({"error": access.message}, status=access.status, headers=headers)


def _intakes_unavailable(error: intakes.IntakeStoreError) -> HTTPResponse:
    # the message names the setting at fault, never any answer
    return response.json({"error": "intake records unavailable", "detail": str(error)}, status=503)


async def _send_file(path: Path) -> HTTPResponse:
    content_type = TYPES.get(path.suffix) or mimetypes.guess_type(path.name)[0]
    if not content_type or not path.is_file():
        return _not_found()
    headers = dict(SECURITY_HEADERS)
    if path.suffix == ".html":
        headers["Content-Security-Policy"] = PAGE_CSP
        headers["Cache-Control"] = NO_STORE
    else:
        # the widget script and its stylesheet are loaded by other sites' pages
        headers["Access-Control-Allow-Origin"] = "*"
        headers["Cross-Origin-Resource-Policy"] = "cross-origin"
    return await response.file(path, mime_type=content_type, headers=headers)


def page_file(page: str, name: str) -> Path | None:
    """Return the file `name` of a page folder in web/, or None (no path tricks)."""
    if page not in PAGES or not name or "/" in name or "\\" in name or name.startswith("."):
        return None
    folder = (WEB_DIR / page).resolve()
    path = (folder / name).resolve()
    if path.parent != folder or path.suffix not in TYPES:
        return None
    return path


class LanternPagesInput(InputChannel):
    """Serves the widget, kiosk and staff pages from `web/` under `/lantern`."""

    @classmethod
    def name(cls) -> str:
        """Name the channel (it receives no messages itself)."""
        return "lantern_pages"

    def url_prefix(self) -> str:
        """Mount at `/lantern` (Rasa joins this to `/webhooks/`; an absolute path wins)."""
        return "/lantern"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        """Build the routes for the pages, their files and the staff endpoints."""
        bp = Blueprint("lantern_pages", __name__)
        problem = staff.token_problem()
        if problem:
            logger.error("lantern.staff.token_refused_at_start: %s", problem)

        def refused(request: Request) -> HTTPResponse | None:
            access = staff.check_access(
                request.headers.get("Authorization"), client_address(request)
            )
            return None if access.allowed else _refused(access)

        @bp.middleware("request")
        async def own_cors_policy(request: Request) -> None:
            # these routes set their own CORS headers (scripts: "*"; pages and staff
            # endpoints: none); `rasa run --cors` must not add a second, conflicting one
            setattr(request.ctx, SANIC_CORS_EVALUATED, "1")

        @bp.middleware("response")
        async def staff_no_store(request: Request, reply: HTTPResponse) -> None:
            # every staff API reply (lists, records, refusals) is conversation data
            if request.path.startswith("/lantern/staff/") and not page_file(
                "staff", request.path.rsplit("/", 1)[-1]
            ):
                reply.headers["Cache-Control"] = NO_STORE

        @bp.route("/<page:str>", methods=["GET"])
        async def index(_: Request, page: str) -> HTTPResponse:
            path = page_file(page, "index.html")
            return await _send_file(path) if path else _not_found()

        @bp.route("/<page:str>/<name:str>", methods=["GET"])
        async def asset(_: Request, page: str, name: str) -> HTTPResponse:
            path = page_file(page, name)
            return await _send_file(path) if path else _not_found()

        @bp.route("/vendor/<name:str>", methods=["GET"])
        async def vendor(_: Request, name: str) -> HTTPResponse:
            path = VENDOR_FILES.get(name)
            if path is None:
                return _not_found()
            if not path.is_file():
                return response.json(
                    {"error": "run scripts/install_web.sh (npm ci --prefix web)"}, status=503
                )
            headers: Dict[str, str] = {
                **SECURITY_HEADERS,
                "Access-Control-Allow-Origin": "*",
                "Cross-Origin-Resource-Policy": "cross-origin",
            }
            return await response.file(
                path, mime_type=TYPES.get(path.suffix, "application/json"), headers=headers
            )

        @bp.route("/staff/handoffs", methods=["GET"])
        async def handoffs(request: Request) -> HTTPResponse:
            denied = refused(request)
            if denied is not None:
                return denied
            items = staff.open_handoffs()
            since = request.args.get("since")
            if since:
                # the staff page's live feed: answer as soon as the list differs (alerts
                # come from the action server too, another process: the database is read)
                deadline = time.monotonic() + LIVE_WAIT_SECONDS
                while staff.handoffs_version(items) == since and time.monotonic() < deadline:
                    transport = getattr(request, "transport", None)
                    if transport is not None and transport.is_closing():
                        break  # the page went away
                    await asyncio.sleep(LIVE_CHECK_SECONDS)
                    items = staff.open_handoffs()
            return response.json({"handoffs": items, "version": staff.handoffs_version(items)})

        @bp.route("/staff/handoffs/<handoff_id:int>/close", methods=["POST"])
        async def close(request: Request, handoff_id: int) -> HTTPResponse:
            denied = refused(request)
            if denied is not None:
                return denied
            if not staff.close_handoff(handoff_id):
                return _not_found()
            return response.json({"closed": handoff_id})

        @bp.route("/staff/intakes", methods=["GET"])
        async def intake_list(request: Request) -> HTTPResponse:
            denied = refused(request)
            if denied is not None:
                return denied
            try:
                items = intakes.list_today()
            except intakes.IntakeStoreError as error:
                return _intakes_unavailable(error)
            return response.json({"intakes": items})

        @bp.route("/staff/intakes/<record_id:str>", methods=["GET"])
        async def intake_fhir(request: Request, record_id: str) -> HTTPResponse:
            denied = refused(request)
            if denied is not None:
                return denied
            try:
                resource = intakes.get_fhir(record_id)
            except intakes.IntakeStoreError as error:
                return _intakes_unavailable(error)
            if resource is None:
                return _not_found()
            return response.json(resource, content_type="application/fhir+json")

        return bp
