# Sourced by the scripts and the Makefile's recipes: embedded defaults for every
# setting (override any of them in the environment or in a .env file; see .env.example).
if [ -f .env ]; then set -a; . ./.env; set +a; fi
export LANTERN_PORT="${LANTERN_PORT:-5005}"
export LANTERN_ACTION_PORT="${LANTERN_ACTION_PORT:-5055}"
# The Rasa server itself listens on loopback only; nginx (LANTERN_PORT) is in front of it.
export LANTERN_RASA_PORT="${LANTERN_RASA_PORT:-$(( LANTERN_PORT < 55000 ? LANTERN_PORT + 10000 : LANTERN_PORT - 10000 ))}"
export ACTION_ENDPOINT_URL="${ACTION_ENDPOINT_URL:-http://localhost:${LANTERN_ACTION_PORT}/webhook}"
export LANTERN_VAR_DIR="${LANTERN_VAR_DIR:-$PWD/var}"
export TRACKER_DB="${TRACKER_DB:-${LANTERN_VAR_DIR}/tracker.db}"
export LANTERN_REGION="${LANTERN_REGION:-us}"
# Stores (endpoints.yml, lantern/persistence/stores.py; docs/deployment.md): sqlite|postgres, memory|redis
export LANTERN_TRACKER_STORE="${LANTERN_TRACKER_STORE:-sqlite}"
export LANTERN_DB_HOST="${LANTERN_DB_HOST:-localhost}"
export LANTERN_DB_PORT="${LANTERN_DB_PORT:-5432}"
export LANTERN_DB_NAME="${LANTERN_DB_NAME:-lantern}"
export LANTERN_DB_USER="${LANTERN_DB_USER:-lantern}"
export LANTERN_LOCK_STORE="${LANTERN_LOCK_STORE:-memory}"
export LANTERN_REDIS_HOST="${LANTERN_REDIS_HOST:-localhost}"
export LANTERN_REDIS_PORT="${LANTERN_REDIS_PORT:-6379}"
export LANTERN_REDIS_DB="${LANTERN_REDIS_DB:-1}"
# Rasa's conversation lock lifetime (s) and Lantern's action call timeout (s, <= lifetime/3)
export TICKET_LOCK_LIFETIME="${TICKET_LOCK_LIFETIME:-60}"
export LANTERN_ACTION_TIMEOUT="${LANTERN_ACTION_TIMEOUT:-10}"
export TF_CPP_MIN_LOG_LEVEL="${TF_CPP_MIN_LOG_LEVEL:-3}"
# Rasa's usage telemetry would send to the internet: off
export RASA_TELEMETRY_ENABLED=false
export SQLALCHEMY_SILENCE_UBER_WARNING=1
export PYTHONWARNINGS="${PYTHONWARNINGS:-ignore}"
mkdir -p "$LANTERN_VAR_DIR"
# Encryption keys: intakes (lantern/intake/store.py) and conversations
# (lantern/persistence/tracker_encryption.py). Production sets LANTERN_INTAKE_KEY and
# LANTERN_TRACKER_KEY from its secret store; otherwise each is made once in the var
# dir (mode 600).
lantern_key() {  # variable name, file name
  if [ -z "${!1:-}" ]; then
    if [ ! -s "$LANTERN_VAR_DIR/$2" ]; then
      (umask 077; head -c 32 /dev/urandom | base64 | tr '+/' '-_' > "$LANTERN_VAR_DIR/$2.$$" \
        && mv -n "$LANTERN_VAR_DIR/$2.$$" "$LANTERN_VAR_DIR/$2"; rm -f "$LANTERN_VAR_DIR/$2.$$")
      chmod 600 "$LANTERN_VAR_DIR/$2"
    fi
    export "$1=$(cat "$LANTERN_VAR_DIR/$2")"
  fi
}
lantern_key LANTERN_INTAKE_KEY intake.key
lantern_key LANTERN_TRACKER_KEY tracker.key
# The action server's shared secret: Rasa sends it with every call (endpoints.yml),
# actions/server.py answers 401 without it.
lantern_key LANTERN_ACTION_SECRET action.secret
