#!/usr/bin/env bash
# Mounts the EFS file system at {{mountPoint}} (NFS 4.1, AWS's recommended options) through
# /etc/fstab, and creates the shared folders (see mount_shared for what it does with an existing
# mount). Orders Docker after the mount (written here, not
# in bootstrap: this is where the mount comes to exist). stdin: EFS_DNS=<file system DNS name>.
set -euo pipefail

readonly MOUNT_POINT="{{mountPoint}}"
# The app container's user: its health check writes to the data folder.
readonly APP_UID="{{appUid}}"
# From the EFS user guide: NFS 4.1, 1 MiB transfers, hard mounts with a 60 s timeout, and a new source
# port on reconnect (noresvport) so a network recovery does not leave the mount hung.
# _netdev waits for the network at boot; nofail lets the host boot (and report unhealthy) without EFS.
readonly MOUNT_OPTIONS="nfsvers=4.1,rsize=1048576,wsize=1048576,hard,timeo=600,retrans=2,noresvport,_netdev,nofail"
# A new mount target's DNS name takes a minute or two to appear.
readonly DNS_ATTEMPTS=60
readonly DNS_RETRY_SECONDS=5

readonly DOCKER_DROP_IN="/etc/systemd/system/docker.service.d/ha-web-after-shared.conf"

# ha-web:include lib/read-inputs.sh
# ha-web:include lib/docker-after-mount.sh

log() { echo "mount-shared: $*"; }

wait_for_dns() {
  local attempt
  for ((attempt = 1; attempt <= DNS_ATTEMPTS; attempt++)); do
    if getent hosts "$EFS_DNS" >/dev/null; then
      return
    fi
    log "waiting for ${EFS_DNS} to resolve (attempt ${attempt}/${DNS_ATTEMPTS})"
    sleep "$DNS_RETRY_SECONDS"
  done
  echo "mount-shared: ${EFS_DNS} never resolved; check the EFS mount target in this host's subnet and the VPC's DNS settings, then re-run" >&2
  exit 1
}

# Replaces any previous entry for the mount point, so a changed file system is picked up.
write_fstab_entry() {
  local entry="${EFS_DNS}:/ ${MOUNT_POINT} nfs4 ${MOUNT_OPTIONS} 0 0"
  if grep -qxF "$entry" /etc/fstab; then
    return
  fi
  local kept
  kept="$(awk -v mp="$MOUNT_POINT" '$2 != mp' /etc/fstab)"
  printf '%s\n%s\n' "$kept" "$entry" >/etc/fstab
  log "fstab entry for ${MOUNT_POINT} written"
}

# What is at the mount point decides:
# | {{mountPoint}} now                    | action                                                    |
# |---------------------------------------|-----------------------------------------------------------|
# | not a mount point                     | fstab entry, mount                                        |
# | NFS, EFS_DNS:/                        | nothing (a re-run)                                        |
# | NFS, another file system (replaced)   | fstab entry, unmount the old one, mount the new one       |
# | not NFS (the local stack's bind mount)| nothing: this step did not mount it                       |
mount_shared() {
  local wanted="${EFS_DNS}:/" fstype source
  if ! mountpoint -q "$MOUNT_POINT"; then
    write_fstab_entry
    wait_for_dns
    mount "$MOUNT_POINT"
    log "mounted ${EFS_DNS} at ${MOUNT_POINT}"
    return
  fi
  read -r fstype source < <(findmnt --noheadings --output FSTYPE,SOURCE --mountpoint "$MOUNT_POINT")
  if [[ "$fstype" != nfs* ]]; then
    log "${MOUNT_POINT} is a ${fstype} mount this step did not make; leaving it as it is"
  elif [[ "$source" == "$wanted" ]]; then
    log "${EFS_DNS} is already mounted at ${MOUNT_POINT}"
  else
    write_fstab_entry
    wait_for_dns
    # Before the old file system goes (a hard NFS mount of a deleted one hangs every reader).
    umount "$MOUNT_POINT"
    mount "$MOUNT_POINT"
    log "${MOUNT_POINT} was ${source}, not the configured file system: now ${EFS_DNS} is mounted there"
  fi
}

main() {
  read_inputs EFS_DNS
  if [[ ! "$EFS_DNS" =~ ^[A-Za-z0-9.-]+$ ]]; then
    echo "mount-shared: EFS_DNS must be a DNS name (letters, digits, dots, dashes)" >&2
    exit 2
  fi
  mkdir -p "$MOUNT_POINT"
  mount_shared
  order_docker_after_mount "$MOUNT_POINT" "$DOCKER_DROP_IN"
  mkdir -p "${MOUNT_POINT}/scripts" "${MOUNT_POINT}/data"
  if [[ "$(stat -c %u "${MOUNT_POINT}/data")" != "$APP_UID" ]]; then
    chown "${APP_UID}:${APP_UID}" "${MOUNT_POINT}/data"
    log "${MOUNT_POINT}/data now belongs to the app's user (uid ${APP_UID})"
  fi
  log "done"
}

main "$@"
