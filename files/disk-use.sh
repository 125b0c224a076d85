#!/usr/bin/env bash
# ha-web-disk-use: measures how full this host's disks are and publishes it to CloudWatch, where the
# stack's disk-use alarm watches it (rendered by components/plan/hostConfigFiles.ts; the
# ha-web-disk-use timer runs it every {{periodSeconds}} s). Measured: the root file system and the one
# holding Docker's data root (images, build cache, container logs), when that is another file system.
# Published: the fuller one's used percent, as metric {{metricName}} in namespace {{namespace}},
# dimension InstanceId, so one alarm per host covers both.
set -euo pipefail

readonly NAMESPACE="{{namespace}}"
readonly METRIC_NAME="{{metricName}}"
readonly REGION="{{region}}"
readonly PERIOD_SECONDS="{{periodSeconds}}"
# The local stack's CloudWatch stand-in; empty on AWS (the region's endpoint).
readonly STAND_IN_URL="{{standInUrl}}"
readonly CLOUD_INSTANCE_ID_FILE="{{cloudInstanceIdFile}}"

log() { echo "ha-web-disk-use: $*"; }

# The alarm watches the instance by the id EC2 gave it, which cloud-init writes at first boot.
instance_id() {
  local id=""
  if [[ -s "$CLOUD_INSTANCE_ID_FILE" ]]; then id="$(<"$CLOUD_INSTANCE_ID_FILE")"; fi
  if [[ ! "$id" =~ ^i-[0-9a-f]{8,17}$ ]]; then
    echo "ha-web-disk-use: no EC2 instance id in ${CLOUD_INSTANCE_ID_FILE} (found \"${id}\"); the disk alarm watches this host by it. Has cloud-init run?" >&2
    exit 1
  fi
  echo "$id"
}

# Used percent of the file system holding PATH, as df counts it: used / (used + available to
# non-root users), one decimal. The blocks reserved for root count as full, since the app and
# Docker's builds cannot use them either.
used_percent() {
  df --block-size=1 --output=used,avail "$1" | awk 'NR == 2 { total = $1 + $2; printf "%.1f\n", (total > 0 ? 100 * $1 / total : 0) }'
}

# Root, and Docker's data root when Docker answers and keeps it on another file system.
measured_paths() {
  local docker_root
  echo /
  if docker_root="$(docker info --format '{{.DockerRootDir}}' 2>/dev/null)" && [[ -d "$docker_root" ]] &&
    [[ "$(stat -c %d "$docker_root")" != "$(stat -c %d /)" ]]; then
    echo "$docker_root"
  fi
}

main() {
  local id path percent fullest="" highest=-1 report=()
  id="$(instance_id)"
  while IFS= read -r path; do
    percent="$(used_percent "$path")"
    report+=("${path} ${percent}%")
    if awk -v a="$percent" -v b="$highest" 'BEGIN { exit !(a > b) }'; then
      highest="$percent"
      fullest="$path"
    fi
  done < <(measured_paths)
  local endpoint=()
  if [[ -n "$STAND_IN_URL" ]]; then endpoint=(--endpoint-url "$STAND_IN_URL"); fi
  # Periods under a minute need CloudWatch's high-resolution storage.
  local resolution=60
  if ((PERIOD_SECONDS < 60)); then resolution=1; fi
  aws cloudwatch put-metric-data "${endpoint[@]}" --region "$REGION" --namespace "$NAMESPACE" \
    --metric-name "$METRIC_NAME" --dimensions "InstanceId=${id}" --unit Percent --value "$highest" \
    --storage-resolution "$resolution"
  log "${report[*]}; published ${highest} (${fullest}) for ${id}"
}

main "$@"
