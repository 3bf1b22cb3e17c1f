#!/usr/bin/env bash
# Install Debian's nginx when missing: `make run` and production put it in front of
# the Rasa server (docs/deployment.md says why). Nothing is started here, and the
# package's own system-wide nginx service is kept from starting.
set -euo pipefail
if command -v nginx > /dev/null || [ -x /usr/sbin/nginx ]; then
  exit 0
fi
echo "==> Installing Debian's nginx (the front proxy of make run)"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# policy-rc.d 101: the package must not start a system-wide nginx; run.sh starts its own
if [ ! -e /usr/sbin/policy-rc.d ]; then
  trap '$SUDO rm -f /usr/sbin/policy-rc.d' EXIT
  printf '#!/bin/sh\nexit 101\n' | $SUDO tee /usr/sbin/policy-rc.d > /dev/null
  $SUDO chmod +x /usr/sbin/policy-rc.d
fi
$SUDO apt-get install -y -qq --no-install-recommends nginx-light > /dev/null 2>&1 \
  || $SUDO apt-get install -y -qq --no-install-recommends nginx > /dev/null
/usr/sbin/nginx -v
