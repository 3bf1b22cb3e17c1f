#!/usr/bin/env bash
# Start one of Lantern's processes in the foreground (supervisord, in
# deploy/supervisord.conf.in, or a systemd unit runs this): `serve.sh actions` or
# `serve.sh rasa`. Settings come from scripts/env.sh and the environment.
set -uo pipefail
cd "$(dirname "$0")/.."
. scripts/env.sh
case "${1:-}" in
  actions)
    exec .venv/bin/python -m actions.server --port "$LANTERN_ACTION_PORT" ;;
  rasa)
    . scripts/rasa_flags.sh
    . scripts/endpoints.sh
    # nginx is always in front: it sets X-Forwarded-For to the client's address
    # and clears X-Forwarded-Host, so the channels may read them (lantern/channels/proxy.py)
    export LANTERN_TRUST_PROXY="${LANTERN_TRUST_PROXY:-1}"
    # SANIC_*: Sanic's own limits, a second line behind the proxy
    export SANIC_REQUEST_MAX_SIZE="${SANIC_REQUEST_MAX_SIZE:-65536}"
    export SANIC_REQUEST_TIMEOUT="${SANIC_REQUEST_TIMEOUT:-15}"
    # LANTERN_MODEL: another model to serve (make bench serves its baseline this way).
    # lantern/rasa_main.py is the `rasa` command, minus an unused JAX import.
    exec .venv/bin/python -m lantern.rasa_main run --model "${LANTERN_MODEL:-models/lantern.tar.gz}" \
      --interface 127.0.0.1 --port "$LANTERN_RASA_PORT" \
      --credentials credentials.yml --endpoints "$lantern_endpoints" \
      ${rasa_flags[@]+"${rasa_flags[@]}"} ${LANTERN_RASA_ARGS:-} ;;
  *)
    echo "usage: scripts/serve.sh actions|rasa" >&2; exit 2 ;;
esac
