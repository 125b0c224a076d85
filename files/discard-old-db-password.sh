#!/usr/bin/env bash
# Drops the app user's second (old) password once every host runs with the new one: create-app-db
# kept it beside the new password so that running apps could still open connections while hosts
# rolled out one by one (dual_password_method). Runs on the first host after every host's rollout.
# stdin (secret): the same values as create-app-db.
#
# | server  | old password held as                    | dropped with                                  |
# |---------|-----------------------------------------|-----------------------------------------------|
# | MySQL   | mysql.user User_attributes              | ALTER USER ... DISCARD OLD PASSWORD           |
# |         | $.additional_password                   |                                               |
# | MariaDB | mysql.global_priv Priv $.auth_or: a     | ALTER USER ... IDENTIFIED VIA                 |
# |         | second authentication alternative       | mysql_native_password USING <the first hash>  |
# Refuses to drop anything while DB_PASSWORD itself does not log in: that would be the one in use.
set -euo pipefail

# shellcheck disable=SC2034 # read by lib/app-db-access.sh, which rendering includes below
readonly STEP=discard-old-db-password

# ha-web:include lib/read-inputs.sh
# ha-web:include lib/app-db-access.sh

# "1" when the app user has a second password, "0" when not; the SQL that drops it after a tab.
old_password_state() {
  case "$(dual_password_method)" in
    retain) admin_sql "SELECT IFNULL(JSON_CONTAINS_PATH(User_attributes, 'one', '$.additional_password'), 0),
      'ALTER USER ${ACCOUNT} DISCARD OLD PASSWORD;' FROM mysql.user WHERE User = '${DB_USER}' AND Host = '%';" ;;
    # The first alternative is the one create-app-db put first: the new password.
    alternative) admin_sql "SELECT IFNULL(JSON_LENGTH(Priv, '$.auth_or'), 0) > 1,
      CONCAT('ALTER USER ${ACCOUNT} IDENTIFIED VIA mysql_native_password USING ', QUOTE(JSON_VALUE(Priv, '$.authentication_string')), ';')
      FROM mysql.global_priv WHERE User = '${DB_USER}' AND Host = '%';" ;;
  esac
}

main() {
  open_logins
  if ! app_password_works; then
    fail "${DB_USER} does not log in with the configured password, so the old one may be the one in use; run create-app-db first"
  fi
  local state has_old discard
  state="$(old_password_state)"
  [[ -n "$state" ]] || fail "no user ${DB_USER}@% on ${DB_HOST}; run create-app-db first"
  IFS=$'\t' read -r has_old discard <<<"$state"
  if [[ "$has_old" != 1 ]]; then
    echo "discard-old-db-password: ${DB_USER}@% has one password; no changes"
    return
  fi
  admin_sql "$discard" >/dev/null
  echo "discard-old-db-password: ${DB_USER}@%: old password discarded, only the current one logs in"
}

main "$@"
