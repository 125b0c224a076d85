#!/usr/bin/env bash
# Mounts the EFS file system at {{mountPoint}} and the app's data access point at {{dataMount}}, both
# with efs-utils over TLS and the instance role (`tls,iam`: the file-system policy lets in nothing
# else, components/plan/sharedStoragePolicy.ts), through /etc/fstab, and creates the shared folders
# (see mount_shared for what it does with an existing mount). The data mount point is on the host's
# disk, not under {{mountPoint}}: there it would be a folder root makes on EFS, where the access point
# must create its folder as the app's. Orders Docker after the mounts (written here, not in bootstrap:
# this is where the mounts come to exist).
# stdin: EFS_DNS=<file system DNS name>, EFS_ACCESS_POINT=<the app data access point's id>.
set -euo pipefail

readonly MOUNT_POINT="{{mountPoint}}"
readonly DATA_MOUNT="{{dataMount}}"
# The app container's user and its data folder's mode, as the access point creates the folder on EFS.
readonly APP_UID="{{appUid}}"
readonly DATA_MODE="{{dataMode}}"
# efs-utils adds AWS's recommended NFS options itself (NFS 4.1, 1 MiB transfers, hard, timeo=600,
# retrans=2, noresvport). _netdev waits for the network at boot; nofail lets the host boot (and
# report unhealthy) without EFS.
readonly MOUNT_OPTIONS="_netdev,nofail,tls,iam"
# A new mount target's DNS name takes a minute or two to appear.
readonly DNS_ATTEMPTS=60
readonly DNS_RETRY_SECONDS=5
# What this step mounted last (the two fstab lines): a re-run with the same finds nothing to do.
readonly MOUNTED_RECORD="{{mountedRecord}}"

readonly DOCKER_DROP_IN="/etc/systemd/system/docker.service.d/ha-web-after-shared.conf"

# ha-web:include lib/read-inputs.sh
# ha-web:include lib/docker-after-mount.sh
# ha-web:include lib/efs-utils.sh

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

# The file system's root for root's scripts, the access point (every operation as the app's uid) for its data.
fstab_entries() {
  local fs_id="${EFS_DNS%%.*}"
  printf '%s\n' "${fs_id}:/ ${MOUNT_POINT} efs ${MOUNT_OPTIONS} 0 0" \
    "${fs_id}:/ ${DATA_MOUNT} efs ${MOUNT_OPTIONS},accesspoint=${EFS_ACCESS_POINT} 0 0"
}

# Replaces any previous entries for both mount points, so a changed file system is picked up.
write_fstab_entries() {
  local kept
  kept="$(awk -v mp="$MOUNT_POINT" -v data="$DATA_MOUNT" '$2 != mp && $2 != data' /etc/fstab)"
  printf '%s\n%s\n' "$kept" "$(fstab_entries)" >/etc/fstab
  log "fstab entries for ${MOUNT_POINT} and ${DATA_MOUNT} written"
}

# Unmounts what is there, then mounts both anew.
remount_both() {
  write_fstab_entries
  wait_for_dns
  install_efs_utils
  # Before the old file system goes (a hard NFS mount of a deleted one hangs every reader).
  if mountpoint -q "$DATA_MOUNT"; then umount "$DATA_MOUNT"; fi
  if mountpoint -q "$MOUNT_POINT"; then umount "$MOUNT_POINT"; fi
  mount "$MOUNT_POINT"
  mkdir -p "$DATA_MOUNT"
  mount "$DATA_MOUNT"
  mkdir -p "$(dirname "$MOUNTED_RECORD")"
  fstab_entries >"$MOUNTED_RECORD"
  log "mounted ${EFS_DNS} at ${MOUNT_POINT} and access point ${EFS_ACCESS_POINT} at ${DATA_MOUNT} (TLS, IAM)"
}

# What is at the mount point decides:
# | {{mountPoint}} now                                   | action                                      |
# |------------------------------------------------------|---------------------------------------------|
# | not a mount point                                    | fstab entries, mount both                   |
# | NFS, both mounted as recorded (a re-run)             | nothing                                     |
# | NFS, anything else (another file system or access    | fstab entries, unmount, mount both anew     |
# | point, or a plain NFS mount without TLS)             |                                             |
# | not NFS (the local stack's bind mount)               | nothing: this step did not mount it         |
mount_shared() {
  local fstype
  if ! mountpoint -q "$MOUNT_POINT"; then
    remount_both
    return
  fi
  fstype="$(findmnt --noheadings --output FSTYPE --mountpoint "$MOUNT_POINT")"
  if [[ "$fstype" != nfs* ]]; then
    log "${MOUNT_POINT} is a ${fstype} mount this step did not make; leaving it as it is"
  elif mountpoint -q "$DATA_MOUNT" && [[ -f "$MOUNTED_RECORD" ]] && [[ "$(cat "$MOUNTED_RECORD")" == "$(fstab_entries)" ]]; then
    log "${EFS_DNS} and access point ${EFS_ACCESS_POINT} are already mounted (TLS, IAM)"
  else
    remount_both
    log "${MOUNT_POINT} had another mount: now the configured file system is mounted there"
  fi
}

# The local stack's /shared has no access point: its data folder is made what the access point makes
# on EFS, the app's, with the access point's mode.
make_stand_in_data_folder() {
  local data="${MOUNT_POINT}/data"
  mkdir -p "$data"
  if [[ "$(stat -c %u:%a "$data")" != "${APP_UID}:${DATA_MODE#0}" ]]; then
    chown "${APP_UID}:${APP_UID}" "$data"
    chmod "$DATA_MODE" "$data"
    log "${data} now belongs to the app's user (uid ${APP_UID}, mode ${DATA_MODE})"
  fi
}

main() {
  read_inputs EFS_DNS EFS_ACCESS_POINT
  local problems=()
  [[ "$EFS_DNS" =~ ^fs-[0-9a-f]+[.][A-Za-z0-9.-]+$ ]] || problems+=("EFS_DNS must be the file system's DNS name, fs-<id>.efs.<region>.amazonaws.com (got \"${EFS_DNS}\")")
  [[ "$EFS_ACCESS_POINT" =~ ^fsap-[0-9a-f]+$ ]] || problems+=("EFS_ACCESS_POINT must be an access point id, fsap-<hex> (got \"${EFS_ACCESS_POINT}\")")
  if [[ "${#problems[@]}" -gt 0 ]]; then
    printf 'mount-shared: %s\n' "${problems[@]}" >&2
    exit 2
  fi
  mkdir -p "$MOUNT_POINT"
  mount_shared
  mkdir -p "${MOUNT_POINT}/scripts"
  if [[ "$(findmnt --noheadings --output FSTYPE --mountpoint "$MOUNT_POINT")" == nfs* ]]; then
    # The app's containers bind the data mount: Docker waits for both.
    order_docker_after_mount "$MOUNT_POINT $DATA_MOUNT" "$DOCKER_DROP_IN"
  else
    order_docker_after_mount "$MOUNT_POINT" "$DOCKER_DROP_IN"
    make_stand_in_data_folder
  fi
  log "done"
}

main "$@"
