#!/usr/bin/env bash
# Runs on a host once it is set up (on every new instance): returns when the load balancer's own
# health checks find the host healthy, i.e. the last {{healthyThreshold}} of them in nginx's access
# log were answered 200. The health gate waits for this on every host, and old hosts are deleted
# only after the gate: so no old host is drained before its replacement is really in service.
set -euo pipefail

# shellcheck disable=SC2034 # read by lib/load-balancer-checks.sh, which rendering includes below
readonly ACCESS_LOG="{{accessLog}}"
# shellcheck disable=SC2034 # read by lib/load-balancer-checks.sh, which rendering includes below
readonly USER_AGENT_PREFIX="{{userAgentPrefix}}"
readonly HEALTHY_THRESHOLD="{{healthyThreshold}}"
readonly TIMEOUT_SECONDS="{{timeoutSeconds}}"
readonly POLL_SECONDS=2

log() { echo "await-in-service: $*"; }

# ha-web:include lib/load-balancer-checks.sh

main() {
  if ! await_checks_pass "$TIMEOUT_SECONDS" "$POLL_SECONDS"; then
    echo "await-in-service: the load balancer's health checks did not find $(hostname) healthy within ${TIMEOUT_SECONDS}s" \
      "(latest statuses: ${LATEST_STATUSES}). Check the target group's health, the firewall rule from the load balancer," \
      "and whether the host is drained (ha-web-undrain); then run pulumi up again" >&2
    exit 1
  fi
  log "$(hostname) is in service: the load balancer's last ${HEALTHY_THRESHOLD} health checks got 200"
}

main "$@"
