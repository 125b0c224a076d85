#!/usr/bin/env bash
# Creates the app's database and user, sets the user's password and grants it ALL on that database
# only, idempotently, with the host's own MySQL client (`mariadb`, Debian's mariadb-client, which
# bootstrap installs): nothing comes from the app image, so any app (Node, Python, Go) gets its database.
# stdin (secret): DB_HOST, DB_PORT, DB_ADMIN_USER, DB_ADMIN_PASSWORD, DB_NAME, DB_USER, DB_PASSWORD.
# Servers: RDS MySQL 8.4 on AWS, MariaDB 10.11 locally. Every connection is verified TLS.
#
# The app password in SQL goes as hex, on the client's stdin. The server decodes it and quotes it
# itself (QUOTE) into a statement it then prepares, so this script escapes no SQL. CREATE USER and
# ALTER USER are preparable on MySQL 8.4 ("SQL Syntax Permitted in Prepared Statements",
# https://dev.mysql.com/doc/refman/8.4/en/sql-prepared-statements.html) and on MariaDB since 10.6,
# where nearly every statement is (https://jira.mariadb.org/browse/CONJ-1274); GRANT carries no
# secret and runs as it is. Names are checked (letters, digits, _) before they reach SQL.
#
# | what                   | when missing    | when present                                               |
# |------------------------|-----------------|------------------------------------------------------------|
# | database DB_NAME       | CREATE DATABASE | nothing                                                    |
# | user DB_USER@%         | CREATE USER     | if DB_PASSWORD is refused (access denied) when logging in  |
# |                        |                 | as it: the new password added, the current one kept as the |
# |                        |                 | second (dual_password_method); otherwise nothing           |
# | ALL on DB_NAME.* only  | GRANT           | nothing                                                    |
# A changed password so never refuses a running app: its new connections still log in with the old
# one until its host has rolled out with the new one; discard-old-db-password then drops the old one,
# after every host's rollout. Nothing to do prints "no changes". The user is DB_USER@'%', as the app
# connects from any host. The server requires TLS of every account (RDS: require_secure_transport),
# so the user has no REQUIRE.
set -euo pipefail

# shellcheck disable=SC2034 # read by lib/app-db-access.sh, which rendering includes below
readonly STEP=create-app-db

# ha-web:include lib/read-inputs.sh
# ha-web:include lib/app-db-access.sh

# The statements that set the app user's password: the server turns the hex back into the password
# and quotes it into the statement it prepares. $1: `create` (a new user) or the dual_password_method
# of a password change, which keeps the current password as the second one.
set_password_sql() {
  printf '%s\n' "SET @password = CONVERT(UNHEX('${APP_PASSWORD_HEX}') USING utf8mb4);"
  case "$1" in
    create) printf '%s\n' "SET @set_password = CONCAT('CREATE USER IF NOT EXISTS ${ACCOUNT} IDENTIFIED BY ', QUOTE(@password));" ;;
    retain) printf '%s\n' "SET @set_password = CONCAT('ALTER USER ${ACCOUNT} IDENTIFIED BY ', QUOTE(@password), ' RETAIN CURRENT PASSWORD');" ;;
    # The new password first (a client with it logs in at the first try), then the current primary
    # one by its stored hash; an older second password, if any, goes, as MySQL's RETAIN does.
    alternative) printf '%s\n' \
      "SET @current = (SELECT JSON_VALUE(Priv, '$.authentication_string') FROM mysql.global_priv WHERE User = '${DB_USER}' AND Host = '%');" \
      "SET @set_password = CONCAT('ALTER USER ${ACCOUNT} IDENTIFIED VIA mysql_native_password USING PASSWORD(', QUOTE(@password), ') OR mysql_native_password USING ', QUOTE(@current));" ;;
  esac
  printf '%s\n' "PREPARE set_password FROM @set_password;" "EXECUTE set_password;" "DEALLOCATE PREPARE set_password;"
}

