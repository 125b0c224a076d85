#!/usr/bin/env bash
# PID 1's child of a local host container (docker run --init), in place of systemd: starts sshd
# (the AMI stand-in's start-sshd), then runs nginx in the foreground, so a host container is up
# exactly while its nginx is. The app runs beside it (compose, on the same daemon).
set -euo pipefail
/usr/local/sbin/start-sshd
exec nginx -g 'daemon off;'
