#!/usr/bin/env bash
# Pulls the release's app image by digest. stdin: APP_IMAGE=<registry/name@sha256:...>,
# APP_IMAGE_ID=<sha256:... the image id the build recorded, or empty for a prebuilt appImage>, and
# ECR_REGISTRY=<account>.dkr.ecr.<region>.amazonaws.com when the image is in Amazon ECR (else empty):
# then Docker signs in through the ECR credential helper with the host's instance profile, which may
# read that repository only (components/plan/ecrImage.ts). The image is checked before any host
# switches to it (lib/release-image-check.sh; the rollout checks it again right before the switch).
set -euo pipefail

# root's Docker client configuration: `docker pull` runs as root.
readonly DOCKER_CONFIG_FILE=/root/.docker/config.json

# ha-web:include lib/read-inputs.sh
# ha-web:include lib/release-image-check.sh

# Adds "credHelpers": {"<registry>": "ecr-login"}, keeping whatever else the file holds (another
# registry's login, for instance). https://github.com/awslabs/amazon-ecr-credential-helper#docker
use_ecr_credential_helper() {
  local registry="$1" current="{}"
  install -d -m 0700 "$(dirname "$DOCKER_CONFIG_FILE")"
  if [[ -s "$DOCKER_CONFIG_FILE" ]]; then current="$(cat "$DOCKER_CONFIG_FILE")"; fi
  jq --arg registry "$registry" '.credHelpers[$registry] = "ecr-login"' <<<"$current" >"${DOCKER_CONFIG_FILE}.new"
  chmod 0600 "${DOCKER_CONFIG_FILE}.new"
  mv "${DOCKER_CONFIG_FILE}.new" "$DOCKER_CONFIG_FILE"
}

main() {
  read_inputs APP_IMAGE APP_IMAGE_ID ECR_REGISTRY
  if [[ -n "$ECR_REGISTRY" ]]; then
    use_ecr_credential_helper "$ECR_REGISTRY"
  fi
  echo "pull-image: pulling ${APP_IMAGE}"
  if ! docker pull --quiet "$APP_IMAGE"; then
    echo "pull-image: could not pull ${APP_IMAGE}; check the release (or appImage) config value and that this host can reach the registry" \
      "(ECR: the repository is in this account and region; another private registry: see the README, \"Your own app\")" >&2
    exit 1
  fi
  require_release_image "$APP_IMAGE" "$APP_IMAGE_ID" pull-image
}

main "$@"
