"""lantern/speed/endpoint.py: one kept connection per endpoint, the same requests as Rasa's."""

from __future__ import annotations

import asyncio
import json
import socket
from typing import Any

import aiohttp.web
import pytest
from rasa.utils.endpoints import EndpointConfig

from lantern.speed import endpoint as pooled
from lantern.speed.endpoint import PooledEndpointConfig


def test_action_calls_keep_their_connection_and_survive_a_restart(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(pooled, "KEEPALIVE_S", 0.3)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    peers: list = []
    bodies: list = []
    headers: list = []

    async def webhook(request: aiohttp.web.Request) -> aiohttp.web.Response:
        peers.append(request.transport.get_extra_info("peername")[1])  # type: ignore[union-attr]
        bodies.append(await request.json())
        headers.append(request.headers.get("X-Secret"))
        return aiohttp.web.json_response({"events": [], "responses": []})

    async def serve() -> aiohttp.web.AppRunner:
        app = aiohttp.web.Application()
        app.router.add_post("/webhook", webhook)
        runner = aiohttp.web.AppRunner(app)
        await runner.setup()
        await aiohttp.web.TCPSite(runner, "127.0.0.1", port).start()
        return runner

    rasas = EndpointConfig(f"http://127.0.0.1:{port}/webhook", headers={"X-Secret": "s"})
    endpoint = PooledEndpointConfig.from_endpoint(rasas)
    assert endpoint.url == rasas.url and endpoint.headers == rasas.headers

    async def scenario() -> list:
        runner = await serve()
        sent = [{"n": n, "text": "é/\u202e😀", "big": 2**70} for n in range(5)]
        answers = [await endpoint.request(json=body, method="post") for body in sent]
        assert bodies == sent  # written with ujson (json for the big integer): the same JSON
        assert len(set(peers)) == 1  # one connection for five calls
        answers.append(await rasas.request(json=sent[0], method="post"))  # Rasa's own
        await runner.cleanup()  # the action server restarts
        runner = await serve()
        answers.append(await endpoint.request(json={}, method="post"))
        await asyncio.sleep(0.6)  # idle longer than the keep-alive: closed by us
        answers.append(await endpoint.request(json={}, method="post"))
        await runner.cleanup()
        await endpoint.close()
        return answers

    answers = asyncio.run(scenario())
    assert answers == [{"events": [], "responses": []}] * 8
    assert headers == ["s"] * 8  # Rasa's headers on every call
    assert len(set(peers)) == 4  # Rasa's call, after the restart and after idling: new ones


def test_action_requests_are_written_as_the_same_json_json_writes() -> None:
    from hypothesis import given, settings
    from hypothesis import strategies as st

    scalars = st.one_of(
        st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text()
    )
    finite = st.floats(allow_nan=False, allow_infinity=False)
    keys = st.one_of(st.text(), st.integers(), st.booleans(), st.none(), finite)
    values = st.recursive(
        scalars,
        lambda inner: st.lists(inner, max_size=4) | st.dictionaries(keys, inner, max_size=4),
        max_leaves=20,
    )

    @settings(max_examples=300, deadline=None)
    @given(values)
    def same_json(value: Any) -> None:
        assert json.loads(pooled.json_dumps(value)) == json.loads(json.dumps(value))

    same_json()
    assert pooled.json_dumps(float("nan")) in ("NaN", json.dumps(float("nan")))
