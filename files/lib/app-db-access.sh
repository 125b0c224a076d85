# The app database's logins, shared by create-app-db and discard-old-db-password: the step's stdin
# values (DB_HOST, DB_PORT, DB_ADMIN_USER, DB_ADMIN_PASSWORD, DB_NAME, DB_USER, DB_PASSWORD) checked,
# each login in a 0600 option file in a private temporary directory (removed on exit), SQL run over
# verified TLS with the host's own `mariadb` client. The including script sets STEP (its name, for
# messages). Secrets never go into argv, the environment or the log.

# Written by apply-config (it fetches the CA bundle the database's certificate chains to).
readonly DB_CA_FILE="{{dbCaFile}}"
readonly CONNECT_TIMEOUT_SECONDS=10
# A MySQL user name has at most 32 characters, a database name 64.
readonly USER_PATTERN='^[A-Za-z0-9_]{1,32}$'
readonly DATABASE_PATTERN='^[A-Za-z0-9_]{1,64}$'
readonly HOST_PATTERN='^[A-Za-z0-9.-]{1,253}$'

fail() {
  echo "${STEP}: $*" >&2
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
    printf '%s: invalid input on stdin:\n' "$STEP" >&2
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

# Reads and checks the inputs, then writes both logins: ADMIN_LOGIN, APP_LOGIN and ACCOUNT (the
# app user as SQL names it) are set for the rest of the script.
open_logins() {
  read_inputs DB_HOST DB_PORT DB_ADMIN_USER DB_ADMIN_PASSWORD DB_NAME DB_USER DB_PASSWORD
  check_inputs
  if [[ ! -s "$DB_CA_FILE" ]]; then
    fail "${DB_CA_FILE} is missing: run the apply-config step first (it fetches the database's CA)"
  fi
  WORK_DIR="$(mktemp -d -t "ha-web-${STEP}.XXXXXX")"
  # The option files go on any exit; a signal first becomes an exit, so that the EXIT trap runs.
  trap 'rm -rf "$WORK_DIR"' EXIT
  trap 'exit 1' INT TERM HUP
  readonly WORK_DIR ADMIN_LOGIN="${WORK_DIR}/admin.cnf" APP_LOGIN="${WORK_DIR}/app.cnf"
  write_login "$ADMIN_LOGIN" DB_ADMIN_USER DB_ADMIN_PASSWORD
  write_login "$APP_LOGIN" DB_USER DB_PASSWORD
  # Backticks quote names in an account without any ' of SQL strings (the names are checked above).
  readonly ACCOUNT="\`${DB_USER}\`@\`%\`"
}

# How this server keeps a second password for an account while clients move to the new one, from
# what the server is (its VERSION()), not from where it runs:
# | server            | prints      | how                                                                  |
# |-------------------|-------------|----------------------------------------------------------------------|
# | MySQL >= 8.0.14   | retain      | ALTER USER ... RETAIN CURRENT PASSWORD; DISCARD OLD PASSWORD later   |
# |                   |             | (https://dev.mysql.com/doc/refman/8.4/en/password-management.html)   |
# | MariaDB >= 10.4   | alternative | IDENTIFIED VIA mysql_native_password USING PASSWORD(new) OR <current> |
# |                   |             | (https://mariadb.com/kb/en/alter-user/#identified-viawith-auth_plugin)|
# | anything older    | (fails)     | no way to change the password without refusing running clients       |
dual_password_method() {
  local version major minor patch
  version="$(admin_sql "SELECT VERSION();")"
  [[ "$version" =~ ^([0-9]+)\.([0-9]+)\.([0-9]+) ]] || fail "the database reports version \"${version}\", which is not MAJOR.MINOR.PATCH"
  major="${BASH_REMATCH[1]}" minor="${BASH_REMATCH[2]}" patch="${BASH_REMATCH[3]}"
  if [[ "$version" == *MariaDB* ]]; then
    if ((major > 10 || (major == 10 && minor >= 4))); then
      echo alternative
      return
    fi
  elif ((major > 8 || (major == 8 && (minor > 0 || patch >= 14)))); then
    echo retain
    return
  fi
  fail "the database (${version}) cannot hold two passwords for ${DB_USER} (MySQL 8.0.14+ or MariaDB 10.4+ can), so changing it would refuse every running app's new connections; upgrade the server first"
}
