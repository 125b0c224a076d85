#!/usr/bin/env bash
# Starts one server of the Multi-AZ stand-in the way RDS presents MySQL: one admin user with every
# privilege, reachable over TCP (DB_ADDRESS only, a loopback address, on DB_PORT and, for the standby,
# DB_REPLICATION_PORT), TLS required (RDS's
# require_secure_transport) with the mounted certificate. The admin password is read from a mounted
# 0600 file, never from the environment or the command line.
#
# Replication as RDS Multi-AZ promises it: a commit is acknowledged only once the standby has it
# (semi-synchronous, AFTER_SYNC), and the primary never falls back to asynchronous replication on its
# own: it waits for the standby up to rpl_semi_sync_master_timeout (a day), and a fallback would show in
# Rpl_semi_sync_master_status / Rpl_semi_sync_master_no_tx, which the drills check.
# The server's role (primary or standby) is kept in its data directory, so a restart keeps it; a new,
# empty server starts as a read-only standby until the stack promotes it (local/stack/databasePair.ts).
set -euo pipefail

readonly DATA_DIR=/var/lib/mysql
readonly ROLE_FILE="${DATA_DIR}/ha-web-role"
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
# Not binlogged: each server runs it itself, so it must not reach the other as a transaction.
cat >"$INIT_FILE" <<SQL
SET sql_log_bin = 0;
CREATE USER IF NOT EXISTS '${DB_ADMIN_USER}'@'%' IDENTIFIED BY '${password}';
ALTER USER '${DB_ADMIN_USER}'@'%' IDENTIFIED BY '${password}';
GRANT ALL PRIVILEGES ON *.* TO '${DB_ADMIN_USER}'@'%' WITH GRANT OPTION;
SQL
chown mysql:mysql "$INIT_FILE"
chmod 0600 "$INIT_FILE"

# The mounted key belongs to root on this machine; mariadbd runs as mysql.
install -d -o mysql -g mysql -m 0700 /run/mysqld/tls
install -o mysql -g mysql -m 0600 /run/secrets/db-tls/{ca.pem,server.pem,server.key} /run/mysqld/tls/

role="$(cat "$ROLE_FILE" 2>/dev/null || echo standby)"
case "$role" in
  primary) role_options=(--read-only=OFF --rpl-semi-sync-master-enabled=ON --rpl-semi-sync-slave-enabled=OFF) ;;
  standby) role_options=(--read-only=ON --rpl-semi-sync-master-enabled=OFF --rpl-semi-sync-slave-enabled=ON) ;;
  *) echo "start-database: ${ROLE_FILE} says \"${role}\", expected primary or standby; fix or remove the file" >&2; exit 1 ;;
esac
echo "start-database: server ${DB_SERVER_ID} on ${DB_ADDRESS}:${DB_PORT} as ${role}"

# The replication link, on its own port (DB_REPLICATION_PORT, MariaDB's extra_port): heartbeats every
# second and a dead link noticed within 5 s (slave_net_timeout), so a standby reconnects within seconds.
exec mariadbd --user=mysql --datadir="$DATA_DIR" --bind-address="$DB_ADDRESS" --port="$DB_PORT" \
  --extra-port="$DB_REPLICATION_PORT" --extra-max-connections=10 \
  --skip-name-resolve --init-file="$INIT_FILE" \
  --server-id="$DB_SERVER_ID" --log-bin=mysql-bin --log-slave-updates=ON --binlog-format=ROW --gtid-strict-mode=ON \
  --rpl-semi-sync-master-wait-point=AFTER_SYNC --rpl-semi-sync-master-timeout=86400000 --rpl-semi-sync-master-wait-no-slave=ON \
  --slave-net-timeout=5 "${role_options[@]}" \
  --ssl-ca=/run/mysqld/tls/ca.pem --ssl-cert=/run/mysqld/tls/server.pem --ssl-key=/run/mysqld/tls/server.key \
  --require-secure-transport=ON
