#!/usr/bin/env bash
# First step on a new host: returns once the machine has finished booting.
set -euo pipefail

# ha-web:include lib/wait-for-boot.sh

wait_for_boot
echo "${0}: $(hostname) is up"
