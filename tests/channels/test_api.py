"""Rasa's HTTP API: off by default; when enabled, only with a token (or a JWT)."""

from __future__ import annotations

import re
from pathlib import Path

import jwt
import pytest
import requests
import yaml

from tests.channels.conftest import Secured
from tests.servers import ROOT, Servers, start

pytestmark = pytest.mark.server

#: API routes that read conversations, run the model or replace it.
API_CALLS = [
    ("GET", "/conversations/someone/tracker", None),
    ("POST", "/conversations/someone/messages", {"text": "hi", "sender": "user"}),
    ("POST", "/model/parse", {"text": "is ketamine addictive?"}),
    ("PUT", "/model", {"model_file": "/tmp/another-model.tar.gz"}),
    ("PUT", "/model", {"model_server": {"url": "http://127.0.0.1:9/model.tar.gz"}}),
    ("POST", "/model/train", {}),
    ("GET", "/status", None),
    ("GET", "/domain", None),
]


def call(
    url: str, method: str, path: str, body: dict | None, **kwargs: object
) -> requests.Response:
    return requests.request(method, url + path, json=body, timeout=30, **kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize(("method", "path", "body"), API_CALLS)
def test_api_is_not_served_by_default(
    servers: Servers, method: str, path: str, body: dict | None
) -> None:
    response = call(servers.url, method, path, body)
    assert response.status_code in (404, 405), (response.status_code, response.text[:200])


@pytest.mark.parametrize(("method", "path", "body"), API_CALLS)
def test_enabled_api_refuses_calls_without_a_valid_token(
    secured: Secured, method: str, path: str, body: dict | None
) -> None:
    url = secured.servers.url
    assert call(url, method, path, body).status_code == 401
    assert (
        call(url, method, path, body, params={"token": "wrong-" + secured.token}).status_code == 401
    )
    # the token is not a bearer token: a JWT signed with something else is refused too
    forged = jwt.encode({"user": {"username": "x", "role": "admin"}}, "not-the-secret", "HS256")
    headers = {"Authorization": f"Bearer {forged}"}
    assert call(url, method, path, body, headers=headers).status_code == 401


def test_enabled_api_answers_with_the_token(secured: Secured) -> None:
    url, token = secured.servers.url, {"token": secured.token}
    assert requests.get(f"{url}/status", params=token, timeout=30).status_code == 200
    tracker = requests.get(f"{url}/conversations/someone/tracker", params=token, timeout=30)
    assert tracker.status_code == 200 and tracker.json()["sender_id"] == "someone"
    parse = requests.post(f"{url}/model/parse", params=token, json={"text": "hi"}, timeout=30)
    assert parse.status_code == 200 and parse.json()["intent"]["name"] == "greet"


def test_enabled_api_answers_with_a_jwt_signed_with_the_secret(secured: Secured) -> None:
    admin = jwt.encode({"user": {"username": "ops", "role": "admin"}}, secured.jwt_secret, "HS256")
    response = requests.get(
        f"{secured.servers.url}/status", headers={"Authorization": f"Bearer {admin}"}, timeout=30
    )
    assert response.status_code == 200


def test_status_and_version_leak_nothing_sensitive(servers: Servers, secured: Secured) -> None:
    for running in (servers, secured.servers):
        root = requests.get(running.url + "/", timeout=30)
        assert re.fullmatch(r"Hello from Rasa: [0-9.]+", root.text), root.text
    version = requests.get(secured.servers.url + "/version", timeout=30).json()
    assert set(version) == {"version", "minimum_compatible_version"}
    unauthorised = requests.get(secured.servers.url + "/status", timeout=30).text
    public = root.text + str(version) + unauthorised
    for secret in (secured.token, secured.jwt_secret, str(ROOT), str(secured.servers.var_dir)):
        assert secret not in public
    assert "model_file" not in unauthorised and "lantern.tar.gz" not in public


@pytest.mark.parametrize(
    ("env", "reason"),
    [
        ({"LANTERN_ENABLE_API": "1"}, "needs LANTERN_API_TOKEN"),
        ({"LANTERN_ENABLE_API": "1", "LANTERN_API_TOKEN": "short"}, "too short"),
        ({"LANTERN_ENABLE_API": "maybe"}, "must be 1 or 0"),
        ({"LANTERN_RASA_ARGS": "--enable-api"}, "not LANTERN_RASA_ARGS"),
        ({"LANTERN_CORS_ORIGINS": "https://clinic.example/path"}, "is not an origin"),
        ({"LANTERN_CORS_ORIGINS": "https://*.example"}, "is not an origin"),
    ],
)
def test_unsafe_settings_refuse_to_start(tmp_path: Path, env: dict, reason: str) -> None:
    with pytest.raises(RuntimeError, match=reason):
        start(tmp_path, env, timeout=60)


def test_no_remote_model_server_is_configured() -> None:
    """Models come only from models/: no `models:` endpoint fetches one from a server."""
    endpoints = yaml.safe_load((ROOT / "endpoints.yml").read_text(encoding="utf-8"))
    assert "models" not in endpoints
