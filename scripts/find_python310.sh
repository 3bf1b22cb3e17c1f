#!/usr/bin/env bash
# Prints the path of a working Python 3.10 interpreter, or explains what is missing.
set -u
try() { "$1" -c 'import sys; assert sys.version_info[:2] == (3, 10)' >/dev/null 2>&1 && { command -v "$1" || echo "$1"; exit 0; }; }
try python3.10
if command -v pyenv >/dev/null 2>&1; then
  for p in "$(pyenv root)"/versions/3.10*/bin/python3.10; do [ -x "$p" ] && try "$p"; done
fi
for p in /usr/bin/python3.10 /usr/local/bin/python3.10; do [ -x "$p" ] && try "$p"; done
echo "Lantern needs Python 3.10 (Rasa 3.6 supports 3.8-3.10) and found none:" >&2
echo "  'python3.10' is not on PATH (or is a pyenv shim for a version not installed)." >&2
echo "  Install it, e.g. 'pyenv install 3.10.13' or 'apt-get install python3.10 python3.10-venv'." >&2
exit 1
