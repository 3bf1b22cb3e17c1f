#!/usr/bin/env bash
# Create .venv with Python 3.10 if missing and install the locked dependency tree.
# Re-installs only when requirements.lock changed (stamp file in .venv).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=$(scripts/find_python310.sh)
if [ ! -x .venv/bin/python ]; then
  echo "==> creating .venv with $PY"
  "$PY" -m venv .venv
fi
stamp=.venv/.lantern-installed
want=$(sha256sum requirements.lock requirements-nodeps.txt pyproject.toml | sha256sum | cut -c1-16)
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  echo "==> installing the locked dependencies (requirements.lock)"
  .venv/bin/python -m pip install --quiet --disable-pip-version-check -r requirements.lock
  .venv/bin/python -m pip install --quiet --disable-pip-version-check --no-deps -r requirements-nodeps.txt
  .venv/bin/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
  echo "$want" > "$stamp"
fi

