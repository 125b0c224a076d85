# The canary's part of ha-web-deploy (included there): `--canary SPEC` on the rollout's first host.
# SPEC is SECONDS:MIN_REQUESTS:TOO_FEW:MAX_5XX_POINTS:MAX_P99_RATIO:P99_SLACK_MS (canarySettings.ts).
# The switch to the new colour happens as without a canary, but the old colour keeps running while
# the new one serves this host's real traffic for SECONDS; then canary_judge compares the two from
# nginx's access log. Worse: the live port goes back to the old colour (new connections at once,
# nginx's kept ones within the settle time, so no request fails), the new colour is stopped, the
# verdict and the judged log lines are kept under CANARY_LOG_DIR, and the deploy fails naming them.

# ha-web:include lib/canary-judge.sh

# Windows a canary with too few requests waits in all (canaryTooFewRequests=wait), then it refuses.
readonly CANARY_MAX_WINDOWS=4

CANARY_REFUSAL=""
CANARY_SECONDS="" CANARY_MIN_REQUESTS="" CANARY_TOO_FEW="" CANARY_MAX_5XX_POINTS="" CANARY_MAX_P99_RATIO="" CANARY_P99_SLACK_MS=""

read_canary_spec() {
  IFS=: read -r CANARY_SECONDS CANARY_MIN_REQUESTS CANARY_TOO_FEW CANARY_MAX_5XX_POINTS CANARY_MAX_P99_RATIO CANARY_P99_SLACK_MS <<<"$1"
  if [[ ! "$CANARY_SECONDS" =~ ^[0-9]+$ || ! "$CANARY_MIN_REQUESTS" =~ ^[0-9]+$ || ! "$CANARY_TOO_FEW" =~ ^(pass|wait)$ ||
    ! "$CANARY_MAX_5XX_POINTS" =~ ^[0-9.]+$ || ! "$CANARY_MAX_P99_RATIO" =~ ^[0-9.]+$ || ! "$CANARY_P99_SLACK_MS" =~ ^[0-9]+$ ]]; then
    echo "ha-web-deploy: --canary ${1} is not SECONDS:MIN_REQUESTS:pass|wait:MAX_5XX_POINTS:MAX_P99_RATIO:P99_SLACK_MS (e.g. 30:100:pass:1:1.5:20)" >&2
    exit 2
  fi
}

# A second (epoch) as nginx's $time_iso8601 writes it, without the zone: the host's local time.
log_second() {
  date --date "@$1" +%Y-%m-%dT%H:%M:%S
}

# The access log and the file rotated before it (delaycompress leaves it plain), oldest first.
access_log_lines() {
  local file
  for file in "${ACCESS_LOG}.1" "$ACCESS_LOG"; do
    if [[ -r "$file" ]]; then cat "$file"; fi
  done
}

# Verdicts kept per host: each holds up to two windows of access log lines.
readonly CANARY_KEPT_VERDICTS=20

# Keeps the verdict and the access log lines it judged (and only the newest CANARY_KEPT_VERDICTS
# files); prints the file's path.
keep_evidence() {
  local verdict="$1" from="$2" to="$3" file
  install -d -m 0750 "$CANARY_LOG_DIR"
  find "$CANARY_LOG_DIR" -maxdepth 1 -name '*.log' -printf '%T@ %p\n' | sort -rn | tail -n +"$CANARY_KEPT_VERDICTS" |
    cut -d' ' -f2- | xargs -r rm -f --
  file="${CANARY_LOG_DIR}/$(date +%Y%m%dT%H%M%S)-${HOST_NAME}.log"
  {
    echo "# ${HOST_NAME}: canary of ${IMAGE}: ${verdict}"
    echo "# access log lines from ${from} to ${to} (${ACCESS_LOG}); the old colour's before the switch, the new one's after the settle"
    access_log_lines | awk -v from="$from" -v to="$to" '{ t = substr($0, 10, 19) } t >= from && t < to'
  } >"$file"
  echo "$file"
}

# canary_release NEW LIVE LIVE_IMAGE: switches to NEW, watches, judges. Returns 0 when NEW may stay (LIVE is
# then still running: the caller stops it); on a worse verdict NEW is stopped and LIVE serves again.
canary_release() {
  local new="$1" live="$2" live_image="$3" switched old_from old_to new_from now verdict windows=1 evidence
  switched="$(date +%s)"
  "$LIVE_COMMAND" set "$(port_of "$new")"
  old_to="$(log_second "$switched")"
  old_from="$(log_second $((switched - CANARY_SECONDS)))"
  new_from="$(log_second $((switched + SETTLE_SECONDS + 1)))"
  log "canary: ${new} serves this host's traffic, ${live} still runs; judging in $((SETTLE_SECONDS + 1 + CANARY_SECONDS))s" \
    "(5xx share at most +${CANARY_MAX_5XX_POINTS} points, p99 at most ${CANARY_MAX_P99_RATIO}x or +${CANARY_P99_SLACK_MS} ms, ${CANARY_MIN_REQUESTS} requests each)"
  sleep $((SETTLE_SECONDS + 1 + CANARY_SECONDS))
  while true; do
    now="$(date +%s)"
    verdict="$(access_log_lines | canary_judge "$old_from" "$old_to" "$new_from" "$(log_second "$now")" \
      "$CANARY_MIN_REQUESTS" "$CANARY_MAX_5XX_POINTS" "$CANARY_MAX_P99_RATIO" "$CANARY_P99_SLACK_MS" "$CHECKER_USER_AGENT")"
    if [[ "$verdict" != too-few* || "$CANARY_TOO_FEW" == pass || windows -ge CANARY_MAX_WINDOWS ]]; then
      break
    fi
    windows=$((windows + 1))
    # The old colour's window grows back in time as the new one's grows forward.
    old_from="$(log_second $((switched - windows * CANARY_SECONDS)))"
    log "canary: too little traffic to judge yet (${verdict#too-few }); watching another ${CANARY_SECONDS}s (window ${windows} of ${CANARY_MAX_WINDOWS})"
    sleep "$CANARY_SECONDS"
  done
  evidence="$(keep_evidence "$verdict" "$old_from" "$(log_second "$now")")"
  case "$verdict" in
    fine*)
      log "canary: ${IMAGE} is not worse than ${live_image}: ${verdict#fine }; evidence: ${evidence}"
      return 0
      ;;
    too-few*)
      if [[ "$CANARY_TOO_FEW" == pass ]]; then
        log "canary: too little traffic to judge ${IMAGE} (${verdict#too-few }); canaryTooFewRequests is pass, so it goes on unjudged; evidence: ${evidence}"
        return 0
      fi
      ;;
  esac
  log "canary: ${verdict}; moving the live port back to ${live}"
  "$LIVE_COMMAND" set "$(port_of "$live")"
  log "waiting ${SETTLE_SECONDS}s for nginx to close its connections to ${new}"
  sleep "$SETTLE_SECONDS"
  stop_colour "$new"
  CANARY_REFUSAL="canary refused ${IMAGE} on ${HOST_NAME}: ${verdict#worse }"
  if [[ "$verdict" == too-few* ]]; then
    CANARY_REFUSAL="canary refused ${IMAGE} on ${HOST_NAME}: too little traffic to judge after ${windows} windows of ${CANARY_SECONDS}s (${verdict#too-few }) and canaryTooFewRequests is wait"
  fi
  echo "# ${CANARY_REFUSAL}; rolled back to ${live}" >>"$evidence"
  CANARY_REFUSAL+="; the evidence (verdict and the access log lines judged) is in ${evidence} on ${HOST_NAME}"
  return 1
}
