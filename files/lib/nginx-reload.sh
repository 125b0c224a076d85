# Reloads nginx on a host in service without a request lost and without taking the host out of the
# load balancer (components/plan/nginxReload.ts says why). The including script sets CLOSE_FLAG,
# CLOSE_SECONDS, NGINX_PID_FILE and SHUTDOWN_WAIT_SECONDS, and defines log.
#
# | moment              | old workers                                    | new workers            |
# |---------------------|------------------------------------------------|------------------------|
# | flag made           | close each connection after its response       | -                      |
# | CLOSE_SECONDS later | hold busy connections only: none idle          | -                      |
# | reload              | finish their requests, each answered `close`   | take new connections   |
# | old ones shut down  | -                                              | flag gone: keep-alive  |

# The pids of nginx's worker processes now (the master's children).
nginx_workers() {
  local master
  master="$(<"$NGINX_PID_FILE")"
  cat "/proc/${master}/task/${master}/children"
}

# True once none of the given workers still takes requests as before: each has exited or is
# shutting down (nginx renames a worker it told to stop, and it closes its idle connections then).
workers_shutting_down() {
  local pid
  for pid in "$@"; do
    if [[ -r "/proc/${pid}/cmdline" ]] && ! tr '\0' ' ' <"/proc/${pid}/cmdline" | grep -q "shutting down"; then
      return 1
    fi
  done
}

reload_nginx_in_service() {
  local started="$SECONDS" deadline
  local -a old_workers
  read -r -a old_workers <<<"$(nginx_workers)"
  touch "$CLOSE_FLAG"
  # Removed however this ends: a flag left behind would only cost keep-alive, but nothing needs that.
  trap 'rm -f "$CLOSE_FLAG"' EXIT
  sleep "$CLOSE_SECONDS"
  # What `nginx -s reload` sends, to the master of this pid file (tests run nginx of their own).
  kill -HUP "$(<"$NGINX_PID_FILE")"
  deadline=$((SECONDS + SHUTDOWN_WAIT_SECONDS))
  until workers_shutting_down "${old_workers[@]}"; do
    if ((SECONDS >= deadline)); then
      echo "apply-config: nginx's old workers (${old_workers[*]}) were not told to stop within ${SHUTDOWN_WAIT_SECONDS}s of the reload;" \
        "check nginx's error log, then run pulumi up again (nginx -t accepted the configuration)" >&2
      exit 1
    fi
    sleep 0.1
  done
  rm -f "$CLOSE_FLAG"
  trap - EXIT
  log "reloaded nginx in service in $((SECONDS - started))s: ${CLOSE_SECONDS}s of responses closing their connections, then the reload"
}
