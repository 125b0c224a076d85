#!/usr/bin/env bash
# Applies the configuration the host-config file set placed: fetches the database's CA bundle (the
# app verifies the server with it), copies the operator commands to {{sharedScriptsDir}}, and puts a
# changed nginx site into service. Runs host after host, so only one host is ever drained.
# stdin: DB_TLS_CA_URL=<https:// or file:// URL of the database server's CA bundle>.
set -euo pipefail

readonly DB_CA_FILE="{{dbCaFile}}"
readonly DB_TLS_ENV_FILE="{{dbTlsEnvFile}}"
readonly NGINX_SITE="{{nginxSite}}"
# The sha256 of the site nginx last loaded: a placed site that differs still has to be applied.
readonly NGINX_APPLIED="{{nginxApplied}}"
readonly DEPLOY_COMMAND="{{deployCommand}}"
readonly DRAIN_COMMAND="{{drainCommand}}"
readonly UNDRAIN_COMMAND="{{undrainCommand}}"
readonly COMPOSE_FILE="{{composeFile}}"
readonly SHARED_SCRIPTS_DIR="{{sharedScriptsDir}}"
readonly DRAIN_FLAG="{{drainFlag}}"
# healthy threshold x interval + timeout: how long the load balancer takes to send traffic again.
readonly REJOIN_SECONDS="{{rejoinSeconds}}"

# ha-web:include lib/read-inputs.sh

log() { echo "apply-config: $*"; }

has_systemd() { [[ -d /run/systemd/system ]]; }

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
  install_content "$DB_TLS_ENV_FILE" 0600 < <(printf 'DB_TLS_CA_BASE64=%s\n' "$(base64 --wrap=0 "$DB_CA_FILE")")
}

share_operator_commands() {
  mkdir -p "$SHARED_SCRIPTS_DIR"
  cp "$DEPLOY_COMMAND" "$DRAIN_COMMAND" "$UNDRAIN_COMMAND" "$COMPOSE_FILE" "$SHARED_SCRIPTS_DIR/"
}

nginx_running() {
  [[ -s /run/nginx.pid ]] && kill -0 "$(cat /run/nginx.pid)" 2>/dev/null
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

# Starts nginx, or reloads it (out of rotation once in service) when the placed site is not the one it runs.
apply_nginx_site() {
  rm -f /etc/nginx/sites-enabled/default
  local placed applied=""
  placed="$(sha256sum "$NGINX_SITE" | cut -d' ' -f1)"
  if [[ -f "$NGINX_APPLIED" ]]; then applied="$(cat "$NGINX_APPLIED")"; fi
  if ! nginx -t -q; then
    # Removed, so nginx can still start after a reboot; the running nginx keeps its old config.
    rm -f "$NGINX_SITE"
    echo "apply-config: nginx rejected the new site (see above); nginx still runs its previous config. Fix files/nginx-site.conf and re-run." >&2
    exit 1
  fi
  if ! nginx_running; then
    if has_systemd; then systemctl restart nginx; else nginx; fi
    log "started nginx"
  elif [[ -z "$applied" ]]; then
    # Not yet serving our site, so the load balancer sends it nothing: no drain needed.
    nginx -s reload
    log "nginx loaded the site"
  elif [[ "$placed" != "$applied" ]]; then
    reload_nginx_out_of_rotation
  else
    log "nginx already runs this site"
  fi
  mkdir -p "$(dirname "$NGINX_APPLIED")"
  echo "$placed" >"$NGINX_APPLIED"
}

main() {
  read_inputs DB_TLS_CA_URL
  fetch_db_ca
  share_operator_commands
  apply_nginx_site
  log "done"
}

main "$@"
