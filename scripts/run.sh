#!/usr/bin/env bash
# Start the action server and the Rasa server (REST + socket.io), wait until both
# answer, print where to chat, and stop both cleanly on Ctrl-C / SIGTERM.
set -uo pipefail
cd "$(dirname "$0")/.."
. scripts/env.sh
LOGS="$LANTERN_VAR_DIR/logs"; mkdir -p "$LOGS"
pids=()
stop() {
  trap - INT TERM EXIT
  [ ${#pids[@]} -gt 0 ] && kill "${pids[@]}" 2>/dev/null
  wait 2>/dev/null
  echo "==> Lantern stopped"
}
trap 'stop; exit 0' INT TERM
trap stop EXIT

wait_for() {  # url, seconds, pid
  for _ in $(seq 1 $(( $2 * 5 ))); do
    curl -fs -o /dev/null "$1" && return 0
    kill -0 "$3" 2>/dev/null || return 1
    sleep 0.2
  done
  return 1
}

# `rasa run` flags from the configuration (environment or .env):
# - LANTERN_ENABLE_API=1 serves Rasa's HTTP API (trackers, /model, /model/parse), and
#   only with a token: LANTERN_API_TOKEN (--auth-token, 16+ characters) and/or
#   LANTERN_JWT_SECRET (--jwt-secret). Off by default.
# - LANTERN_CORS_ORIGINS: origins (space- or comma-separated) that may call the REST
#   webhook and open socket.io from their pages (--cors; the socket.io channels read
#   the same variable). Empty by default: only the server's own pages.
rasa_flags=()
case "${LANTERN_ENABLE_API:-0}" in
  1|true|yes)
    if [ -z "${LANTERN_API_TOKEN:-}${LANTERN_JWT_SECRET:-}" ]; then
      echo "LANTERN_ENABLE_API=1 needs LANTERN_API_TOKEN (or LANTERN_JWT_SECRET): without one, Rasa's HTTP API would be open to anyone. Not starting." >&2; exit 1
    fi
    if [ -n "${LANTERN_API_TOKEN:-}" ] && [ ${#LANTERN_API_TOKEN} -lt 16 ]; then
      echo "LANTERN_API_TOKEN is too short (16 characters at least). Not starting." >&2; exit 1
    fi
    rasa_flags+=(--enable-api)
    # --flag=value: a secret may begin with "-" (urlsafe base64), which a separate
    # argument would make an unknown option
    [ -n "${LANTERN_API_TOKEN:-}" ] && rasa_flags+=("--auth-token=$LANTERN_API_TOKEN")
    [ -n "${LANTERN_JWT_SECRET:-}" ] && rasa_flags+=("--jwt-secret=$LANTERN_JWT_SECRET") ;;
  0|false|no|"")
    if [[ " ${LANTERN_RASA_ARGS:-} " == *" --enable-api"* ]]; then
      echo "Enable Rasa's HTTP API with LANTERN_ENABLE_API=1 and LANTERN_API_TOKEN, not LANTERN_RASA_ARGS. Not starting." >&2; exit 1
    fi ;;
  *) echo "LANTERN_ENABLE_API must be 1 or 0, not '$LANTERN_ENABLE_API'. Not starting." >&2; exit 1 ;;
esac
IFS=$', \t\n' read -rd '' -a origins <<< "${LANTERN_CORS_ORIGINS:-}"; cors=()
for origin in ${origins[@]+"${origins[@]}"}; do
  origin="${origin%/}"; [ -n "$origin" ] || continue
  if [ "$origin" = "*" ]; then
    echo "Warning: LANTERN_CORS_ORIGINS='*' lets any website use this server." >&2
  elif ! [[ "$origin" =~ ^https?://([A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(:[0-9]{1,5})?$ ]]; then
    echo "LANTERN_CORS_ORIGINS: '$origin' is not an origin such as https://clinic.example. Not starting." >&2; exit 1
  fi
  cors+=("$origin")
done
[ ${#cors[@]} -gt 0 ] && rasa_flags+=(--cors "${cors[@]}")
export LANTERN_CORS_ORIGINS="${cors[*]:-}"

# The two servers start side by side (Rasa's model load takes the longest).
.venv/bin/python -m actions.server --port "$LANTERN_ACTION_PORT" > "$LOGS/actions.log" 2>&1 &
pids+=($!)
# LANTERN_MODEL: another model to serve (make bench serves its baseline this way).
# lantern/rasa_main.py is the `rasa` command, minus an unused JAX import.
.venv/bin/python -m lantern.rasa_main run --model "${LANTERN_MODEL:-models/lantern.tar.gz}" \
  --port "$LANTERN_PORT" --credentials credentials.yml --endpoints endpoints.yml \
  ${rasa_flags[@]+"${rasa_flags[@]}"} ${LANTERN_RASA_ARGS:-} \
  > "$LOGS/rasa.log" 2>&1 &
pids+=($!)
if ! wait_for "http://localhost:$LANTERN_ACTION_PORT/health" 60 "${pids[0]}"; then
  echo "The action server did not start:" >&2; tail -20 "$LOGS/actions.log" >&2; exit 1
fi
if ! wait_for "http://localhost:$LANTERN_PORT/webhooks/rest/" 120 "${pids[1]}"; then
  echo "The Rasa server did not start:" >&2; tail -20 "$LOGS/rasa.log" >&2; exit 1
fi

cat <<MSG
==> Lantern is running (Ctrl-C stops both servers)
    REST:      POST http://localhost:$LANTERN_PORT/webhooks/rest/webhook  {"sender": "you", "message": "hi"}
    socket.io: http://localhost:$LANTERN_PORT/socket.io
    widget:    http://localhost:$LANTERN_PORT/lantern/widget   (website chat widget demo)
    kiosk:     http://localhost:$LANTERN_PORT/lantern/kiosk    (waiting-room kiosk)
    staff:     http://localhost:$LANTERN_PORT/lantern/staff    (kiosk requests; needs LANTERN_STAFF_TOKEN)
    actions:   http://localhost:$LANTERN_ACTION_PORT/health
    logs:      $LOGS/
MSG
wait -n "${pids[@]}"
echo "A server exited; stopping." >&2
exit 1
