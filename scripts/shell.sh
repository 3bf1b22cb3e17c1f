#!/usr/bin/env bash
# `make shell`: the Rasa shell for content reviewers, with its own action server.
# It runs beside `make run`: its own ports (LANTERN_SHELL_PORT for Rasa,
# LANTERN_SHELL_ACTION_PORT for the actions; free ones unless set) and its own state in
# $LANTERN_VAR_DIR/shell (conversations, audit, intakes, heartbeats), so it never takes
# the running servers' ports or touches their files. The terminal shows only the
# conversation: both servers' logs and Python's warnings go to $LANTERN_VAR_DIR/shell/logs/,
# shown here only when something fails.
set -uo pipefail
cd "$(dirname "$0")/.."
umask 077
. scripts/env.sh
free_port() {
  .venv/bin/python -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
export LANTERN_SHELL_PORT="${LANTERN_SHELL_PORT:-$(free_port)}"
export LANTERN_SHELL_ACTION_PORT="${LANTERN_SHELL_ACTION_PORT:-$(free_port)}"
export ACTION_ENDPOINT_URL="http://localhost:$LANTERN_SHELL_ACTION_PORT/webhook"
# The keys were read from the main var dir above; the state is the shell's own.
export LANTERN_VAR_DIR="$LANTERN_VAR_DIR/shell"
export TRACKER_DB="$LANTERN_VAR_DIR/tracker.db"
# `[reviewer] answer_id=...` after each answer, and `topic <answer_id>` (shell only)
export LANTERN_REVIEWER_MODE="${LANTERN_REVIEWER_MODE:-1}"
LOGS="$LANTERN_VAR_DIR/logs"; mkdir -p "$LOGS"; chmod 700 "$LANTERN_VAR_DIR" "$LOGS"
. scripts/endpoints.sh

.venv/bin/python -m actions.server --port "$LANTERN_SHELL_ACTION_PORT" >> "$LOGS/actions.log" 2>&1 &
actions=$!
trap 'kill "$actions" 2>/dev/null; wait "$actions" 2>/dev/null' EXIT
for _ in $(seq 1 300); do
  curl -fs -o /dev/null "http://127.0.0.1:$LANTERN_SHELL_ACTION_PORT/health" && break
  if ! kill -0 "$actions" 2>/dev/null; then
    echo "The action server did not start:" >&2; tail -20 "$LOGS/actions.log" >&2; exit 1
  fi
  sleep 0.2
done

# stdout is the conversation; stderr (logs, warnings) goes to the log file
.venv/bin/python -m lantern.rasa_main shell --model "${LANTERN_MODEL:-models/lantern.tar.gz}" \
  --interface 127.0.0.1 --port "$LANTERN_SHELL_PORT" --endpoints "$lantern_endpoints" \
  2>> "$LOGS/rasa.log"
status=$?
if [ "$status" -ne 0 ] && [ "$status" -ne 130 ]; then
  echo "The shell stopped (exit $status); its log is $LOGS/rasa.log:" >&2
  tail -20 "$LOGS/rasa.log" >&2
fi
exit "$status"
