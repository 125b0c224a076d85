#!/usr/bin/env bash
# Builds the app image from the uploaded sources in {{appDir}}. The tag is a content hash of app/, so
# an image that exists is already the right one. stdin: APP_IMAGE=ha-web-app:<hash>, and
# NPM_CA_BASE64=<base64 PEM or empty>: a CA npm needs behind a TLS-intercepting proxy. It comes on stdin,
# not in this script, because a CA bundle can be larger than one command-line argument may be (128 KiB).
set -euo pipefail

readonly APP_DIR="{{appDir}}"
# Optional: a base image other than the Dockerfile's default.
readonly BASE_IMAGE="{{baseImage}}"

# ha-web:include lib/read-inputs.sh

ca_file=""
cleanup() {
  if [[ -n "$ca_file" ]]; then rm -f "$ca_file"; fi
}
trap cleanup EXIT

main() {
  read_inputs APP_IMAGE NPM_CA_BASE64
  if docker image inspect "$APP_IMAGE" >/dev/null 2>&1; then
    echo "build-image: ${APP_IMAGE} is already built"
    return
  fi
  local args=(--tag "$APP_IMAGE" --build-arg "APP_VERSION=${APP_IMAGE##*:}")
  if [[ -n "$BASE_IMAGE" ]]; then
    args+=(--build-arg "BASE_IMAGE=${BASE_IMAGE}")
  fi
  if [[ -n "$NPM_CA_BASE64" ]]; then
    # A BuildKit secret, so the CA never lands in an image layer.
    ca_file="$(mktemp)"
    base64 --decode <<<"$NPM_CA_BASE64" >"$ca_file"
    args+=(--secret "id=npm_ca,src=${ca_file}")
  fi
  echo "build-image: building ${APP_IMAGE} from ${APP_DIR}"
  DOCKER_BUILDKIT=1 docker build "${args[@]}" "$APP_DIR"
  echo "build-image: built ${APP_IMAGE}"
}

main "$@"
