#!/usr/bin/env bash
# Creates the app's database and user, sets the user's password and grants it ALL on that database
# only, idempotently, with the host's own MySQL client (`mariadb`, Debian's mariadb-client, which
# bootstrap installs): nothing comes from the app image, so any app (Node, Python, Go) gets its database.
# stdin (secret): DB_HOST, DB_PORT, DB_ADMIN_USER, DB_ADMIN_PASSWORD, DB_NAME, DB_USER, DB_PASSWORD.
# Servers: RDS MySQL 8.4 on AWS, MariaDB 10.11 locally. Every connection is verified TLS.
#
# Where the secrets go, never into argv, the environment or the log:
# - each login (admin, and the app user to test its password): a 0600 option file in a private
#   temporary directory, removed on exit;
# - the app password in SQL: hex, on the client's stdin. The server decodes it and quotes it itself
#   (QUOTE) into a statement it then prepares, so this script escapes no SQL. CREATE USER and ALTER
#   USER are preparable on MySQL 8.4 ("SQL Syntax Permitted in Prepared Statements",
#   https://dev.mysql.com/doc/refman/8.4/en/sql-prepared-statements.html) and on MariaDB since 10.6,
#   where nearly every statement is (https://jira.mariadb.org/browse/CONJ-1274); GRANT carries no
#   secret and runs as it is. Names are checked below (letters, digits, _) before they reach SQL.
#
# | what                   | when missing    | when present                                               |
# |------------------------|-----------------|------------------------------------------------------------|
# | database DB_NAME       | CREATE DATABASE | nothing                                                    |
# | user DB_USER@%         | CREATE USER     | ALTER USER ... IDENTIFIED BY if DB_PASSWORD is refused     |
# |                        |                 | (access denied) when logging in as it; otherwise nothing   |
# | ALL on DB_NAME.* only  | GRANT           | nothing                                                    |
# Nothing to do prints "no changes". The user is DB_USER@'%', as the app connects from any host. The
# server requires TLS of every account (RDS: require_secure_transport), so the user has no REQUIRE.
set -euo pipefail

# Written by apply-config (it fetches the CA bundle the database's certificate chains to).
readonly DB_CA_FILE="{{dbCaFile}}"
readonly CONNECT_TIMEOUT_SECONDS=10
# A MySQL user name has at most 32 characters, a database name 64.
readonly USER_PATTERN='^[A-Za-z0-9_]{1,32}$'
readonly DATABASE_PATTERN='^[A-Za-z0-9_]{1,64}$'
readonly HOST_PATTERN='^[A-Za-z0-9.-]{1,253}$'

# ha-web:include lib/read-inputs.sh

fail() {
  echo "create-app-db: $*" >&2
  exit 1
}

