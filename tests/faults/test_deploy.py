"""The production files in deploy/: systemd units that parse and point at real files, an nginx
configuration that nginx itself accepts, with the limits the hostile suite relies on."""

from __future__ import annotations

import configparser
import shlex
import subprocess
from pathlib import Path

import pytest

from lantern.ops import render
from tests.servers import ROOT

UNITS = sorted((ROOT / "deploy" / "systemd").glob("*.service"))
SERVERS = {"lantern-rasa.service", "lantern-actions.service"}


def unit(path: Path) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=False, interpolation=None, delimiters=("=",))
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read_string(path.read_text(encoding="utf-8"))
    return parser


def in_repo(command: str) -> list:
    """The repository files a command names (/opt/lantern is where the docs install it)."""
    return [
        ROOT / word.removeprefix("/opt/lantern/")
        for word in shlex.split(command)
        if word.startswith("/opt/lantern/")
    ]


def test_the_units_parse_and_name_files_that_exist() -> None:
    others = {"lantern-proxy.service", "lantern-watchdog.service"}
    assert {p.name for p in UNITS} >= SERVERS | others
    for path in UNITS:
        parsed = unit(path)
        assert {"Unit", "Service", "Install"} <= set(parsed.sections()), path.name
        service = parsed["Service"]
        assert service["Restart"] == "always", path.name
        assert float(service["RestartSec"]) <= 5, path.name
        for key in ("ExecStart", "ExecStartPre"):
            for command in [service[key]] if key in service else []:
                for named in in_repo(command):
                    if ".venv" not in named.parts:
                        assert named.exists(), f"{path.name}: {named} does not exist"


def test_the_servers_run_unprivileged_with_private_files() -> None:
    for name in SERVERS:
        service = unit(ROOT / "deploy" / "systemd" / name)["Service"]
        assert service["User"] != "root"
        assert service["UMask"] == "0077"
        assert "scripts/serve.sh" in service["ExecStart"]


def test_the_watchdog_kills_units_that_exist() -> None:
    service = unit(ROOT / "deploy" / "systemd" / "lantern-watchdog.service")["Service"]
    variable, command = service["Environment"].strip('"').split("=", 1)
    assert variable == "LANTERN_WATCHDOG_KILL_CMD"
    for program in ("rasa", "actions"):
        killed = command.format(program=program)
        assert "SIGKILL" in killed
        assert (ROOT / "deploy" / "systemd" / killed.split()[-1]).exists()


def test_nginx_accepts_the_rendered_configuration(tmp_path: Path) -> None:
    env = {"LANTERN_VAR_DIR": str(tmp_path), "LANTERN_PORT": "18080", "LANTERN_RASA_PORT": "18081"}
    run_dir = render.render(env)
    conf = (run_dir / "nginx.conf").read_text()
    for limit in (
        "client_header_timeout 10s",
        "client_body_timeout 10s",
        "client_max_body_size 64k",
        "limit_conn per_client",
        'proxy_set_header X-Forwarded-Host ""',
        "server 127.0.0.1:18081",
    ):
        assert limit in conf
    checked = subprocess.run(
        [render.nginx_binary(), "-t", "-c", str(run_dir / "nginx.conf"), "-p", str(run_dir)],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert checked.returncode == 0, checked.stderr


def test_tls_settings_go_together(tmp_path: Path) -> None:
    env = {
        "LANTERN_VAR_DIR": str(tmp_path),
        "LANTERN_PORT": "18080",
        "LANTERN_RASA_PORT": "1",
        "LANTERN_TLS_CERT": "/etc/ssl/lantern.pem",
    }
    with pytest.raises(SystemExit, match="go together"):
        render.render(env)
    env["LANTERN_TLS_KEY"] = "/etc/ssl/lantern.key"
    conf = (render.render(env) / "nginx.conf").read_text()
    assert "listen 0.0.0.0:18080 ssl" in conf
    assert "ssl_certificate_key /etc/ssl/lantern.key;" in conf
