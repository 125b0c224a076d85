#!/usr/bin/env bash
# ha-web-deploy IMAGE: blue/green deploy of the app on this host (rendered by
# components/plan/hostConfigFiles.ts). Starts IMAGE as the idle colour beside the live one, waits for its
# health path (appHealthPath), moves the host's live port to it (ha-web-live: new connections go to the new colour, nginx
# is not reloaded; see the site file for why), waits until nginx has closed its connections to the
# old colour, then stops the old colour gracefully (SIGTERM, drain). If the new colour never gets
# healthy it is removed, the old one keeps serving, and the deploy fails. Each deploy is recorded in
# the git repository {{configsDir}} (this host's disk, root-only).
# HEALTH_TIMEOUT_SECONDS (default 60) bounds the wait for it. With --canary (the rollout's first host)
# the old colour keeps running while the new one is judged on real traffic (lib/canary-watch.sh).
set -euo pipefail

readonly HOST_NAME="{{hostname}}"
readonly BLUE_PORT="{{bluePort}}"
readonly GREEN_PORT="{{greenPort}}"
readonly COMPOSE_FILE="{{composeFile}}"
readonly ENV_FILE="{{envFile}}"
readonly DB_TLS_ENV_FILE="{{dbTlsEnvFile}}"
# The app's secret files: a changed one is a changed config (a rotated password redeploys).
readonly SECRETS_DIR="{{secretsDir}}"
readonly NGINX_SITE="{{nginxSite}}"
readonly CONFIGS_DIR="{{configsDir}}"
readonly STOP_GRACE_SECONDS="{{stopGraceSeconds}}"
readonly LIVE_COMMAND="{{liveCommand}}"
# After the live port moved: nginx's upstream keepalive_time + keepalive_timeout (+ slack). By then
# nginx has closed every connection it had to the old colour itself.
readonly SETTLE_SECONDS="{{settleSeconds}}"
readonly HEALTH_TIMEOUT_SECONDS="${HEALTH_TIMEOUT_SECONDS:-60}"
# The app's readiness path (appHealthPath), asked at the colour's own port, never through nginx.
readonly HEALTH_PATH="{{healthPath}}"
# The last images deployed on this host, newest last: the ones a prune keeps.
# shellcheck disable=SC2034 # read by lib/prune-images.sh, which rendering includes below
readonly RELEASES_FILE="{{releasesFile}}"
# shellcheck disable=SC2034 # read by lib/prune-images.sh, which rendering includes below
readonly KEEP_RELEASES="{{keepReleases}}"
# shellcheck disable=SC2034 # read by lib/prune-images.sh, which rendering includes below
readonly BUILD_CACHE_HOURS="{{buildCacheHours}}"
# What the canary reads, where it keeps its evidence, and whose requests it leaves out.
# shellcheck disable=SC2034 # read by lib/canary-watch.sh, which rendering includes below
readonly ACCESS_LOG="{{accessLog}}"
# shellcheck disable=SC2034 # read by lib/canary-watch.sh, which rendering includes below
readonly CANARY_LOG_DIR="{{canaryLogDir}}"
# shellcheck disable=SC2034 # read by lib/canary-watch.sh, which rendering includes below
readonly CHECKER_USER_AGENT="{{healthCheckUserAgent}}"

log() { echo "ha-web-deploy: $*"; }

# ha-web:include lib/prune-images.sh
# ha-web:include lib/interrupted-deploy.sh
# ha-web:include lib/canary-watch.sh
# ha-web:include lib/deploy-timings.sh

port_of() {
  if [[ "$1" == blue ]]; then echo "$BLUE_PORT"; else echo "$GREEN_PORT"; fi
}

other_colour() {
  if [[ "$1" == blue ]]; then echo green; else echo blue; fi
}

# ha-web:include lib/app-env.sh