# Every problem at once, naming the input and never a password's value.
check_inputs() {
  local problems=() name
  [[ "$DB_HOST" =~ $HOST_PATTERN ]] || problems+=("DB_HOST must be a host name (got \"${DB_HOST}\")")
  [[ "$DB_PORT" =~ ^[0-9]{1,5}$ ]] && ((10#$DB_PORT >= 1 && 10#$DB_PORT <= 65535)) ||
    problems+=("DB_PORT must be a port number 1-65535 (got \"${DB_PORT}\")")
  [[ "$DB_NAME" =~ $DATABASE_PATTERN ]] || problems+=("DB_NAME must be 1-64 letters, digits or _ (got \"${DB_NAME}\")")
  [[ "$DB_USER" =~ $USER_PATTERN ]] || problems+=("DB_USER must be 1-32 letters, digits or _ (got \"${DB_USER}\")")
  for name in DB_ADMIN_USER DB_ADMIN_PASSWORD DB_PASSWORD; do
    [[ -n "${!name}" ]] || problems+=("${name} must not be empty")
  done
  if ((${#problems[@]} > 0)); then
    printf 'create-app-db: invalid input on stdin:\n' >&2
    printf ' - %s\n' "${problems[@]}" >&2
    exit 2
  fi
}

# An option file value: in double quotes, with \\ for a backslash and \" for a quote. The client
# reads these files with MariaDB's mysys/my_default.c: it trims spaces outside the quotes, ends a value
# at a # outside quotes, strips one pair of quotes and decodes \\ \" \' \n \t \r \b \s (see
# https://mariadb.com/kb/en/configuring-mariadb-with-option-files/). A value is one line: a newline
# cannot come from a NAME=value stdin line either, but say so rather than write a broken file.
option_value() {
  local name="$1" value="$2"
  if [[ "$value" == *$'\n'* ]]; then
    fail "${name} contains a newline, which a MySQL option file cannot hold; choose a value without one"
  fi
  value="${value//\\/\\\\}"
  printf '"%s"' "${value//\"/\\\"}"
}

# Writes a [client] option file for one login; 0600 from the start (umask), in the private directory.
write_login() {
  local file="$1" user_name="$2" password_name="$3" user password
  user="$(option_value "$user_name" "${!user_name}")"
  password="$(option_value "$password_name" "${!password_name}")"
  (umask 077 && printf '[client]\nuser=%s\npassword=%s\n' "$user" "$password" >"$file")
}

# Runs SQL as the login in option file $1 over verified TLS and prints the rows (tab-separated,
# unescaped). The SQL goes on the client's stdin from the printf builtin. --defaults-file, not
# --defaults-extra-file: the client reads ~/.my.cnf after an extra file, so a root ~/.my.cnf on the
# host would replace this login. --protocol=TCP: to the client, "localhost" (the local stack's
# database name) otherwise means its Unix socket. On failure, the client's message is in SQL_ERROR.
SQL_ERROR=""
sql_as() {
  local login="$1" sql="$2" rows
  if rows="$(printf '%s\n' "$sql" |
    mariadb --defaults-file="$login" --protocol=TCP --host="$DB_HOST" --port="$DB_PORT" \
      --ssl-ca="$DB_CA_FILE" --ssl-verify-server-cert --connect-timeout="$CONNECT_TIMEOUT_SECONDS" \
      --default-character-set=utf8mb4 --batch --raw --skip-column-names 2>"${WORK_DIR}/error")"; then
    printf '%s' "$rows"
    return 0
  fi
  SQL_ERROR="$(cat "${WORK_DIR}/error")"
  return 1
}

admin_sql() {
  if sql_as "$ADMIN_LOGIN" "$1"; then return 0; fi
  local what_to_do="check the endpoint, the admin credentials and the CA in ${DB_CA_FILE}, then re-run"
  case "$SQL_ERROR" in
    "ERROR 1045 "*) what_to_do="the admin credentials (DB_ADMIN_USER, DB_ADMIN_PASSWORD) are wrong: fix them, then re-run" ;;
    "ERROR 2026 "*) what_to_do="the server's TLS certificate must name ${DB_HOST} and chain to the CA in ${DB_CA_FILE}; is ${DB_HOST} the database?" ;;
  esac
  fail "the database at ${DB_HOST}:${DB_PORT} refused the admin login or a statement: ${SQL_ERROR}
${what_to_do}"
}

# True when DB_USER logs in with DB_PASSWORD: the one password check that works on both servers
# (MySQL 8.4 salts its hashes). Access denied (1045) means a different password; any other failure
# (TLS, network) stops the step rather than rewrite a password that may be right.
app_password_works() {
  if sql_as "$APP_LOGIN" "SELECT 1;" >/dev/null; then return 0; fi
  [[ "$SQL_ERROR" == "ERROR 1045 "* ]] && return 1
  fail "could not log in as ${DB_USER} to check its password: ${SQL_ERROR}"
}

# Hex of the value's bytes (od reads a pipe from the printf builtin: no argv holds the value).
hex_of() {
  printf '%s' "$1" | od -An -v -tx1 | tr -d ' \n'
}

# The statements that set the app user's password, as `CREATE USER` or `ALTER USER` ($1): the server
# turns the hex back into the password and quotes it into the statement it prepares.
set_password_sql() {
  printf '%s\n' "SET @password = CONVERT(UNHEX('${APP_PASSWORD_HEX}') USING utf8mb4);" \
    "SET @set_password = CONCAT('$1 ${ACCOUNT} IDENTIFIED BY ', QUOTE(@password));" \
    "PREPARE set_password FROM @set_password;" "EXECUTE set_password;" "DEALLOCATE PREPARE set_password;"
}

main() {
  read_inputs DB_HOST DB_PORT DB_ADMIN_USER DB_ADMIN_PASSWORD DB_NAME DB_USER DB_PASSWORD
  check_inputs
  if [[ ! -s "$DB_CA_FILE" ]]; then
    fail "${DB_CA_FILE} is missing: run the apply-config step first (it fetches the database's CA)"
  fi
  WORK_DIR="$(mktemp -d -t ha-web-create-app-db.XXXXXX)"
  # The option files go on any exit; a signal first becomes an exit, so that the EXIT trap runs.
  trap 'rm -rf "$WORK_DIR"' EXIT
  trap 'exit 1' INT TERM HUP
  APP_PASSWORD_HEX="$(hex_of "$DB_PASSWORD")"
  readonly WORK_DIR APP_PASSWORD_HEX ADMIN_LOGIN="${WORK_DIR}/admin.cnf" APP_LOGIN="${WORK_DIR}/app.cnf"
  write_login "$ADMIN_LOGIN" DB_ADMIN_USER DB_ADMIN_PASSWORD
  write_login "$APP_LOGIN" DB_USER DB_PASSWORD
  # Backticks quote names in an account without any ' of SQL strings (the names are checked above).
  readonly ACCOUNT="\`${DB_USER}\`@\`%\`"
  # In GRANT, _ in a database name is a wildcard (app_db would also cover appXdb); escaped, it is not.
  local grant_target="\`${DB_NAME//_/\\_}\`.*"
  echo "create-app-db: ensuring database ${DB_NAME} and user ${DB_USER} on ${DB_HOST}:${DB_PORT} (verified TLS)"

  local state database_exists user_exists
  state="$(admin_sql "SELECT
    (SELECT COUNT(*) FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = '${DB_NAME}'),
    (SELECT COUNT(*) FROM mysql.user WHERE User = '${DB_USER}' AND Host = '%');")"
  read -r database_exists user_exists <<<"$state"

  local changes="" reports=() grants="" granted=no
  if ((database_exists == 0)); then
    changes+="CREATE DATABASE IF NOT EXISTS \`${DB_NAME}\`;"$'\n'
    reports+=("database ${DB_NAME}: created")
  else
    reports+=("database ${DB_NAME}: already existed")
  fi
  if ((user_exists == 0)); then
    changes+="$(set_password_sql "CREATE USER IF NOT EXISTS")"$'\n'
    reports+=("user ${DB_USER}@%: created")
  elif app_password_works; then
    reports+=("user ${DB_USER}@%: already existed, password unchanged")
  else
    changes+="$(set_password_sql "ALTER USER")"$'\n'
    reports+=("user ${DB_USER}@%: already existed, password updated")
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
    admin_sql "SET SESSION sql_mode = '';"$'\n'"${changes}" >/dev/null
  fi
  printf '%s\n' "${reports[@]}"
  if [[ -n "$changes" ]]; then echo "create-app-db: done, changes made"; else echo "create-app-db: done, no changes"; fi
}

main "$@"
