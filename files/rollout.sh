#!/usr/bin/env bash
# Deploys the app image on this host with ha-web-deploy (blue/green, no nginx reload).
# stdin: APP_IMAGE=<image reference>.
set -euo pipefail

# ha-web:include lib/read-inputs.sh

read_inputs APP_IMAGE
# The rollout's first host is its canary (ha-web-deploy --canary SPEC); elsewhere the spec is empty.
readonly CANARY_SPEC="{{canarySpec}}"
exec "{{deployCommand}}" ${CANARY_SPEC:+--canary "$CANARY_SPEC"} "$APP_IMAGE"
