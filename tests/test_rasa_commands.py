"""A Rasa user's own commands in this folder, and `make shell` beside a running `make run`.

Plain `rasa` commands read `endpoints.yml` as in any Rasa project; Lantern's scripts give
Rasa the endpoints file `scripts/endpoints.sh` writes (the action server's address and
shared secret from the environment). The shell gets its own ports and shows the reviewer
only the conversation.
"""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import time
from pathlib import Path
from typing import Dict, Iterator, List

import pytest
import requests

from tests.safety.test_shell import Shell
from tests.servers import ROOT, free_port, terminate

RASA = str(ROOT / ".venv" / "bin" / "rasa")
SECRET = "s3cret-for-the-endpoints-test"
#: what a Rasa user's terminal has without `. scripts/env.sh`
LANTERN_SETTINGS = re.compile(r"^(LANTERN_|ACTION_ENDPOINT_URL$|TRACKER_DB$)")
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b[()][A-Z0-9]|\r")


def plain_env(**extra: str) -> Dict[str, str]:
    """The environment without any of Lantern's settings, plus `extra`."""
    env = {k: v for k, v in os.environ.items() if not LANTERN_SETTINGS.match(k)}
    env["RASA_TELEMETRY_ENABLED"] = "false"
    return {**env, **extra}


