#!/usr/bin/env bash
# Install Debian's Chromium for the browser tests (tests/browser) when it is missing.
# Playwright drives it through executable_path; Playwright's own browser downloads
# are never used.
set -euo pipefail
if [ -x /usr/bin/chromium ]; then
  exit 0
fi
echo "==> Installing Debian's chromium (for the browser tests)"
"$(dirname "$0")/apt_install.sh" chromium fonts-dejavu-core
/usr/bin/chromium --version
