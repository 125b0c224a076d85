# What the load balancer's own health checks found on this host, read from nginx's access log (JSON
# lines): shared by await-in-service (a new host) and apply-config (a host back from a reload).
# The including script sets ACCESS_LOG, USER_AGENT_PREFIX and HEALTHY_THRESHOLD.

# The statuses nginx gave the load balancer's latest health checks, oldest first.
latest_check_statuses() {
  if [[ ! -r "$ACCESS_LOG" ]]; then
    return
  fi
  tail -n 2000 "$ACCESS_LOG" \
    | jq -R -r --arg ua "$USER_AGENT_PREFIX" 'fromjson? | select((.user_agent // "") | startswith($ua)) | .status' \
    | tail -n "$HEALTHY_THRESHOLD"
}

# True when the latest HEALTHY_THRESHOLD checks all got 200: the load balancer counts the host
# healthy then. Leaves what it saw in LATEST_STATUSES.
checks_pass() {
  local -a statuses
  local status
  mapfile -t statuses < <(latest_check_statuses)
  LATEST_STATUSES="${statuses[*]:-none seen}"
  if [[ "${#statuses[@]}" -lt "$HEALTHY_THRESHOLD" ]]; then
    return 1
  fi
  for status in "${statuses[@]}"; do
    [[ "$status" == 200 ]] || return 1
  done
}

# Polls checks_pass every $2 seconds for at most $1 seconds; false when the time ran out
# (LATEST_STATUSES then says what the checks got last).
await_checks_pass() {
  local deadline=$((SECONDS + $1))
  until checks_pass; do
    ((SECONDS < deadline)) || return 1
    sleep "$2"
  done
}