# docker-compose for one project: PROJECT PORT IMAGE ARGS... Every variable the file interpolates is
# set, for every subcommand.
compose_project() {
  local project="$1" port="$2" image="$3"
  shift 3
  # env sets the compose file's own variables last: no env file line can replace them.
  with_app_env env APP_IMAGE="$image" APP_PORT="$port" APP_CONFIG="$CONFIG_HASH" \
    docker-compose --project-name "$project" --file "$COMPOSE_FILE" "$@"
}

# docker-compose for one colour.
compose() {
  local colour="$1" image="$2"
  shift 2
  compose_project "${HOST_NAME}-${colour}" "$(port_of "$colour")" "$image" "$@"
}

# The running container of a colour, if any.
running_container() {
  docker ps --quiet --filter "label=com.docker.compose.project=${HOST_NAME}-$1" --filter status=running
}

# The live colour: the running one the live port leads to; without a usable record (a host set up
# before the live port existed), the newest running one.
live_colour() {
  local colour id started newest="" newest_started="" live_port
  live_port="$("$LIVE_COMMAND" show)"
  for colour in blue green; do
    if [[ "$(port_of "$colour")" == "$live_port" && -n "$(running_container "$colour")" ]]; then
      echo "$colour"
      return
    fi
  done
  for colour in blue green; do
    id="$(running_container "$colour")"
    [[ -n "$id" ]] || continue
    started="$(docker inspect --format '{{.State.StartedAt}}' "$id")"
    if [[ -z "$newest" || "$started" > "$newest_started" ]]; then
      newest="$colour"
      newest_started="$started"
    fi
  done
  echo "$newest"
}

container_image() {
  docker inspect --format '{{.Config.Image}}' "$(running_container "$1")"
}

# True when the colour already runs this exact image (by id, so a re-pulled tag counts as new) and config.
runs_already() {
  local id
  id="$(running_container "$1")"
  [[ "$(docker inspect --format '{{.Image}}' "$id")" == "$IMAGE_ID" ]] &&
    [[ "$(docker inspect --format '{{index .Config.Labels "ha-web.config"}}' "$id")" == "$CONFIG_HASH" ]]
}

# Polls the colour's health path until it answers 200, its container stops, or the time is up; on
# failure UNHEALTHY_REASON says which, with its last answer (the sample app's JSON names the failing
# check, e.g. the database). --max-time is above the sample /health's own 2 s bound per check, so a failing
# check is read as its 503 and reason, not as a curl time-out.
UNHEALTHY_REASON=""
wait_healthy() {
  local colour="$1" port deadline answer="none"
  port="$(port_of "$colour")"
  deadline=$((SECONDS + HEALTH_TIMEOUT_SECONDS))
  while ((SECONDS < deadline)); do
    if answer="$(curl --silent --show-error --max-time 3 --write-out ' (HTTP %{http_code})' \
      "http://127.0.0.1:${port}${HEALTH_PATH}" 2>&1)" && [[ "$answer" == *"(HTTP 200)" ]]; then
      return 0
    fi
    if [[ -z "$(running_container "$colour")" ]]; then
      UNHEALTHY_REASON="its container exited before ${HEALTH_PATH} answered 200"
      return 1
    fi
    sleep 1
  done
  UNHEALTHY_REASON="http://127.0.0.1:${port}${HEALTH_PATH} never answered 200 within ${HEALTH_TIMEOUT_SECONDS}s; its last answer: ${answer}"
  return 1
}

# Every container of a colour's compose project, running or not.
colour_containers() {
  docker ps --all --quiet --filter "label=com.docker.compose.project=${HOST_NAME}-$1"
}

# SIGTERM, then up to the grace period for the app to finish in-flight requests. docker itself, not
# docker-compose: each docker-compose call starts a Python interpreter, seconds of a switch on a
# busy host, and the container is all the colour has to stop and remove.
stop_colour() {
  local colour="$1" ids
  ids="$(colour_containers "$colour")"
  [[ -n "$ids" ]] || return 0
  # shellcheck disable=SC2086 # one id per word
  docker stop --time "$STOP_GRACE_SECONDS" $ids >/dev/null
  # shellcheck disable=SC2086 # one id per word
  docker rm --force $ids >/dev/null
}

