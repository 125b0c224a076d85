#!/usr/bin/env bash
# Turns a fresh Debian 12 machine into an ha-web host: packages, host name, Docker log rotation,
# services. Safe to run again: a second run finds everything in place, changes nothing, exits 0.
set -euo pipefail

readonly HOST_NAME="{{hostname}}"
# The app's secret files (host-config places them, 0444): root-only, so only the app's bind mounts reach them.
readonly SECRETS_DIR="{{secretsDir}}"
# The Debian 12 packages of a host (components/plan/stepScripts.ts `hostPackages` says why each).
read -r -a PACKAGES <<<"{{packages}}"
readonly PACKAGES
# live-restore: restarting the Docker daemon (to apply this file, or on a package upgrade) leaves the
# app's containers running instead of taking the host's app down with it.
readonly DOCKER_DAEMON_JSON='{
  "log-driver": "json-file",
  "log-opts": { "max-size": "10m", "max-file": "5" },
  "live-restore": true
}'

export DEBIAN_FRONTEND=noninteractive

log() { echo "bootstrap: $*"; }

# ha-web:include lib/wait-for-boot.sh

missing_packages() {
  local pkg
  for pkg in "${PACKAGES[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
      echo "$pkg"
    fi
  done
}

install_packages() {
  local missing
  mapfile -t missing < <(missing_packages)
  if [[ "${#missing[@]}" -eq 0 ]]; then
    log "packages already installed"
    return
  fi
  log "installing ${missing[*]}"
  # cloud-init may still run apt on first boot; wait for the dpkg lock instead of failing on it.
  apt-get -o DPkg::Lock::Timeout=600 update -q
  apt-get -o DPkg::Lock::Timeout=600 install -y -q --no-install-recommends "${missing[@]}"
}

set_hostname() {
  if [[ "$(hostname)" == "$HOST_NAME" ]]; then
    log "host name already ${HOST_NAME}"
    return
  fi
  hostnamectl set-hostname "$HOST_NAME"
  # Keep cloud-init from resetting the name on the next boot.
  if [[ -d /etc/cloud/cloud.cfg.d ]]; then
    echo "preserve_hostname: true" >/etc/cloud/cloud.cfg.d/99-ha-web-hostname.cfg
  fi
  if ! grep -qE "[[:space:]]${HOST_NAME}\$" /etc/hosts; then
    echo "127.0.1.1 ${HOST_NAME}" >>/etc/hosts
  fi
  log "host name set to ${HOST_NAME}"
}

# Without rotation the default json-file driver grows container logs until the disk is full.
configure_docker_logs() {
  mkdir -p /etc/docker
  if [[ -f /etc/docker/daemon.json ]] && [[ "$(cat /etc/docker/daemon.json)" == "$DOCKER_DAEMON_JSON" ]]; then
    log "docker log rotation already configured"
    return
  fi
  printf '%s\n' "$DOCKER_DAEMON_JSON" >/etc/docker/daemon.json
  log "docker log rotation configured"
  if systemctl is-active --quiet docker; then
    systemctl restart docker
    log "docker restarted to apply log rotation (live-restore keeps running containers up)"
  fi
}

enable_services() {
  local service
  for service in docker nginx; do
    if systemctl is-enabled --quiet "$service" && systemctl is-active --quiet "$service"; then
      continue
    fi
    systemctl enable --now "$service"
    log "enabled and started ${service}"
  done
}

main() {
  if [[ "$(id -u)" -ne 0 ]]; then
    echo "bootstrap: must run as root (try: sudo bash bootstrap.sh)" >&2
    exit 1
  fi
  wait_for_boot
  install_packages
  set_hostname
  configure_docker_logs
  mkdir -p "$SECRETS_DIR"
  chmod 0700 "$SECRETS_DIR"
  enable_services
  log "done"
}

main "$@"
