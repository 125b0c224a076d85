#!/usr/bin/env bash
# ha-web-undrain [--for STEP]: puts this host back into the load balancer after ha-web-drain. An
# operator's undrain lifts any drain; --for STEP (a step of ha-web) lifts only that step's own.
set -euo pipefail

readonly DRAIN_FLAG="{{drainFlag}}"

# ha-web:include lib/drain-owner.sh

owner="$(step_argument "$@")" || exit 2

current="$(drain_owner)"
if [[ -z "$current" ]]; then
  echo "ha-web-undrain: host was not drained; nothing to do"
  exit 0
fi
if [[ -n "$owner" && "$current" != "$owner" ]]; then
  echo "ha-web-undrain: drained by ${current}, not by ${owner}: left drained"
  exit 0
fi
rm -f "$DRAIN_FLAG"
echo "ha-web-undrain: health check passes again; the load balancer puts the host back after its healthy threshold"
