#!/usr/bin/env bash
# Publishes a release: its image, built once, pushed to the registry under its label, and its record
# (label, manifest digest, image id) printed as the last line, a JSON object that
# components/plan/releaseImage.ts parses. The same script for both sides: the Pulumi program runs it
# on the deployer's machine (components/releaseImage.ts, pushing to Amazon ECR) and the local stack
# runs it on this machine (local/releases/release.ts, pushing to the registry on loopback).
#
# Environment:
#   RELEASE_LABEL        the label: the image's tag in the registry and the version the app reports
#   RELEASE_REPOSITORY   <registry>/<name>, without tag or digest
#   RELEASE_IMAGE        optional: an image built already on this machine (the local stack builds its own,
#                        drill variants included); it is pushed as it is
#   APP_DIR, BASE_IMAGE  without RELEASE_IMAGE: the sources to build (BASE_IMAGE optional) when the
#                        registry has no image under the label yet; one it has is the release as built
#                        (a rollback), never rebuilt from whatever APP_DIR holds now
#   REGISTRY_LOGIN       "ecr": sign in to the repository's ECR registry first (AWS CLI, region AWS_REGION)
#   DOCKER               optional: the Docker client to use (one with BuildKit), `docker` by default
set -euo pipefail

readonly DOCKER="${DOCKER:-docker}"

log() { echo "publish-release: $*" >&2; }
fail() { log "$*"; exit 1; }

# A digest line of `docker push` ("<tag>: digest: sha256:... size: N") or `docker pull` ("Digest: sha256:...").
digest_in() { grep -oiE 'digest: sha256:[0-9a-f]{64}' <<<"$1" | tail -1 | sed -E 's/^[Dd]igest: //'; }

login_to_ecr() {
  local registry="${RELEASE_REPOSITORY%%/*}"
  [[ -n "${AWS_REGION:-}" ]] || fail "REGISTRY_LOGIN=ecr needs AWS_REGION"
  aws ecr get-login-password --region "$AWS_REGION" | "$DOCKER" login --username AWS --password-stdin "$registry" >/dev/null \
    || fail "could not sign in to ${registry}: check this machine's AWS credentials (ecr:GetAuthorizationToken)"
}

# Pushes the tagged image; prints the manifest digest the registry answered.
push() {
  local output
  output="$("$DOCKER" push "$1" 2>&1)" || fail "could not push $1: ${output}"
  digest_in "$output"
}

main() {
  : "${RELEASE_LABEL:?RELEASE_LABEL is required}" "${RELEASE_REPOSITORY:?RELEASE_REPOSITORY is required}"
  local tagged="${RELEASE_REPOSITORY}:${RELEASE_LABEL}" digest output
  if [[ "${REGISTRY_LOGIN:-}" == ecr ]]; then login_to_ecr; fi
  if [[ -n "${RELEASE_IMAGE:-}" ]]; then
    "$DOCKER" tag "$RELEASE_IMAGE" "$tagged"
    digest="$(push "$tagged")"
  elif output="$("$DOCKER" pull "$tagged" 2>&1)"; then
    log "${tagged} is in the registry already: the release as it was built (${APP_DIR:+${APP_DIR} is not rebuilt; }a new label ships new sources)"
    digest="$(digest_in "$output")"
  elif grep -qiE 'manifest unknown|not found' <<<"$output"; then
    : "${APP_DIR:?APP_DIR is required to build a release the registry does not have}"
    log "building ${tagged} from ${APP_DIR}"
    local args=(--tag "$tagged" --build-arg "APP_VERSION=${RELEASE_LABEL}")
    if [[ -n "${BASE_IMAGE:-}" ]]; then args+=(--build-arg "BASE_IMAGE=${BASE_IMAGE}"); fi
    DOCKER_BUILDKIT=1 "$DOCKER" build --quiet "${args[@]}" "$APP_DIR" >&2
    digest="$(push "$tagged")"
  else
    fail "could not ask the registry for ${tagged}: ${output}"
  fi
  [[ -n "$digest" ]] || fail "the registry named no digest for ${tagged}"
  local image_id
  image_id="$("$DOCKER" image inspect --format '{{.Id}}' "$tagged")"
  log "${tagged} is ${RELEASE_REPOSITORY}@${digest} (image ${image_id})"
  printf '{"label":"%s","digest":"%s","imageId":"%s"}\n' "$RELEASE_LABEL" "$digest" "$image_id"
}

main "$@"
