"""Write the front proxy's and the process supervisor's configuration for this machine.

`python -m lantern.ops.render` fills `deploy/nginx.conf.in` and
`deploy/supervisord.conf.in` from the settings in the environment (scripts/env.sh)
and writes them to `$LANTERN_VAR_DIR/run/`. Templates use `@{NAME}`, so nginx's own
`$variables` stay as they are.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
from pathlib import Path
from string import Template
from typing import Dict

from lantern.paths import ROOT
from lantern.safety.helplines import helplines

DEPLOY = ROOT / "deploy"


class _At(Template):
    """Only `@{NAME}` is a placeholder: nginx's `@name` locations stay as they are."""

    pattern = r"@(?:(?P<escaped>@@)|\{(?P<braced>[A-Z_]+)\}|(?P<named>(?!))|(?P<invalid>(?!)))"  # type: ignore[assignment]


def _nginx_string(text: str) -> str:
    """`text` inside a JSON string inside a single-quoted nginx string."""
    return json.dumps(text)[1:-1].replace("\\", "\\\\").replace("'", "\\'")


def nginx_binary() -> str:
    """Debian's nginx (scripts/install_proxy.sh installs it)."""
    found = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else "")
    if not found:
        raise SystemExit("nginx is missing: run `make run` (it installs Debian's nginx) first")
    return found


def settings(env: Dict[str, str]) -> Dict[str, str]:
    """Every value the templates name, from the environment."""
    var_dir = Path(env["LANTERN_VAR_DIR"])
    region = helplines().region(None)
    cert, key = env.get("LANTERN_TLS_CERT", ""), env.get("LANTERN_TLS_KEY", "")
    if bool(cert) != bool(key):
        raise SystemExit("LANTERN_TLS_CERT and LANTERN_TLS_KEY go together")
    tls_block = (
        f"        ssl_certificate {cert};\n        ssl_certificate_key {key};\n"
        "        ssl_protocols TLSv1.2 TLSv1.3;\n"
        '        add_header Strict-Transport-Security "max-age=31536000" always;\n'
        if cert
        else ""
    )
    return {
        "ROOT": str(ROOT),
        "RUN_DIR": str(var_dir / "run"),
        "LOG_DIR": str(var_dir / "logs"),
        "LISTEN": f"{env.get('LANTERN_LISTEN', '0.0.0.0')}:{env['LANTERN_PORT']}",
        "TLS_LISTEN": " ssl" if cert else "",
        "TLS_BLOCK": tls_block,
        "RASA_PORT": env["LANTERN_RASA_PORT"],
        "CONN_PER_CLIENT": env.get("LANTERN_CONN_PER_CLIENT", "512"),
        "CRISIS_LINE": _nginx_string(region.crisis_line),
        "EMERGENCY_NUMBER": _nginx_string(region.emergency_number),
        "PYTHON": str(ROOT / ".venv" / "bin" / "python"),
        "NGINX": nginx_binary(),
        "BASH": shutil.which("bash") or "/bin/bash",
    }


def render(env: Dict[str, str]) -> Path:
    """Write nginx.conf and supervisord.conf into the run dir; return that dir."""
    values = settings(env)
    run_dir = Path(values["RUN_DIR"])
    run_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    Path(values["LOG_DIR"]).mkdir(mode=0o700, parents=True, exist_ok=True)
    for name in ("nginx.conf", "supervisord.conf"):
        text = _At((DEPLOY / f"{name}.in").read_text(encoding="utf-8")).substitute(values)
        target = run_dir / name
        target.write_text(text, encoding="utf-8")
        target.chmod(0o600)
    return run_dir


if __name__ == "__main__":
    print(render(dict(os.environ)))
    sys.exit(0)
