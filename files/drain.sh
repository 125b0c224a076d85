#!/usr/bin/env bash
# ha-web-drain [--for STEP]: takes this host out of the load balancer for maintenance. Creates the
# drain flag, so nginx answers the health check (/ping) with 503, then waits until the load balancer
# has noticed. Requests keep being served meanwhile; ha-web-undrain puts the host back. --for STEP
# is how a step of ha-web drains (apply-config): the flag names it, so the step, re-run after an
# interruption, tells its own drain from an operator's.
set -euo pipefail

readonly DRAIN_FLAG="{{drainFlag}}"
# unhealthyThreshold x interval + timeout of the load balancer's health check.
readonly DETECTION_SECONDS="{{detectionSeconds}}"

# ha-web:include lib/drain-owner.sh

owner="$(step_argument "$@")" || exit 2
owner="${owner:-operator}"

current="$(drain_owner)"
if [[ "$current" == operator && "$owner" != operator ]]; then
  echo "ha-web-drain: already drained by an operator (${DRAIN_FLAG}); left as it is"
  exit 0
fi
if [[ -z "$current" || "$current" != "$owner" ]]; then
  # An operator's drain over a step's makes it the operator's: the step's undrain then leaves it.
  mkdir -p "$(dirname "$DRAIN_FLAG")"
  echo "$owner $(date -u +%FT%TZ)" >"$DRAIN_FLAG"
fi
# Its own flag from an interrupted run: only what is left of the wait since the flag was made.
remaining=$((DETECTION_SECONDS - ($(date +%s) - $(stat -c %Y "$DRAIN_FLAG"))))
if ((remaining > 0)); then
  echo "ha-web-drain: health check now fails; waiting ${remaining}s for the load balancer to take the host out"
  sleep "$remaining"
fi
echo "ha-web-drain: host is out of rotation (connections still open are being served); run ha-web-undrain to put it back"
