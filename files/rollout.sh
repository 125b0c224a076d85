#!/usr/bin/env bash
# Deploys the app image on this host with ha-web-deploy (blue/green, no nginx reload).
# stdin: APP_IMAGE=<image reference>.
set -euo pipefail

# ha-web:include lib/read-inputs.sh

read_inputs APP_IMAGE
exec "{{deployCommand}}" "$APP_IMAGE"
