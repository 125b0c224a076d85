#!/usr/bin/env bash
# PID 1's child of a local host container (docker run --init), in place of systemd: starts sshd
# (the AMI stand-in's start-sshd), restores the live app port (what the ha-web-live unit does at
# boot on EC2), then runs nginx in the foreground, so a host container is up exactly while its nginx
# is. The app runs beside it (compose, on the same daemon).
set -euo pipefail
/usr/local/sbin/start-sshd
if [[ -x {{liveCommand}} ]]; then {{liveCommand}} restore; fi
exec nginx -g 'daemon off;'
