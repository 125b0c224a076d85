#!/usr/bin/env bash
# Applies the configuration the host-config file set placed: fetches the database's CA bundle (the
# app verifies the server with it), copies the operator commands to {{sharedScriptsDir}}, and puts a
# changed nginx configuration into service once nginx accepts it, the host staying in service
# (lib/nginx-reload.sh). Runs host after host.
#
# What each change costs a host (none recreates the app's containers here: a changed compose file,
# appEnv, secret or file system is the rollout step's, a blue/green switch like any release):
# | change                                          | here                                           |
# |-------------------------------------------------|------------------------------------------------|
# | nginx's configuration (files/nginx*.conf,       | nginx -t, then a reload in service: a few      |
# | appHealthPath, appMaxRequestBodyKb)             | seconds, no drain                              |
# | the same, while nginx runs a site from before   | drain, reload, back in service: the load       |
# | the close flag (the first change after upgrade) | balancer's two windows (about 24 s)            |
# | the same, host drained by an operator           | reload; the host stays drained                 |
# | operator commands, units, the database CA       | files and units only                           |
# stdin: DB_TLS_CA_URL=<https:// or file:// URL of the database server's CA bundle>.
set -euo pipefail

readonly DB_CA_FILE="{{dbCaFile}}"
readonly DB_TLS_ENV_FILE="{{dbTlsEnvFile}}"
readonly NGINX_SITE="{{nginxSite}}"
readonly NGINX_MAIN_CONFIG="{{nginxMainConfig}}"
readonly NGINX_ACCESS_LOG="{{nginxAccessLog}}"
# Where the host-config file set placed them: they go live only once nginx accepts them.
readonly NGINX_STAGED_SITE="{{nginxStagedSite}}"
readonly NGINX_STAGED_MAIN_CONFIG="{{nginxStagedMainConfig}}"
# The sha256 of the live configuration nginx last loaded: a live config that differs must be loaded.
readonly NGINX_APPLIED="{{nginxApplied}}"
# The site includes it: the X-Served-By-Instance header, from the machine's identity.
readonly NGINX_INSTANCE_HEADER="{{nginxInstanceHeader}}"
readonly CLOUD_INSTANCE_ID_FILE="{{cloudInstanceIdFile}}"
readonly DEPLOY_COMMAND="{{deployCommand}}"
readonly LIVE_COMMAND="{{liveCommand}}"
readonly LIVE_UNIT="{{liveUnit}}"
readonly DISK_USE_TIMER="{{diskUseTimer}}"
readonly METADATA_GUARD_UNIT="{{metadataGuardUnit}}"
readonly APP_NETWORK_UNIT="{{appNetworkUnit}}"
# shellcheck disable=SC2034 # read by lib/nginx-reload.sh, included below
readonly CLOSE_FLAG="{{closeFlag}}"
# shellcheck disable=SC2034 # read by lib/nginx-reload.sh, included below
readonly CLOSE_SECONDS="{{closeSeconds}}"
# shellcheck disable=SC2034 # read by lib/nginx-reload.sh, included below
readonly SHUTDOWN_WAIT_SECONDS="{{shutdownWaitSeconds}}"
readonly NGINX_PID_FILE="{{nginxPidFile}}"
readonly DRAIN_COMMAND="{{drainCommand}}"
readonly UNDRAIN_COMMAND="{{undrainCommand}}"
readonly COMPOSE_FILE="{{composeFile}}"
readonly SHARED_SCRIPTS_DIR="{{sharedScriptsDir}}"
# shellcheck disable=SC2034 # read by lib/drain-owner.sh, included below
readonly DRAIN_FLAG="{{drainFlag}}"
# How long a host back from a reload may take to pass the load balancer's checks again.
readonly REJOIN_TIMEOUT_SECONDS="{{rejoinTimeoutSeconds}}"
# shellcheck disable=SC2034 # read by lib/load-balancer-checks.sh, which rendering includes below
readonly ACCESS_LOG="$NGINX_ACCESS_LOG"
# shellcheck disable=SC2034 # read by lib/load-balancer-checks.sh, which rendering includes below
readonly USER_AGENT_PREFIX="{{userAgentPrefix}}"
readonly HEALTHY_THRESHOLD="{{healthyThreshold}}"