abort() {
  local colour="$1" live="$2"
  log "last log lines of the ${colour} container:"
  compose "$colour" "$IMAGE" logs --no-color --tail 50 || true
  compose "$colour" "$IMAGE" rm --force --stop
  echo "aborting deployment: ${IMAGE} as ${colour}: ${UNHEALTHY_REASON};" \
    "${live:-no colour} keeps serving. Fix the image or its config (see the log above) and deploy again." >&2
  exit 1
}

# Commits the deployed image and this host's nginx site and compose file (never app.env: it holds
# the password) to the host's history; flock serialises deploys on this host.
record_history() {
  local previous="$1" dir="${CONFIGS_DIR}/${HOST_NAME}"
  install -d -m 0700 "$CONFIGS_DIR"
  mkdir -p "$dir"
  (
    flock --timeout 60 9
    # Under the deploy lock no git runs: an index.lock is a killed commit's.
    rm -f "${CONFIGS_DIR}/.git/index.lock"
    if [[ ! -d "${CONFIGS_DIR}/.git" ]]; then
      git -C "$CONFIGS_DIR" init --quiet
    fi
    echo "$IMAGE" >"${dir}/image"
    cp "$NGINX_SITE" "${dir}/nginx-site.conf"
    cp "$COMPOSE_FILE" "${dir}/docker-compose.yml"
    git -C "$CONFIGS_DIR" add -- "$HOST_NAME"
    if git -C "$CONFIGS_DIR" diff --cached --quiet; then
      log "history in ${CONFIGS_DIR} already up to date"
    else
      git -C "$CONFIGS_DIR" -c user.name=ha-web-deploy -c "user.email=ha-web-deploy@${HOST_NAME}" \
        commit --quiet --message "${HOST_NAME}: deploy ${IMAGE} (was ${previous:-nothing})"
      log "recorded in ${CONFIGS_DIR}"
    fi
  ) 9>"${CONFIGS_DIR}/.deploy.lock"
}

# --point-live: leads the live port to the running colour without deploying (apply-config runs it
# before nginx loads a site that proxies to the live port, e.g. on a host set up before it existed).
point_live() {
  local live
  live="$(live_colour)"
  if [[ -z "$live" ]]; then
    log "no colour is running yet; the first deploy points the live port"
    return
  fi
  "$LIVE_COMMAND" set "$(port_of "$live")"
}

# IMAGE, IMAGE_ID and CONFIG_HASH, once the env files and the image are there.
prepare() {
  readonly IMAGE="$1"
  local file
  for file in "$ENV_FILE" "$DB_TLS_ENV_FILE"; do
    if [[ ! -r "$file" ]]; then
      echo "ha-web-deploy: ${file} is missing or unreadable; run pulumi up (the host-config and apply-config steps) first, as root" >&2
      exit 1
    fi
  done
  if ! IMAGE_ID="$(docker image inspect --format '{{.Id}}' "$IMAGE" 2>/dev/null)"; then
    echo "ha-web-deploy: image ${IMAGE} is not on this host; build or pull it first" >&2
    exit 1
  fi
  CONFIG_HASH="$({
    cat "$ENV_FILE" "$DB_TLS_ENV_FILE" "$COMPOSE_FILE"
    find "$SECRETS_DIR" -maxdepth 1 -type f -print0 | sort -z | xargs -0r sha256sum
    # What is mounted from EFS counts as config, so an app still on a replaced file system or access point
    # is redeployed onto the new one once mount-shared has moved the mounts. Over TLS every source is
    # 127.0.0.1: the options (stunnel's port) tell a remount.
    findmnt --noheadings --list --output TARGET,SOURCE,OPTIONS --types nfs4 || true
  } | sha256sum | cut -c1-16)"
  readonly IMAGE_ID CONFIG_HASH
}

