#!/usr/bin/env bash
# Runs the release's schema migration once, on the first host, in the NEW image, before any host
# switches to it (rendered by components/plan/stepScripts.ts). It runs as a one-off container of the
# app's own compose service (ha-web-deploy --migrate), so it gets exactly the app's environment:
# database credentials, settings and secrets. A failure stops the release: no rollout runs.
# stdin: APP_IMAGE=<image>, MIGRATE_COMMAND=<one line, run with sh -c inside the image>.
set -euo pipefail

readonly DEPLOY_COMMAND="{{deployCommand}}"
# What the operator sees at the end of `pulumi up`'s error: the migration's last lines.
readonly TAIL_LINES=30

# ha-web:include lib/read-inputs.sh

output=""
cleanup() {
  if [[ -n "$output" ]]; then rm -f "$output"; fi
}
trap cleanup EXIT

main() {
  read_inputs APP_IMAGE MIGRATE_COMMAND
  output="$(mktemp)"
  echo "migrate: running \`${MIGRATE_COMMAND}\` in ${APP_IMAGE}"
  local status=0
  "$DEPLOY_COMMAND" --migrate "$APP_IMAGE" "$MIGRATE_COMMAND" 2>&1 | tee "$output" || status=$?
  if ((status != 0)); then
    echo "migrate: \`${MIGRATE_COMMAND}\` failed in ${APP_IMAGE} (exit ${status}); no host has switched to it," \
      "the running release keeps serving. Its last ${TAIL_LINES} lines:" >&2
    tail -n "$TAIL_LINES" "$output" >&2
    exit "$status"
  fi
  echo "migrate: done"
}

main "$@"
