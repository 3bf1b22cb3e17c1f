# Sourced by scripts/serve.sh and scripts/shell.sh, after scripts/env.sh: writes the
# endpoints file Lantern's own scripts give Rasa, $LANTERN_VAR_DIR/run/endpoints.yml,
# and sets `lantern_endpoints` to its path (or exits 1 with the reason).
# It is endpoints.yml with its action server address replaced by ${ACTION_ENDPOINT_URL}
# and the shared secret header added as ${LANTERN_ACTION_SECRET}: Rasa fills both from
# the environment, so the secret is never written to a file here. endpoints.yml keeps a
# literal address and no secret, so plain `rasa` commands read it as in any Rasa project.
lantern_endpoints="$LANTERN_VAR_DIR/run/endpoints.yml"
mkdir -p "$LANTERN_VAR_DIR/run"
if ! awk '
  BEGIN { print "# Written by scripts/endpoints.sh from endpoints.yml at each start: edit that file." }
  /^[^ #]/ { block = $0 }
  block == "action_endpoint:" && /^  url:/ {
    print "  url: ${ACTION_ENDPOINT_URL}"
    print "  headers:"
    print "    X-Lantern-Action-Secret: ${LANTERN_ACTION_SECRET}"
    written = 1
    next
  }
  { print }
  END { exit !written }
' endpoints.yml > "$lantern_endpoints.$$"; then
  rm -f "$lantern_endpoints.$$"
  echo "endpoints.yml has no action_endpoint url to replace. Not starting." >&2; exit 1
fi
mv -f "$lantern_endpoints.$$" "$lantern_endpoints"
