#!/usr/bin/env bash
# One-time machine set-up for the tests and the local stack (Debian 12, as root): the system
# packages they use and a running Docker engine. Safe to run again.
set -euo pipefail

# iptables: the fault commands (local:cut-host, local:slow-host, local:cut-database) and their drills.
# strace: the create-app-db test checks that no program the step starts sees a secret.
# awscli: the disk-use test publishes with the same AWS CLI as the hosts (Debian 12 awscli).
# docker-registry: the local stack's stand-in for Amazon ECR (local/stack/registry.ts); its own
# service stays off, the stack runs the binary on a loopback address of its own.
packages=(docker.io docker-compose debootstrap nginx mariadb-server haproxy shellcheck wrk git curl ca-certificates openssh-client logrotate iptables strace awscli docker-registry)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]} > 0)); then
  echo "setup: installing ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# The package's own registry service would listen on every address (:5000); where systemd runs it, it is turned off.
if [[ -d /run/systemd/system ]] && systemctl is-enabled --quiet docker-registry 2>/dev/null; then
  systemctl disable --now docker-registry
fi

# The distribution packages may have started their own nginx/MariaDB on the default ports; the
# tests run private instances on random loopback ports and do not use them.
if ! docker info >/dev/null 2>&1; then
  echo "setup: starting the Docker engine"
  nohup dockerd >/var/log/ha-web-dockerd.log 2>&1 &
  for _ in $(seq 1 60); do
    docker info >/dev/null 2>&1 && break
    sleep 1
  done
  docker info >/dev/null 2>&1 || { echo "setup: dockerd did not start, see /var/log/ha-web-dockerd.log" >&2; exit 1; }
fi
echo "setup: machine ready (docker $(docker version --format '{{.Server.Version}}'))"
