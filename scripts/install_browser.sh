#!/usr/bin/env bash
# Install Debian's Chromium for the browser tests (tests/browser) when it is missing.
# Playwright drives it through executable_path; Playwright's own browser downloads
# are never used.
set -euo pipefail
if [ -x /usr/bin/chromium ]; then
  exit 0
fi
echo "==> Installing Debian's chromium (for the browser tests)"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core > /dev/null
/usr/bin/chromium --version
