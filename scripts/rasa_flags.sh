# Sourced by scripts/run.sh (to refuse unsafe settings before anything starts) and
# scripts/serve.sh (to start Rasa with them): sets the array `rasa_flags`, or exits 1
# with the reason.
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
