# Sourced by the scripts and the Makefile's recipes: embedded defaults for every
# setting (override any of them in the environment or in a .env file; see .env.example).
if [ -f .env ]; then set -a; . ./.env; set +a; fi
export LANTERN_PORT="${LANTERN_PORT:-5005}"
export LANTERN_ACTION_PORT="${LANTERN_ACTION_PORT:-5055}"
export ACTION_ENDPOINT_URL="${ACTION_ENDPOINT_URL:-http://localhost:${LANTERN_ACTION_PORT}/webhook}"
export LANTERN_VAR_DIR="${LANTERN_VAR_DIR:-$PWD/var}"
export TRACKER_DB="${TRACKER_DB:-${LANTERN_VAR_DIR}/tracker.db}"
export LANTERN_REGION="${LANTERN_REGION:-us}"
export TF_CPP_MIN_LOG_LEVEL="${TF_CPP_MIN_LOG_LEVEL:-3}"
export SQLALCHEMY_SILENCE_UBER_WARNING=1
export PYTHONWARNINGS="${PYTHONWARNINGS:-ignore}"
mkdir -p "$LANTERN_VAR_DIR"