# MariaDB keeps the password as the hash of its mysql_native_password plugin; another plugin's
# hash cannot be kept beside a new password by this script.
require_native_password_plugin() {
  local plugin
  plugin="$(admin_sql "SELECT JSON_VALUE(Priv, '$.plugin') FROM mysql.global_priv WHERE User = '${DB_USER}' AND Host = '%';")"
  [[ "$plugin" == mysql_native_password ]] ||
    fail "${DB_USER}@% authenticates with ${plugin:-no plugin}, not mysql_native_password, so its current password cannot be kept during the change; set it back with ALTER USER ... IDENTIFIED BY, then re-run"
}

main() {
  open_logins
  APP_PASSWORD_HEX="$(hex_of "$DB_PASSWORD")"
  readonly APP_PASSWORD_HEX
  # In GRANT, _ in a database name is a wildcard (app_db would also cover appXdb); escaped, it is not.
  local grant_target="\`${DB_NAME//_/\\_}\`.*"
  echo "create-app-db: ensuring database ${DB_NAME} and user ${DB_USER} on ${DB_HOST}:${DB_PORT} (verified TLS)"

  local state database_exists user_exists
  state="$(admin_sql "SELECT
    (SELECT COUNT(*) FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = '${DB_NAME}'),
    (SELECT COUNT(*) FROM mysql.user WHERE User = '${DB_USER}' AND Host = '%');")"
  read -r database_exists user_exists <<<"$state"

  local changes="" reports=() grants="" granted=no method
  if ((database_exists == 0)); then
    changes+="CREATE DATABASE IF NOT EXISTS \`${DB_NAME}\`;"$'\n'
    reports+=("database ${DB_NAME}: created")
  else
    reports+=("database ${DB_NAME}: already existed")
  fi
  if ((user_exists == 0)); then
    changes+="$(set_password_sql create)"$'\n'
    reports+=("user ${DB_USER}@%: created")
  elif app_password_works; then
    reports+=("user ${DB_USER}@%: already existed, password unchanged")
  else
    method="$(dual_password_method)"
    if [[ "$method" == alternative ]]; then require_native_password_plugin; fi
    changes+="$(set_password_sql "$method")"$'\n'
    reports+=("user ${DB_USER}@%: already existed, new password added, the current one kept until discard-old-db-password (${method})")
  fi
  if ((user_exists == 1)); then
    grants="$(admin_sql "SHOW GRANTS FOR ${ACCOUNT};")"
    local grant
    while IFS= read -r grant; do
      if [[ "$grant" == "GRANT ALL PRIVILEGES ON ${grant_target} TO "* ]]; then granted=yes; fi
    done <<<"$grants"
  fi
  if [[ "$granted" == yes ]]; then
    reports+=("privileges on ${DB_NAME}.*: already granted to ${DB_USER}")
  else
    changes+="GRANT ALL PRIVILEGES ON ${grant_target} TO ${ACCOUNT};"$'\n'
    reports+=("privileges on ${DB_NAME}.*: granted to ${DB_USER}")
  fi

  if [[ -n "$changes" ]]; then
    # QUOTE() escapes with backslashes, which the sql_mode NO_BACKSLASH_ESCAPES would read as text.
    # The password's statements are not instrumented: the Performance Schema keeps every statement's
    # text (events_statements_*, prepared_statements_instances) where any account allowed to read it
    # would find the password (MySQL rewrites passwords for its logs only). With the Performance
    # Schema off (RDS's default without Performance Insights) the update changes no row.
    admin_sql "SET SESSION sql_mode = '';"$'\n'"UPDATE performance_schema.threads SET INSTRUMENTED = 'NO' WHERE PROCESSLIST_ID = CONNECTION_ID();"$'\n'"${changes}" >/dev/null
  fi
  printf '%s\n' "${reports[@]}"
  if [[ -n "$changes" ]]; then echo "create-app-db: done, changes made"; else echo "create-app-db: done, no changes"; fi
}

main "$@"
