#!/usr/bin/env bash
# Installs this host's configuration: the app's env file, its compose file, nginx's main
# configuration and the ha-web site, and the operator commands (ha-web-deploy, ha-web-drain,
# ha-web-undrain; a copy under {{sharedScriptsDir}}).
# Only files whose content changed are written. stdin (secret): DB_HOST, DB_PORT, DB_NAME, DB_USER,
# DB_PASSWORD. When the database requires TLS, also fetches its CA bundle from DB_TLS_CA_URL.
set -euo pipefail

readonly ETC_DIR="{{etcDir}}"
readonly ENV_FILE="{{envFile}}"
readonly DB_CA_FILE="{{dbCaFile}}"
# Empty: the database takes plain connections (the local stand-in). Not secret: a public CA bundle.
readonly DB_TLS_CA_URL="{{dbTlsCaUrl}}"
readonly COMPOSE_FILE="{{composeFile}}"
readonly NGINX_SITE="{{nginxSite}}"
readonly NGINX_MAIN_CONFIG="{{nginxMainConfig}}"
readonly NGINX_PID_FILE="{{nginxPidFile}}"
readonly NGINX_ACCESS_LOG="{{nginxAccessLog}}"
readonly DEPLOY_COMMAND="{{deployCommand}}"
readonly DRAIN_COMMAND="{{drainCommand}}"
readonly UNDRAIN_COMMAND="{{undrainCommand}}"
readonly SHARED_SCRIPTS_DIR="{{sharedScriptsDir}}"
readonly DRAIN_FLAG="{{drainFlag}}"
# healthy threshold x interval + timeout: how long the load balancer takes to send traffic again.
readonly REJOIN_SECONDS="{{rejoinSeconds}}"

# ha-web:include lib/read-inputs.sh

log() { echo "write-config: $*"; }

has_systemd() { [[ -d /run/systemd/system ]]; }

# Writes stdin to PATH with MODE unless PATH already has that content; sets CHANGED accordingly.
# The temporary file sits beside the target (dot-named, so nginx's include glob skips it) and is
# renamed over it: a reader never sees half a file.
install_content() {
  local path="$1" mode="$2" tmp
  tmp="$(mktemp "$(dirname "$path")/.$(basename "$path").XXXXXX")"
  cat >"$tmp"
  chmod "$mode" "$tmp"
  if cmp --silent "$tmp" "$path"; then
    rm -f "$tmp"
    CHANGED=false
  else
    mv "$tmp" "$path"
    CHANGED=true
    log "updated ${path}"
  fi
}

# The CA the app and create-app-db verify the database's certificate with.
fetch_db_ca() {
  local pem
  if ! pem="$(curl --fail --silent --show-error --retry 5 --retry-connrefused "$DB_TLS_CA_URL")" ||
    [[ "$pem" != *"BEGIN CERTIFICATE"* ]]; then
    echo "write-config: could not fetch the database CA bundle from ${DB_TLS_CA_URL}; check this host's outbound HTTPS, then re-run" >&2
    exit 1
  fi
  install_content "$DB_CA_FILE" 0644 <<<"$pem"
}

write_env_file() {
  install -d -m 0700 "$ETC_DIR"
  local tls_line=""
  if [[ -n "$DB_TLS_CA_URL" ]]; then
    fetch_db_ca
    # Env files take one line per value: the bundle goes base64-encoded.
    tls_line="DB_TLS_CA_BASE64=$(base64 --wrap=0 "$DB_CA_FILE")"
  fi
  # printf is a builtin: the password never appears in a process's argv.
  install_content "$ENV_FILE" 0600 < <(
    printf 'DB_HOST=%s\nDB_PORT=%s\nDB_NAME=%s\nDB_USER=%s\nDB_PASSWORD=%s\n' \
      "$DB_HOST" "$DB_PORT" "$DB_NAME" "$DB_USER" "$DB_PASSWORD"
    if [[ -n "$tls_line" ]]; then printf '%s\n' "$tls_line"; fi
  )
}

