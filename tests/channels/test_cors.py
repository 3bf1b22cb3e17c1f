"""CORS from LANTERN_CORS_ORIGINS, for the REST webhook and the socket.io handshakes."""

from __future__ import annotations

from typing import List

import pytest
import requests
import websocket

from tests.channels.conftest import CLINIC, EVIL, OTHER, Secured
from tests.servers import Servers

pytestmark = pytest.mark.server

SOCKET_PATHS = ["/socket.io/", "/kiosk/socket.io/"]


def allow_origin(response: requests.Response) -> List[str]:
    """Every Access-Control-Allow-Origin header of a response (there must be at most one)."""
    return response.raw.headers.getlist("Access-Control-Allow-Origin")


def preflight(url: str, origin: str) -> requests.Response:
    return requests.options(
        f"{url}/webhooks/rest/webhook",
        headers={
            "Origin": origin,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
        timeout=30,
    )


def post(url: str, origin: str) -> requests.Response:
    return requests.post(
        f"{url}/webhooks/rest/webhook",
        json={"sender": "cors-test", "message": "hello"},
        headers={"Origin": origin},
        timeout=60,
    )


def handshake(url: str, path: str, origin: str) -> requests.Response:
    return requests.get(
        f"{url}{path}",
        params={"EIO": "4", "transport": "polling"},
        headers={"Origin": origin},
        timeout=30,
    )


@pytest.mark.parametrize("origin", [CLINIC, OTHER])
def test_allowed_origin_may_call_the_rest_webhook(secured: Secured, origin: str) -> None:
    url = secured.servers.url
    assert allow_origin(preflight(url, origin)) == [origin]
    response = post(url, origin)
    assert response.status_code == 200 and allow_origin(response) == [origin]


def test_other_origins_get_no_cors_headers(secured: Secured, servers: Servers) -> None:
    for url in (secured.servers.url, servers.url):
        assert allow_origin(preflight(url, EVIL)) == []
        assert allow_origin(post(url, EVIL)) == []


def test_by_default_no_origin_is_allowed(servers: Servers) -> None:
    assert allow_origin(preflight(servers.url, CLINIC)) == []
    assert allow_origin(post(servers.url, CLINIC)) == []


@pytest.mark.parametrize("path", SOCKET_PATHS)
def test_socketio_handshake_follows_the_same_origins(secured: Secured, path: str) -> None:
    url = secured.servers.url
    allowed = handshake(url, path, CLINIC)
    assert allowed.status_code == 200 and allow_origin(allowed) == [CLINIC]
    refused = handshake(url, path, EVIL)
    assert refused.status_code == 400 and allow_origin(refused) == []
    # the pages the server serves itself (widget, kiosk) always may connect
    assert handshake(url, path, url).status_code == 200


@pytest.mark.parametrize("path", SOCKET_PATHS)
def test_socketio_by_default_accepts_only_the_servers_own_pages(
    servers: Servers, path: str
) -> None:
    assert handshake(servers.url, path, servers.url).status_code == 200
    assert handshake(servers.url, path, CLINIC).status_code == 400


@pytest.mark.parametrize("path", SOCKET_PATHS)
def test_websocket_from_another_origin_is_refused(secured: Secured, path: str) -> None:
    """Browsers apply no CORS to WebSocket: the server checks the Origin itself."""
    ws_url = secured.servers.url.replace("http://", "ws://") + path + "?EIO=4&transport=websocket"
    with pytest.raises(websocket.WebSocketBadStatusException) as refused:
        websocket.create_connection(ws_url, origin=EVIL, timeout=30)
    assert refused.value.status_code == 400
    allowed = websocket.create_connection(ws_url, origin=CLINIC, timeout=30)
    try:
        assert allowed.recv().startswith("0{")  # engine.io "open" packet
    finally:
        allowed.close()


def test_the_widget_script_keeps_its_single_wildcard_header(secured: Secured) -> None:
    for origin in (None, CLINIC, EVIL):
        headers = {"Origin": origin} if origin else {}
        script = requests.get(
            f"{secured.servers.url}/lantern/widget/lantern-widget.js", headers=headers, timeout=30
        )
        assert script.status_code == 200 and allow_origin(script) == ["*"]
