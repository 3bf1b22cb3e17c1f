"""A Lantern started with the hardening options on: Rasa's HTTP API with a token
and a JWT secret, and two allowed CORS origins (shared by test_api and test_cors)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Iterator

import pytest

from tests.servers import Servers, start

CLINIC = "http://clinic.example"
OTHER = "https://other.example:8443"
EVIL = "http://evil.example"


@dataclass
class Secured:
    """The running servers and the secrets they were started with."""

    servers: Servers
    token: str
    jwt_secret: str


@pytest.fixture(scope="session")
def secured(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Secured]:
    """LANTERN_ENABLE_API=1 with a token and a JWT secret; CORS for two origins."""
    # urlsafe secrets start with "-" one time in 64: these always do, and must not be
    # read as a command-line option
    token, jwt_secret = "-" + secrets.token_urlsafe(24), "-" + secrets.token_urlsafe(24)
    running = start(
        tmp_path_factory.mktemp("lantern-secured"),
        {
            "LANTERN_ENABLE_API": "1",
            "LANTERN_API_TOKEN": token,
            "LANTERN_JWT_SECRET": jwt_secret,
            "LANTERN_CORS_ORIGINS": f"{CLINIC}, {OTHER}/",
        },
    )
    yield Secured(running, token, jwt_secret)
    running.stop()
