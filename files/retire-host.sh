#!/usr/bin/env bash
# Runs on a host just before Pulumi deletes it (replaced, or removed by a lower hostCount): takes it
# out of the load balancer with ha-web-drain, then waits out the target group's deregistration
# delay, so requests still in flight finish before the target is deregistered and the instance
# terminated. A host that never got as far as installing ha-web-drain serves nothing: nothing to drain.
set -euo pipefail

readonly DRAIN_COMMAND="{{drainCommand}}"
# The target group's deregistration delay: longer than the app's own drain on SIGTERM.
readonly DEREGISTRATION_DELAY_SECONDS="{{deregistrationDelaySeconds}}"

log() { echo "retire-host: $*"; }

if [[ ! -x "$DRAIN_COMMAND" ]]; then
  log "${DRAIN_COMMAND} is not installed: this host was never set up and serves nothing; deleting it at once"
  exit 0
fi
"$DRAIN_COMMAND"
log "waiting ${DEREGISTRATION_DELAY_SECONDS}s for requests still in flight to finish"
sleep "$DEREGISTRATION_DELAY_SECONDS"
log "$(hostname) is drained; Pulumi deregisters and deletes it next"
