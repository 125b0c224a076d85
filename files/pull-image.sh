#!/usr/bin/env bash
# Pulls the prebuilt app image named in the stack config. stdin: APP_IMAGE=<registry/name:tag>.
set -euo pipefail

# Which image the host has now, for create-app-db (so a new release never re-runs database set-up).
readonly CURRENT_IMAGE_FILE="{{currentImageFile}}"

# ha-web:include lib/read-inputs.sh

main() {
  read_inputs APP_IMAGE
  echo "pull-image: pulling ${APP_IMAGE}"
  if ! docker pull --quiet "$APP_IMAGE"; then
    echo "pull-image: could not pull ${APP_IMAGE}; check the appImage config value and that this host can reach the registry (and is logged in to it)" >&2
    exit 1
  fi
  mkdir -p "$(dirname "$CURRENT_IMAGE_FILE")"
  printf '%s\n' "$APP_IMAGE" >"$CURRENT_IMAGE_FILE"
}

main "$@"
