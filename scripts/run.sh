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

.venv/bin/python -m actions.server --port "$LANTERN_ACTION_PORT" > "$LOGS/actions.log" 2>&1 &
pids+=($!)
if ! wait_for "http://localhost:$LANTERN_ACTION_PORT/health" 60 "${pids[0]}"; then
  echo "The action server did not start:" >&2; tail -20 "$LOGS/actions.log" >&2; exit 1
fi

# LANTERN_MODEL: another model to serve (make bench serves its baseline this way)
.venv/bin/rasa run --model "${LANTERN_MODEL:-models/lantern.tar.gz}" --port "$LANTERN_PORT" \
  --credentials credentials.yml --endpoints endpoints.yml ${LANTERN_RASA_ARGS:-} \
  > "$LOGS/rasa.log" 2>&1 &
pids+=($!)
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
