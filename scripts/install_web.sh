#!/usr/bin/env bash
# Install the web pages' JavaScript dependencies (socket.io-client, axe-core) from
# web/package-lock.json when web/node_modules is missing or the lock changed.
set -euo pipefail
cd "$(dirname "$0")/.."
STAMP=web/node_modules/.lantern-lock.sha256
want="$(sha256sum web/package-lock.json | cut -d' ' -f1)"
if [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$want" ] \
  && [ -f web/node_modules/socket.io-client/dist/socket.io.min.js ]; then
  exit 0
fi
if ! command -v npm > /dev/null; then
  echo "npm is needed for the web pages (Node.js 18 or later)" >&2
  exit 1
fi
echo "==> Installing the web pages' JavaScript dependencies (npm ci)"
npm ci --prefix web --no-audit --no-fund --loglevel=error
echo "$want" > "$STAMP"
