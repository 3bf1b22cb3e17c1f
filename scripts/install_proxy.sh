#!/usr/bin/env bash
# Install Debian's nginx when missing: `make run` and production put it in front of
# the Rasa server (docs/deployment.md says why). Nothing is started here.
set -euo pipefail
cd "$(dirname "$0")"
if command -v nginx > /dev/null || [ -x /usr/sbin/nginx ]; then
  exit 0
fi
echo "==> Installing Debian's nginx (the front proxy of make run)"
./apt_install.sh nginx-light 2> /dev/null || ./apt_install.sh nginx
/usr/sbin/nginx -v