write_app_files() {
  install_content "$COMPOSE_FILE" 0644 <<'HA_WEB_END_OF_FILE'
{{composeContent}}
HA_WEB_END_OF_FILE
  install_content "$DEPLOY_COMMAND" 0755 <<'HA_WEB_END_OF_FILE'
{{deployContent}}
HA_WEB_END_OF_FILE
  install_content "$DRAIN_COMMAND" 0755 <<'HA_WEB_END_OF_FILE'
{{drainContent}}
HA_WEB_END_OF_FILE
  install_content "$UNDRAIN_COMMAND" 0755 <<'HA_WEB_END_OF_FILE'
{{undrainContent}}
HA_WEB_END_OF_FILE
  mkdir -p "$SHARED_SCRIPTS_DIR"
  cp "$DEPLOY_COMMAND" "$DRAIN_COMMAND" "$UNDRAIN_COMMAND" "$COMPOSE_FILE" "$SHARED_SCRIPTS_DIR/"
}

nginx_running() {
  [[ -s "$NGINX_PID_FILE" ]] && kill -0 "$(cat "$NGINX_PID_FILE")" 2>/dev/null
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

# A reload closes idle keep-alive client connections (nginx 1.22), and the load balancer turns a
# request racing that close into a 502. So a host in service is drained first (hosts run this step
# one after another, so only one is ever out) and put back once the load balancer sends traffic again.
reload_nginx_out_of_rotation() {
  if [[ -f "$DRAIN_FLAG" ]]; then
    nginx -s reload
    log "host is drained by an operator: reloaded nginx and left it drained"
    return
  fi
  "$DRAIN_COMMAND"
  nginx -s reload
  "$UNDRAIN_COMMAND"
  sleep "$REJOIN_SECONDS"
  log "nginx reloaded out of rotation; the host is back"
}

# Reloads nginx only when its configuration changed, out of rotation when the host already served traffic.
apply_nginx_config() {
  rm -f /etc/nginx/sites-enabled/default
  prepare_access_log
  local in_service=false changed=false
  if [[ -f "$NGINX_SITE" ]] && nginx_running; then in_service=true; fi
  # The previous main configuration, to put back if nginx rejects the new one.
  local previous_main=""
  if [[ -f "$NGINX_MAIN_CONFIG" ]]; then previous_main="$(cat "$NGINX_MAIN_CONFIG")"; fi
  install_content "$NGINX_MAIN_CONFIG" 0644 <<'HA_WEB_END_OF_FILE'
{{nginxMainConfigContent}}
HA_WEB_END_OF_FILE
  if [[ "$CHANGED" == true ]]; then changed=true; fi
  install_content "$NGINX_SITE" 0644 <<'HA_WEB_END_OF_FILE'
{{nginxSiteContent}}
HA_WEB_END_OF_FILE
  if [[ "$CHANGED" == true ]]; then changed=true; fi
  if ! nginx -t -q; then
    # The site is removed, so the next run sees a change and tries again; the running nginx keeps its old config.
    if [[ -n "$previous_main" ]]; then printf '%s\n' "$previous_main" >"$NGINX_MAIN_CONFIG"; fi
    rm -f "$NGINX_SITE"
    echo "write-config: nginx rejected the new configuration (see above); nginx still runs its previous config. Fix files/nginx.conf or files/nginx-site.conf and re-run." >&2
    exit 1
  fi
  if [[ "$changed" == true && "$in_service" == true ]]; then
    reload_nginx_out_of_rotation
  elif has_systemd; then
    if [[ "$changed" == true ]]; then systemctl reload-or-restart nginx; else systemctl start nginx; fi
  elif ! nginx_running; then
    nginx
    log "started nginx"
  elif [[ "$changed" == true ]]; then
    nginx -s reload
  fi
  if [[ "$changed" == true ]]; then log "nginx reloaded with the new configuration"; fi
}

main() {
  if [[ "$(id -u)" -ne 0 ]]; then
    echo "write-config: must run as root" >&2
    exit 1
  fi
  read_inputs DB_HOST DB_PORT DB_NAME DB_USER DB_PASSWORD
  write_env_file
  write_app_files
  apply_nginx_config
  log "done"
}

main "$@"