# --migrate IMAGE COMMAND: COMMAND (sh -c) in a one-off container of IMAGE with the app's environment,
# volumes and network; the colours keep serving. The migrate step runs it once per release.
migrate() {
  prepare "$1"
  reap_interrupted_migration
  log "running \`$2\` in a one-off container of ${IMAGE}"
  compose_project "${HOST_NAME}-migrate" 0 "$IMAGE" run --rm --no-deps -T app sh -c "$2"
}

# --prune: what every deploy does last, now (the disk alarm's runbook): the app's images older than
# the last releases deployed here, and old build cache.
prune_now() {
  if [[ ! -s "$RELEASES_FILE" ]]; then
    echo "ha-web-deploy: no release recorded in ${RELEASES_FILE} yet, so no way to tell old images from the ones to keep; nothing pruned. Deploy once first" >&2
    exit 1
  fi
  prune_images
  log "pruned: kept $(paste -sd ' ' "$RELEASES_FILE") and whatever a container uses"
}

main() {
  if [[ "${1:-}" == --point-live && $# -eq 1 ]]; then
    point_live
    return
  fi
  if [[ "${1:-}" == --migrate && $# -eq 3 ]]; then
    migrate "$2" "$3"
    return
  fi
  if [[ "${1:-}" == --prune && $# -eq 1 ]]; then
    prune_now
    return
  fi
  local canary=""
  if [[ "${1:-}" == --canary && $# -eq 3 ]]; then
    read_canary_spec "$2"
    canary=yes
    shift 2
  fi
  if [[ $# -ne 1 || "$1" == --* ]]; then
    echo "usage: ha-web-deploy [--canary SPEC] IMAGE | --point-live | --migrate IMAGE COMMAND | --prune   (e.g. ha-web-deploy ha-web-app:1a2b3c)" >&2
    exit 2
  fi
  prepare "$1"

  local live new previous=""
  live="$(live_colour)"
  if [[ -n "$live" ]]; then
    previous="$(container_image "$live")"
    if runs_already "$live"; then
      # The port may not lead there yet (a record lost or stale): make sure it does.
      "$LIVE_COMMAND" set "$(port_of "$live")" >/dev/null
      # What a deploy cut off after its switch left undone.
      retire_other_colour "$live"
      record_history "$previous"
      record_release "$IMAGE"
      log "${IMAGE} already runs as ${live} with this config; nothing to do"
      return
    fi
    retire_other_colour "$live"
  fi
  new="$(other_colour "${live:-green}")"

  log "starting ${IMAGE} as ${new} on 127.0.0.1:$(port_of "$new") beside ${live:-no live colour}"
  compose "$new" "$IMAGE" rm --force --stop
  compose "$new" "$IMAGE" up --detach --no-build
  lap start
  if ! wait_healthy "$new"; then
    abort "$new" "$live"
  fi
  lap "health check"
  log "${new} is healthy; moving the live port to it"
  if [[ -n "$canary" && -n "$live" ]]; then
    if ! canary_release "$new" "$live" "$previous"; then
      echo "${CANARY_REFUSAL}. ${live} (${previous}) serves again and ${new} is stopped; the rollout stops here. Fix the release and deploy again." >&2
      exit 1
    fi
  else
    "$LIVE_COMMAND" set "$(port_of "$new")"
  fi
  if [[ -n "$live" ]]; then
    if [[ -z "$canary" ]]; then
      log "waiting ${SETTLE_SECONDS}s for nginx to close its connections to ${live}"
      sleep "$SETTLE_SECONDS"
    fi
    lap "switch (${canary:+canary, }nginx lets go of ${live})"
    log "stopping ${live} (${previous}); it drains for up to ${STOP_GRACE_SECONDS}s"
    stop_colour "$live"
    lap "stop ${live}"
  fi
  record_history "$previous"
  log "deployed ${IMAGE} as ${new}"
  record_release "$IMAGE"
  lap record
  # The deploy is done: a failed prune is reported, and the next deploy prunes again.
  prune_images || echo "ha-web-deploy: pruning old images failed (see above); the deploy itself succeeded" >&2
  lap prune
  timings
}

main "$@"
