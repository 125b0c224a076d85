#!/usr/bin/env bash
# Deploys the app image on this host with ha-web-deploy (blue/green, no nginx reload).
# stdin: APP_IMAGE=<image reference>, APP_IMAGE_ID=<the image id its build recorded, or empty>.
set -euo pipefail

# ha-web:include lib/read-inputs.sh
# ha-web:include lib/release-image-check.sh

read_inputs APP_IMAGE APP_IMAGE_ID
# Right before the switch: this host runs the image the release was built as, or nothing changes.
require_release_image "$APP_IMAGE" "$APP_IMAGE_ID" rollout
# The rollout's first host is its canary (ha-web-deploy --canary SPEC); elsewhere the spec is empty.
readonly CANARY_SPEC="{{canarySpec}}"
exec "{{deployCommand}}" ${CANARY_SPEC:+--canary "$CANARY_SPEC"} "$APP_IMAGE"
