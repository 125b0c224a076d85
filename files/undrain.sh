#!/usr/bin/env bash
# ha-web-undrain: puts this host back into the load balancer after ha-web-drain.
set -euo pipefail

readonly DRAIN_FLAG="{{drainFlag}}"

if [[ ! -f "$DRAIN_FLAG" ]]; then
  echo "ha-web-undrain: host was not drained; nothing to do"
  exit 0
fi
rm -f "$DRAIN_FLAG"
echo "ha-web-undrain: health check passes again; the load balancer puts the host back after its healthy threshold"
