# Orders Docker after a mount: a systemd drop-in with RequiresMountsFor=<mount point>, so after a
# reboot Docker (and with it every `unless-stopped` app container) starts only once the mount is up,
# and not at all if it fails, instead of binding the empty local folder underneath. Writes the
# drop-in only when it differs (then reloads systemd); prints what it did.
order_docker_after_mount() {
  local mount_point="$1" drop_in="$2"
  local content="[Unit]
# Written by ha-web mount-shared: the app's data lives on ${mount_point}.
RequiresMountsFor=${mount_point}"
  if [[ -f "$drop_in" ]] && [[ "$(cat "$drop_in")" == "$content" ]]; then
    echo "${0}: docker already starts only after ${mount_point} is mounted"
    return
  fi
  mkdir -p "$(dirname "$drop_in")"
  printf '%s\n' "$content" >"$drop_in"
  systemctl daemon-reload
  echo "${0}: docker now starts only after ${mount_point} is mounted (${drop_in})"
}
