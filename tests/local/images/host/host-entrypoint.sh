#!/usr/bin/env bash
# PID 1 of a local host container, in place of systemd: runs nginx in the foreground, so a host
# container is up exactly while its nginx is. The app runs beside it (compose, on the same daemon).
set -euo pipefail
exec nginx -g 'daemon off;'
