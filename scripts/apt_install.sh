#!/usr/bin/env bash
# apt_install.sh PACKAGE...: install Debian packages (sudo when not root) without
# letting them start system-wide services; the project starts its own
# (scripts/install_proxy.sh, install_services.sh, install_browser.sh use it).
set -euo pipefail
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# policy-rc.d 101: a package's own service must not start
if [ ! -e /usr/sbin/policy-rc.d ]; then
  trap '$SUDO rm -f /usr/sbin/policy-rc.d' EXIT
  printf '#!/bin/sh\nexit 101\n' | $SUDO tee /usr/sbin/policy-rc.d > /dev/null
  $SUDO chmod +x /usr/sbin/policy-rc.d
fi
$SUDO apt-get install -y -qq --no-install-recommends "$@" > /dev/null
