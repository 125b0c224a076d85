#!/usr/bin/env bash
# Starts MariaDB the way RDS presents MySQL: one admin user with every privilege, reachable over
# TCP (127.0.0.1 only, on DB_PORT), TLS required (RDS's require_secure_transport) with the mounted
# certificate. The admin password is read from a mounted 0600 file, never from the environment or
# the command line.
set -euo pipefail

readonly DATA_DIR=/var/lib/mysql
readonly PASSWORD_FILE=/run/secrets/db-admin-password
readonly INIT_FILE=/run/mysqld/admin-user.sql

if [[ ! -d "${DATA_DIR}/mysql" ]]; then
  echo "start-database: empty data directory, initialising"
  mariadb-install-db --user=mysql --datadir="$DATA_DIR" --skip-test-db >/dev/null
fi

mkdir -p /run/mysqld
chown mysql:mysql /run/mysqld
# Re-applied on every start so the admin user always matches the password file (idempotent).
password="$(cat "$PASSWORD_FILE")"
cat >"$INIT_FILE" <<SQL
CREATE USER IF NOT EXISTS '${DB_ADMIN_USER}'@'%' IDENTIFIED BY '${password}';
ALTER USER '${DB_ADMIN_USER}'@'%' IDENTIFIED BY '${password}';
GRANT ALL PRIVILEGES ON *.* TO '${DB_ADMIN_USER}'@'%' WITH GRANT OPTION;
SQL
chown mysql:mysql "$INIT_FILE"
chmod 0600 "$INIT_FILE"

# The mounted key belongs to root on this machine; mariadbd runs as mysql.
install -d -o mysql -g mysql -m 0700 /run/mysqld/tls
install -o mysql -g mysql -m 0600 /run/secrets/db-tls/{ca.pem,server.pem,server.key} /run/mysqld/tls/

exec mariadbd --user=mysql --datadir="$DATA_DIR" --bind-address=127.0.0.1 --port="$DB_PORT" \
  --skip-name-resolve --init-file="$INIT_FILE" \
  --ssl-ca=/run/mysqld/tls/ca.pem --ssl-cert=/run/mysqld/tls/server.pem --ssl-key=/run/mysqld/tls/server.key \
  --require-secure-transport=ON
