#!/usr/bin/env bash
# ha-web-drain: takes this host out of the load balancer for maintenance. Creates the drain flag, so
# nginx answers the health check (/ping) with 503, then waits until the load balancer has noticed.
# Requests keep being served meanwhile; ha-web-undrain puts the host back.
set -euo pipefail

readonly DRAIN_FLAG="{{drainFlag}}"
# unhealthyThreshold x interval + timeout of the load balancer's health check.
readonly DETECTION_SECONDS="{{detectionSeconds}}"

if [[ -f "$DRAIN_FLAG" ]]; then
  echo "ha-web-drain: already drained (${DRAIN_FLAG} exists); run ha-web-undrain to put the host back"
  exit 0
fi
mkdir -p "$(dirname "$DRAIN_FLAG")"
touch "$DRAIN_FLAG"
echo "ha-web-drain: health check now fails; waiting ${DETECTION_SECONDS}s for the load balancer to take the host out"
sleep "$DETECTION_SECONDS"
echo "ha-web-drain: host is out of rotation (connections still open are being served); run ha-web-undrain to put it back"
