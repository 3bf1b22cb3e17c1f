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
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# policy-rc.d 101: the packages must not start system-wide services; the tests start their own
if [ ! -e /usr/sbin/policy-rc.d ]; then
  trap '$SUDO rm -f /usr/sbin/policy-rc.d' EXIT
  printf '#!/bin/sh\nexit 101\n' | $SUDO tee /usr/sbin/policy-rc.d > /dev/null
  $SUDO chmod +x /usr/sbin/policy-rc.d
fi
$SUDO apt-get install -y -qq --no-install-recommends postgresql redis-server > /dev/null
have_postgres && have_redis
redis-server --version
