#!/usr/bin/env bash
# Creates the app's database and user, sets the user's password and grants it that database only,
# idempotently, with the create-app-db tool shipped in the app image (mysql2's escaping).
# stdin (secret): DB_HOST, DB_PORT, DB_ADMIN_USER, DB_ADMIN_PASSWORD, DB_NAME, DB_USER, DB_PASSWORD.
# Passwords go from stdin to the tool's stdin as JSON: never in argv or the environment.
# The image is the one build-image recorded: not an input, so a new release does not re-run this step.
set -euo pipefail

readonly CURRENT_IMAGE_FILE="{{currentImageFile}}"
# Present when the database requires TLS (apply-config fetched it): the tool then verifies the server.
readonly DB_CA_FILE="{{dbCaFile}}"

# ha-web:include lib/read-inputs.sh

# printf is a shell builtin and jq reads the values on stdin, so no password shows up in `ps`.
request_json() {
  local ca=""
  if [[ -f "$DB_CA_FILE" ]]; then ca="$(cat "$DB_CA_FILE")"; fi
  printf '%s\n' "$DB_HOST" "$DB_PORT" "$DB_ADMIN_USER" "$DB_ADMIN_PASSWORD" "$DB_NAME" "$DB_USER" "$DB_PASSWORD" |
    jq --raw-input --null-input --compact-output --arg ca "$ca" '[inputs] | {
      host: .[0], port: (.[1] | tonumber), adminUser: .[2], adminPassword: .[3],
      database: .[4], user: .[5], password: .[6], tlsCa: $ca
    }'
}

main() {
  read_inputs DB_HOST DB_PORT DB_ADMIN_USER DB_ADMIN_PASSWORD DB_NAME DB_USER DB_PASSWORD
  if [[ ! "$DB_PORT" =~ ^[0-9]+$ ]]; then
    echo "create-app-db: DB_PORT must be a number" >&2
    exit 2
  fi
  if [[ ! -s "$CURRENT_IMAGE_FILE" ]]; then
    echo "create-app-db: ${CURRENT_IMAGE_FILE} is missing: run the build-image step first" >&2
    exit 1
  fi
  local APP_IMAGE
  APP_IMAGE="$(cat "$CURRENT_IMAGE_FILE")"
  echo "create-app-db: ensuring database ${DB_NAME} and user ${DB_USER} on ${DB_HOST}:${DB_PORT}"
  if ! request_json | docker run --rm --interactive --network host "$APP_IMAGE" node dist/tools/create-app-db.js; then
    echo "create-app-db: failed (see above); check the database endpoint, the admin credentials and that ${APP_IMAGE} is on this host, then re-run" >&2
    exit 1
  fi
  echo "create-app-db: done"
}

main "$@"
