#!/usr/bin/env bash
# Install Debian's PostgreSQL and Redis servers when missing. The scale-out tests
# (tests/scale) start throwaway instances of both on loopback; nothing is started here.
set -euo pipefail
have_postgres() { compgen -G "/usr/lib/postgresql/*/bin/initdb" > /dev/null || command -v initdb > /dev/null; }
have_redis() { command -v redis-server > /dev/null; }
if have_postgres && have_redis; then
  exit 0
fi
echo "==> Installing Debian's postgresql and redis-server (for the scale-out tests)"
"$(dirname "$0")/apt_install.sh" postgresql redis-server
have_postgres && have_redis
redis-server --version