# ha-web:include lib/read-inputs.sh
# ha-web:include lib/load-balancer-checks.sh
# ha-web:include lib/drain-owner.sh
# ha-web:include lib/nginx-reload.sh

log() { echo "apply-config: $*"; }

# Writes stdin to PATH with MODE unless PATH already has that content (temporary file beside it,
# renamed over it: a reader never sees half a file).
install_content() {
  local path="$1" mode="$2" tmp
  tmp="$(mktemp "$(dirname "$path")/.$(basename "$path").XXXXXX")"
  cat >"$tmp"
  chmod "$mode" "$tmp"
  if cmp --silent "$tmp" "$path"; then
    rm -f "$tmp"
  else
    mv "$tmp" "$path"
    log "updated ${path}"
  fi
}

# The CA the app and create-app-db verify the database's certificate with; for the app also as an env
# file (one line per value, so the bundle goes base64-encoded), read by compose beside app.env.
fetch_db_ca() {
  local pem
  if ! pem="$(curl --fail --silent --show-error --retry 5 --retry-connrefused "$DB_TLS_CA_URL")" ||
    [[ "$pem" != *"BEGIN CERTIFICATE"* ]]; then
    echo "apply-config: could not fetch the database CA bundle from ${DB_TLS_CA_URL}; check this host's outbound HTTPS, then re-run" >&2
    exit 1
  fi
  install -d -m 0700 "$(dirname "$DB_CA_FILE")"
  install_content "$DB_CA_FILE" 0644 <<<"$pem"
  install_content "$DB_TLS_ENV_FILE" 0600 < <(printf '{{dbTlsEnvName}}=%s\n' "$(base64 --wrap=0 "$DB_CA_FILE")")
}

share_operator_commands() {
  mkdir -p "$SHARED_SCRIPTS_DIR"
  cp "$DEPLOY_COMMAND" "$LIVE_COMMAND" "$DRAIN_COMMAND" "$UNDRAIN_COMMAND" "$COMPOSE_FILE" "$SHARED_SCRIPTS_DIR/"
}

# After a reboot the kernel has forgotten where the live port leads; the unit tells it again before
# nginx starts. The metadata guard's rule and the app's network rules go in now and at every boot. Also picks up the hourly
# logrotate timer, and starts the disk-use timer (the disk alarm's data).
enable_systemd_units() {
  local unit disk_use_timer
  disk_use_timer="$(basename "$DISK_USE_TIMER")"
  systemctl daemon-reload
  systemctl try-restart logrotate.timer
  for unit in "$(basename "$LIVE_UNIT")" "$(basename "$METADATA_GUARD_UNIT")" "$(basename "$APP_NETWORK_UNIT")"; do
    if ! systemctl is-enabled --quiet "$unit"; then
      systemctl enable "$unit"
      log "enabled ${unit}"
    fi
  done
  # Restart: a changed unit or script (another address) runs again; each rule is added only once.
  systemctl restart "$(basename "$METADATA_GUARD_UNIT")" "$(basename "$APP_NETWORK_UNIT")"
  if ! systemctl is-enabled --quiet "$disk_use_timer" || ! systemctl is-active --quiet "$disk_use_timer"; then
    systemctl enable --now "$disk_use_timer"
    log "enabled and started ${disk_use_timer}"
  fi
}

nginx_running() {
  [[ -s "$NGINX_PID_FILE" ]] && kill -0 "$(cat "$NGINX_PID_FILE")" 2>/dev/null
}

