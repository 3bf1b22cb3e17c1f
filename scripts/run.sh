#!/usr/bin/env bash
# Start Lantern: nginx in front (LANTERN_PORT), the Rasa server and the action
# server on loopback, and a watchdog, all under supervisord, which restarts any of
# them that exits; the watchdog kills a server that stops answering so it is
# restarted too. Waits until Lantern answers, prints where to chat, and stops
# everything on Ctrl-C / SIGTERM. Logs are appended and rotated in $LANTERN_VAR_DIR/logs.
set -uo pipefail
cd "$(dirname "$0")/.."
umask 077
. scripts/env.sh
LOGS="$LANTERN_VAR_DIR/logs"; mkdir -p "$LOGS"; chmod 700 "$LANTERN_VAR_DIR" "$LOGS"

# Refuse unsafe settings before anything starts (exits 1 with the reason).
. scripts/rasa_flags.sh
# Refuse invalid content or settings of the action server the same way.
if ! .venv/bin/python -m actions.server --check > "$LOGS/check.log" 2>&1; then
  echo "The action server would not start:" >&2; tail -20 "$LOGS/check.log" >&2; exit 1
fi
RUN_DIR=$(.venv/bin/python -m lantern.ops.render) || exit 1

supervisor=""
stop() {
  trap - INT TERM EXIT
  if [ -n "$supervisor" ] && kill -0 "$supervisor" 2>/dev/null; then
    kill -TERM "$supervisor" 2>/dev/null
    wait "$supervisor" 2>/dev/null
  fi
  echo "==> Lantern stopped"
}
trap 'stop; exit 0' INT TERM
trap stop EXIT

.venv/bin/python -m supervisor.supervisord -c "$RUN_DIR/supervisord.conf" > /dev/null 2>&1 &
supervisor=$!

ctl() { .venv/bin/python -m supervisor.supervisorctl -c "$RUN_DIR/supervisord.conf" "$@" 2>/dev/null; }
wait_for() {  # url, seconds, program: fails if the program exits before it answers
  local first="" now
  for _ in $(seq 1 $(( $2 * 5 ))); do
    curl -fs -o /dev/null "$1" && return 0
    kill -0 "$supervisor" 2>/dev/null || return 1
    now=$(ctl pid "$3"); [[ "$now" =~ ^[1-9][0-9]*$ ]] || now=""
    if [ -n "$now" ]; then
      [ -z "$first" ] && first=$now
      [ "$now" != "$first" ] && return 1  # it exited and supervisord restarted it
    fi
    sleep 0.2
  done
  return 1
}
if ! wait_for "http://127.0.0.1:$LANTERN_ACTION_PORT/health" 60 actions; then
  echo "The action server did not start:" >&2; tail -20 "$LOGS/actions.log" >&2; exit 1
fi
if ! wait_for "http://127.0.0.1:$LANTERN_PORT/webhooks/rest/" 120 rasa; then
  echo "The Rasa server did not start:" >&2; tail -20 "$LOGS/rasa.log" "$LOGS/proxy.log" >&2; exit 1
fi

cat <<MSG
==> Lantern is running (Ctrl-C stops it)
    REST:      POST http://localhost:$LANTERN_PORT/webhooks/rest/webhook  {"sender": "you", "message": "hi"}
    socket.io: http://localhost:$LANTERN_PORT/socket.io
    widget:    http://localhost:$LANTERN_PORT/lantern/widget   (website chat widget demo)
    kiosk:     http://localhost:$LANTERN_PORT/lantern/kiosk    (waiting-room kiosk)
    staff:     http://localhost:$LANTERN_PORT/lantern/staff    (kiosk requests; needs LANTERN_STAFF_TOKEN)
    logs:      $LOGS/
MSG
wait "$supervisor"
echo "The supervisor exited; stopping." >&2
exit 1
