#!/usr/bin/env bash
# Starts sshd on 127.0.0.1:SSH_PORT (every local host shares this machine's network, so each has its
# own port). Extra arguments go to sshd (-D: stay in the foreground).
set -euo pipefail
: "${SSH_PORT:?SSH_PORT must be set (each local host has its own port)}"
mkdir -p /run/sshd
exec /usr/sbin/sshd -o "ListenAddress=127.0.0.1:${SSH_PORT}" "$@"