# Whether the configuration nginx runs answers the close flag: the live files are the ones it loaded
# and the site names the flag.
running_site_closes_on_flag() {
  [[ -f "$NGINX_APPLIED" && -f "$NGINX_SITE" && "$(live_config_hash)" == "$(cat "$NGINX_APPLIED")" ]] &&
    grep -qF "$CLOSE_FLAG" "$NGINX_SITE"
}

# Loads a changed configuration into nginx while the host serves. An operator's drained host is
# only reloaded. A running site from before the close flag cannot be reloaded in service (lib/nginx-reload.sh
# says why): the host is drained first and put back once the load balancer sends traffic again.
reload_changed_config() {
  local closes_on_flag="$1"
  if [[ "$(drain_owner)" == operator ]]; then
    nginx -s reload
    log "host is drained by an operator: reloaded nginx and left it drained"
  elif [[ "$closes_on_flag" == yes ]]; then
    reload_nginx_in_service
  else
    log "nginx runs a site without the close flag: reloading out of rotation this once"
    reload_nginx_out_of_rotation
  fi
}

# Drains the host (hosts run this step one after another, so only one is ever out), reloads, and
# waits until the load balancer counts it again. Its drain names this step: a run cut off while the
# host was out is finished by the next one.
reload_nginx_out_of_rotation() {
  # Where the time goes, in the step's log: nearly all of it is the load balancer's two windows.
  local started="$SECONDS"
  "$DRAIN_COMMAND" --for apply-config
  nginx -s reload
  put_back_in_service "$started"
}

# Undoes this step's own drain and waits until the load balancer counts the host again; with the
# time the step started, it says where the time went.
put_back_in_service() {
  local started="${1:-}" reloaded="$SECONDS"
  "$UNDRAIN_COMMAND" --for apply-config
  await_back_in_service
  log "the host is back in rotation: the load balancer's last ${HEALTHY_THRESHOLD} checks passed"
  if [[ -n "$started" ]]; then
    log "took $((SECONDS - started))s: drain and reload $((reloaded - started))s (mostly the load balancer's detection window)," \
      "back in service $((SECONDS - reloaded))s (its healthy threshold of checks)"
  fi
}

# Returns once the load balancer counts the host healthy again: its latest checks (all after the
# drain, which failed the earlier ones) got 200. The next host drains only then.
await_back_in_service() {
  if ! await_checks_pass "$REJOIN_TIMEOUT_SECONDS" 1; then
    echo "apply-config: the load balancer's health checks did not find $(hostname) healthy again within ${REJOIN_TIMEOUT_SECONDS}s" \
      "after the reload (latest statuses: ${LATEST_STATUSES}); the next host is not touched. Check nginx (nginx -t, its error log) and run pulumi up again" >&2
    exit 1
  fi
}

# nginx would create a missing log 0644 (world-readable). Made here first, it is 0640: readable by
# root and group adm only, as Debian's logrotate re-creates it (`create 0640 www-data adm`).
prepare_access_log() {
  if [[ ! -e "$NGINX_ACCESS_LOG" ]]; then
    install -m 0640 -o www-data -g adm /dev/null "$NGINX_ACCESS_LOG"
    log "created ${NGINX_ACCESS_LOG} (0640, group adm)"
  elif [[ "$(stat -c %a "$NGINX_ACCESS_LOG")" != 640 ]]; then
    chmod 0640 "$NGINX_ACCESS_LOG"
    chgrp adm "$NGINX_ACCESS_LOG"
    log "made ${NGINX_ACCESS_LOG} 0640, group adm"
  fi
}

live_config_hash() {
  cat "$NGINX_MAIN_CONFIG" "$NGINX_SITE" "$NGINX_INSTANCE_HEADER" | sha256sum | cut -d' ' -f1
}

