#!/usr/bin/env bash
# Train only when the model is missing or its inputs changed (fingerprint).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/env.sh
# one training at a time (parallel `make test` runs, helpers): wait for the lock, then re-check
mkdir -p models; exec 9>models/.train.lock; flock 9
inputs=$( (ls config.yml content/knowledge/lexicon.yml requirements.lock requirements-nodeps.txt; find domain data corpus lantern/nlu lantern/matching lantern/safety/component.py lantern/safety/risk.py lantern/safety/risk_component.py lantern/semantic.py lantern/language.py lantern/text.py -type f -name '*.y*ml' -o -type f -name '*.py' | grep -v __pycache__) | sort)
fingerprint=$(cat $inputs | sha256sum | cut -c1-32)
if [ "${1:-}" != "--force" ] && [ -f models/lantern.tar.gz ] && [ "$(cat models/lantern.fingerprint 2>/dev/null)" = "$fingerprint" ]; then
  echo "==> model is up to date (models/lantern.tar.gz)"
  exit 0
fi
echo "==> training (domain, config or data changed)"
start=$(date +%s)
# train under another name and swap it in, so running servers and tests never see no model;
# lantern/rasa_main.py: Rasa without JAX, its modules frozen out of the garbage collector
TQDM_DISABLE=1 .venv/bin/python -m lantern.rasa_main train --domain domain --fixed-model-name lantern-next --out models --quiet > "$LANTERN_VAR_DIR/train.log" 2>&1 || {
  grep -v "Warning\|warn(" "$LANTERN_VAR_DIR/train.log" | tail -30; echo "training failed (full log: $LANTERN_VAR_DIR/train.log)" >&2; exit 1; }
mv models/lantern-next.tar.gz models/lantern.tar.gz
echo "$fingerprint" > models/lantern.fingerprint
echo "==> trained in $(( $(date +%s) - start ))s: models/lantern.tar.gz"