def read_endpoints(path: Path, env: Dict[str, str]) -> dict:
    """What Rasa reads from an endpoints file, with `env` as the environment."""
    code = (
        "import json, sys\n"
        "from rasa.core.utils import AvailableEndpoints\n"
        "e = AvailableEndpoints.read_endpoints(sys.argv[1])\n"
        "print(json.dumps({'url': e.action.url, 'headers': e.action.headers,\n"
        "  'selective': e.action.kwargs.get('enable_selective_domain'),\n"
        "  'stores': [e.tracker_store.type, e.lock_store.type, e.nlg.type]}))\n"
    )
    out = subprocess.run(
        [str(ROOT / ".venv" / "bin" / "python"), "-c", code, str(path)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr[-2000:]
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def write_lantern_endpoints(var_dir: Path, env: Dict[str, str]) -> Path:
    """Run scripts/endpoints.sh as scripts/serve.sh does; return the file it wrote."""
    out = subprocess.run(
        ["bash", "-c", '. scripts/env.sh && . scripts/endpoints.sh && echo "$lantern_endpoints"'],
        cwd=ROOT,
        env={**env, "LANTERN_VAR_DIR": str(var_dir)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == 0, out.stderr
    return Path(out.stdout.strip())


def test_endpoints_yml_loads_without_lanterns_settings() -> None:
    read = read_endpoints(ROOT / "endpoints.yml", plain_env())
    assert read["url"] == "http://localhost:5055/webhook"  # `rasa run actions`' default
    assert not read["headers"]
    assert read["selective"] is True
    assert read["stores"] == [
        "lantern.persistence.stores.LanternTrackerStore",
        "lantern.persistence.stores.LanternLockStore",
        "lantern.nlg.LanternNLG",
    ]


def test_lanterns_endpoints_file_sends_the_secret_to_the_configured_address(
    tmp_path: Path,
) -> None:
    url = f"http://localhost:{free_port()}/webhook"
    env = plain_env(ACTION_ENDPOINT_URL=url, LANTERN_ACTION_SECRET=SECRET)
    written = write_lantern_endpoints(tmp_path, env)
    assert written == tmp_path / "run" / "endpoints.yml"
    assert SECRET not in written.read_text()  # Rasa fills it in; never on disk
    read = read_endpoints(written, env)
    assert read["url"] == url
    assert read["headers"] == {"X-Lantern-Action-Secret": SECRET}
    assert read == {
        **read_endpoints(ROOT / "endpoints.yml", env),
        "url": url,
        "headers": read["headers"],
    }


def test_serve_sh_gives_rasa_lanterns_endpoints_file() -> None:
    serve = (ROOT / "scripts" / "serve.sh").read_text()
    assert ". scripts/endpoints.sh" in serve
    assert '--endpoints "$lantern_endpoints"' in serve
    assert "--endpoints endpoints.yml" not in serve


def test_plain_rasa_data_validate_works() -> None:
    result = subprocess.run(
        [RASA, "data", "validate"],
        cwd=ROOT,
        env=plain_env(),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]


def wait_until(url: str, process: subprocess.Popen, timeout: float) -> None:
    """Wait until `url` answers 200; fail if the process exits first."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert process.poll() is None, process.communicate()[0][-3000:]
        try:
            if requests.get(url, timeout=2).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.5)
    raise AssertionError(f"{url} did not answer in {timeout} s")


@pytest.mark.server
def test_plain_rasa_run_actions_serves_lanterns_actions() -> None:
    port = free_port()
    process = subprocess.Popen(
        [RASA, "run", "actions", "--port", str(port)],
        cwd=ROOT,
        env=plain_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        wait_until(f"http://127.0.0.1:{port}/health", process, timeout=120)
        names = {a["name"] for a in requests.get(f"http://127.0.0.1:{port}/actions").json()}
        assert {"action_answer", "validate_intake_form"} <= names
    finally:
        terminate(process)


@pytest.mark.server
def test_plain_rasa_run_works_on_the_embedded_defaults(tmp_path: Path) -> None:
    """`. scripts/env.sh`, then `rasa run` reads endpoints.yml and answers."""
    port = free_port()
    process = subprocess.Popen(
        [
            "bash",
            "-c",
            f". scripts/env.sh && exec {RASA} run --model models/lantern.tar.gz"
            f" --interface 127.0.0.1 --port {port}",
        ],
        cwd=ROOT,
        env=plain_env(LANTERN_VAR_DIR=str(tmp_path)),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        wait_until(f"http://127.0.0.1:{port}/webhooks/rest/", process, timeout=240)
        reply = requests.post(
            f"http://127.0.0.1:{port}/webhooks/rest/webhook",
            json={"sender": "plain-rasa", "message": "I want to kill myself"},
            timeout=60,
        )
        assert reply.status_code == 200
        ids = [m.get("custom", {}).get("answer_id") for m in reply.json()]
        assert "safety_crisis" in ids  # a domain response: no action server needed
    finally:
        terminate(process)


@pytest.mark.server
def test_plain_rasa_shell_works_on_the_embedded_defaults(tmp_path: Path) -> None:
    """`. scripts/env.sh`, then `rasa shell`: the crisis reply needs no action server."""
    command = (
        f". scripts/env.sh && exec {RASA} shell --model models/lantern.tar.gz"
        f" --interface 127.0.0.1 --port {free_port()}"
    )
    shell = Shell(plain_env(LANTERN_VAR_DIR=str(tmp_path)), command=["bash", "-c", command])
    try:
        shell.read_until("Your input", timeout=240)
        reply = shell.say("I want to kill myself", until='"answer_id": "safety_crisis"')
        assert "988" in reply
    finally:
        shell.close()


class HeldPorts:
    """Listening sockets on free ports: the ports a running `make run` holds."""

    def __init__(self, count: int) -> None:
        """Bind and listen on `count` free loopback ports."""
        self.sockets: List[socket.socket] = []
        for _ in range(count):
            held = socket.socket()
            held.bind(("127.0.0.1", 0))
            held.listen()
            self.sockets.append(held)

    @property
    def ports(self) -> List[int]:
        """The held port numbers."""
        return [int(s.getsockname()[1]) for s in self.sockets]

    def close(self) -> None:
        """Let the ports go."""
        for held in self.sockets:
            held.close()


@pytest.fixture
def held_ports() -> Iterator[HeldPorts]:
    """The proxy, action server and Rasa ports of a `make run`, taken."""
    held = HeldPorts(3)
    yield held
    held.close()


def visible(text: str) -> List[str]:
    """The terminal's lines without colour and cursor codes."""
    return [line for line in ANSI.sub("", text).splitlines() if line.strip()]


@pytest.mark.server
def test_make_shell_runs_beside_make_run_on_a_clean_terminal(
    tmp_path: Path, held_ports: HeldPorts
) -> None:
    proxy, actions, rasa = held_ports.ports
    env = {
        **os.environ,
        "LANTERN_PORT": str(proxy),
        "LANTERN_ACTION_PORT": str(actions),
        "LANTERN_RASA_PORT": str(rasa),
        "ACTION_ENDPOINT_URL": f"http://localhost:{actions}/webhook",
        "LANTERN_VAR_DIR": str(tmp_path),
    }
    for name in ("LANTERN_SHELL_PORT", "LANTERN_SHELL_ACTION_PORT", "LANTERN_REVIEWER_MODE"):
        env.pop(name, None)  # the shell picks its own
    shell = Shell(env, command=["bash", "scripts/shell.sh"])
    try:
        seen = shell.read_until("Your input", timeout=240)
        seen += shell.say("is ketamine addictive?", until="[reviewer] answer_id=")
        seen += shell.read_until("Your input", timeout=30)
        os.write(shell.master, b"/stop\r")
        assert shell.process.wait(timeout=60) == 0
    finally:
        shell.close()
    lines = visible(shell.output.decode(errors="replace"))
    assert "[reviewer] answer_id=ketamine_addiction_risk" in seen
    assert any('"answer_id": "ketamine_addiction_risk"' in line for line in lines)
    noise = [
        line
        for line in lines
        if re.search(r"Warning|Traceback|DEPRECAT|\bINFO\b|\bWARNING\b|\bERROR\b", line)
    ]
    assert not noise, noise
    # the servers' logs went to the shell's own state directory, not the terminal
    assert (tmp_path / "shell" / "logs" / "rasa.log").stat().st_size > 0
    assert not (tmp_path / "run").exists()  # nothing of a `make run`'s run dir touched
