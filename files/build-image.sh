#!/usr/bin/env bash
# Builds the app image from the uploaded sources in {{appDir}}. The tag is a content hash of app/, so
# an image that exists is already the right one. stdin: APP_IMAGE=ha-web-app:<hash>.
set -euo pipefail

readonly APP_DIR="{{appDir}}"
# Which image the host has now, for create-app-db (so a new release never re-runs database set-up).
readonly CURRENT_IMAGE_FILE="{{currentImageFile}}"
# Optional: a base image other than the Dockerfile's default.
readonly BASE_IMAGE="{{baseImage}}"
# Optional: a CA certificate (base64 PEM) npm needs behind a TLS-intercepting proxy; a BuildKit
# secret, so it never lands in an image layer. Not secret itself: CA certificates are public.
readonly NPM_CA_BASE64="{{npmCaBase64}}"

{{readInputs}}

record_current_image() {
  mkdir -p "$(dirname "$CURRENT_IMAGE_FILE")"
  printf '%s\n' "$APP_IMAGE" >"$CURRENT_IMAGE_FILE"
}

main() {
  read_inputs APP_IMAGE
  if docker image inspect "$APP_IMAGE" >/dev/null 2>&1; then
    echo "build-image: ${APP_IMAGE} is already built"
    record_current_image
    return
  fi
  local args=(--tag "$APP_IMAGE" --build-arg "APP_VERSION=${APP_IMAGE##*:}")
  if [[ -n "$BASE_IMAGE" ]]; then
    args+=(--build-arg "BASE_IMAGE=${BASE_IMAGE}")
  fi
  if [[ -n "$NPM_CA_BASE64" ]]; then
    local ca_file
    ca_file="$(mktemp)"
    trap 'rm -f "$ca_file"' EXIT
    base64 --decode <<<"$NPM_CA_BASE64" >"$ca_file"
    args+=(--secret "id=npm_ca,src=${ca_file}")
  fi
  echo "build-image: building ${APP_IMAGE} from ${APP_DIR}"
  DOCKER_BUILDKIT=1 docker build "${args[@]}" "$APP_DIR"
  record_current_image
  echo "build-image: built ${APP_IMAGE}"
}

main "$@"