# What names this machine, new with every new machine under the same host name:
# | source                          | where                                                   |
# |---------------------------------|---------------------------------------------------------|
# | cloud-init's instance-id        | EC2 (written at each instance's first boot): i-0abc...   |
# | /etc/machine-id                 | a host without cloud-init (the local stack's containers) |
# | neither                         | "unknown" (the health gate then never counts this host)  |
machine_identity() {
  local id=""
  if [[ -s "$CLOUD_INSTANCE_ID_FILE" ]]; then
    id="$(<"$CLOUD_INSTANCE_ID_FILE")"
  elif [[ -s /etc/machine-id ]]; then
    id="$(</etc/machine-id)"
  fi
  if [[ "$id" =~ ^[A-Za-z0-9-]{1,64}$ ]]; then echo "$id"; else echo unknown; fi
}

write_instance_header() {
  install_content "$NGINX_INSTANCE_HEADER" 0644 < <(printf 'add_header X-Served-By-Instance "%s" always;\n' "$(machine_identity)")
}

# Puts the staged main config and site live when they differ, keeping the live ones if nginx
# rejects the new pair (the running nginx, and a restarted one, keep working).
install_staged_config() {
  if cmp --silent "$NGINX_STAGED_MAIN_CONFIG" "$NGINX_MAIN_CONFIG" && cmp --silent "$NGINX_STAGED_SITE" "$NGINX_SITE"; then
    return
  fi
  local backup
  backup="$(mktemp -d)"
  cp -p "$NGINX_MAIN_CONFIG" "$backup/main"
  if [[ -f "$NGINX_SITE" ]]; then cp -p "$NGINX_SITE" "$backup/site"; fi
  install -m 0644 "$NGINX_STAGED_MAIN_CONFIG" "$NGINX_MAIN_CONFIG"
  install -m 0644 "$NGINX_STAGED_SITE" "$NGINX_SITE"
  if ! nginx -t -q; then
    cp -p "$backup/main" "$NGINX_MAIN_CONFIG"
    if [[ -f "$backup/site" ]]; then cp -p "$backup/site" "$NGINX_SITE"; else rm -f "$NGINX_SITE"; fi
    rm -rf "$backup"
    echo "apply-config: nginx rejected the new configuration (see above); the previous one stays live. Fix files/nginx.conf or files/nginx-site.conf and run pulumi up again." >&2
    exit 1
  fi
  rm -rf "$backup"
  log "new nginx configuration is live on disk"
}

# Starts nginx, or reloads it (in service) when the live config is not the one it runs.
apply_nginx_config() {
  local closes_on_flag=no
  rm -f /etc/nginx/sites-enabled/default
  # One a cut-off run left: the reload below makes it again if it needs it.
  rm -f "$CLOSE_FLAG"
  if running_site_closes_on_flag; then closes_on_flag=yes; fi
  prepare_access_log
  write_instance_header
  install_staged_config
  local live applied=""
  live="$(live_config_hash)"
  if [[ -f "$NGINX_APPLIED" ]]; then applied="$(cat "$NGINX_APPLIED")"; fi
  if ! nginx_running; then
    systemctl restart nginx
    log "started nginx"
  elif [[ -z "$applied" ]]; then
    # Not yet serving our site, so the load balancer sends it nothing: no drain needed.
    nginx -s reload
    log "nginx loaded the configuration"
  elif [[ "$live" != "$applied" ]]; then
    reload_changed_config "$closes_on_flag"
  elif [[ "$(drain_owner)" == apply-config ]]; then
    log "nginx already runs this configuration; an interrupted run left the host drained"
    put_back_in_service
  else
    log "nginx already runs this configuration"
  fi
  mkdir -p "$(dirname "$NGINX_APPLIED")"
  echo "$live" >"$NGINX_APPLIED"
}

main() {
  read_inputs DB_TLS_CA_URL
  fetch_db_ca
  share_operator_commands
  enable_systemd_units
  # Before nginx loads a site that proxies to the live port, the port must lead to the running colour.
  "$DEPLOY_COMMAND" --point-live
  apply_nginx_config
  log "done"
}

main "$@"
