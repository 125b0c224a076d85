#!/usr/bin/env bash
# ha-web-step NAME [--quiet]: runs one host step, {{stepsDir}}/NAME.sh, as root, with this command's
# stdin, detached from the SSH session that asked for it: as the transient systemd unit
# ha-web-step-NAME. This command starts the unit (or joins it, when the same step with the same inputs
# already runs: its deployer went away), follows its log, {{logDir}}/NAME.log (root-only), unless
# --quiet, and returns the step's exit status. A session that drops (a laptop asleep, a cancelled CI
# job, `pulumi up` terminated by a second Ctrl-C, which ends the provider's SSH session) leaves the
# step running to its end; run the deploy again and it joins the step or, once it ended, runs it again
# (every step converges when re-run). The same step for other inputs (another deployer) is waited for,
# never run beside it.
# A step that handles secrets runs --quiet: then only the summary below is printed, since Pulumi puts
# a failed command's output into its error message.
# The host bounds every step: the deployer's step timeout stops only its dialling, never a command
# already running (pulumi-command v1.2.1 remote/commandOutputs.go `CommandOutputs.run` calls
# `session.Run`, which takes no context), so a hung step would otherwise hold its unit for ever.
# Internal modes, run by systemd for the unit: NAME --in-unit (the step under its time bound) and
# NAME --record-result (ExecStopPost: how the step ended, kept for this command to read).
set -euo pipefail

readonly STEPS_DIR="{{stepsDir}}"
readonly LOG_DIR="{{logDir}}"
readonly TIMEOUT_SECONDS="{{stepTimeoutSeconds}}"
# After the timeout's SIGTERM (to the step's whole process group), SIGKILL what is still running.
readonly KILL_AFTER_SECONDS=30
# A running step's stdin (its inputs, secrets included) and their digest: tmpfs, root-only, gone at
# reboot; the unit's ExecStopPost removes the inputs once the step ended.
readonly RUN_DIR="/run/ha-web-step"
# How long this command waits for a run of the step with other inputs to end: its own bound and more.
readonly WAIT_OTHER_SECONDS=$((TIMEOUT_SECONDS + KILL_AFTER_SECONDS + 60))

usage() {
  echo "usage: ha-web-step NAME [--quiet]   (NAME: a script in ${STEPS_DIR}, without .sh)" >&2
  exit 2
}

if [[ $# -lt 1 || $# -gt 2 || ! "$1" =~ ^[a-z0-9-]+$ ]]; then usage; fi
readonly NAME="$1" MODE="${2:-}"
case "$MODE" in "" | --quiet | --in-unit | --record-result) ;; *) usage ;; esac
readonly SCRIPT="${STEPS_DIR}/${NAME}.sh"
readonly UNIT="ha-web-step-${NAME}"
readonly LOG="${LOG_DIR}/${NAME}.log"
# How the last runs ended, a line each (--record-result): INVOCATION_ID SERVICE_RESULT EXIT_CODE EXIT_STATUS.
readonly RESULTS="${LOG_DIR}/${NAME}.results"
readonly DIGEST="${RUN_DIR}/${NAME}.digest"

# In the unit: the step under its bound; stdin is the inputs file, stdout and stderr the log.
run_in_unit() {
  local status=0
  timeout --kill-after="${KILL_AFTER_SECONDS}s" "${TIMEOUT_SECONDS}s" "$SCRIPT" || status=$?
  # timeout's own statuses: 124 after SIGTERM ended it, 137 when SIGKILL had to.
  if ((status == 124 || status == 137)); then
    echo "ha-web-step: ${NAME} did not finish within ${TIMEOUT_SECONDS}s on $(hostname) and was stopped; what it did so far is in ${LOG}" >&2
  fi
  exit "$status"
}

# ExecStopPost: systemd sets these for it also when the step's processes were killed (kill -9 included).
record_result() {
  echo "${INVOCATION_ID:-?} ${SERVICE_RESULT:-?} ${EXIT_CODE:-?} ${EXIT_STATUS:-?}" >>"$RESULTS"
  tail -n 20 "$RESULTS" >"${RESULTS}.new"
  mv "${RESULTS}.new" "$RESULTS"
  rm -f "${RUN_DIR}/${NAME}".*.input
}

unit_state() { systemctl show --property=ActiveState --value "$UNIT" 2>/dev/null || echo inactive; }

unit_invocation() { systemctl show --property=InvocationID --value "$UNIT" 2>/dev/null || true; }

unit_running() { [[ "$(unit_state)" =~ ^(active|activating|deactivating|reloading)$ ]]; }

since() { systemctl show --property=ExecMainStartTimestamp --value "$UNIT" 2>/dev/null || echo "an unknown time"; }

# Starts the unit with the inputs in $1 (a file, moved to where the unit reads it); false, with
# systemd-run's message in START_ERROR, when it could not.
START_ERROR=""
start_unit() {
  local inputs="$1" digest="$2" self input="${RUN_DIR}/${NAME}.${2}.input"
  self="$(readlink -f "${BASH_SOURCE[0]}")"
  mv "$inputs" "$input"
  # A new file: a deployer still following the last run reads that one to its end.
  if [[ -e "$LOG" ]]; then mv "$LOG" "${LOG}.previous"; fi
  install -m 0600 /dev/null "$LOG"
  # The last run's unit, once stopped, is unloaded by --collect a moment later; until then systemd-run
  # refuses the name ("already loaded"), so a step re-run right after it failed waits for that.
  local attempt
  for attempt in {1..25}; do
    systemctl reset-failed "$UNIT" 2>/dev/null || true # not loaded: nothing to reset
    # A unit gets no HOME of its own; docker (registry logins) and git read it.
    if START_ERROR="$(systemd-run --quiet --unit="$UNIT" --collect --service-type=exec --setenv=HOME="${HOME:-/root}" \
      --property=StandardInput=file:"$input" \
      --property=StandardOutput=append:"$LOG" --property=StandardError=append:"$LOG" \
      --property=ExecStopPost="${self} ${NAME} --record-result" \
      "$self" "$NAME" --in-unit 2>&1)"; then
      echo "$digest" >"$DIGEST"
      return 0
    fi
    [[ "$START_ERROR" == *"already loaded"* || "$START_ERROR" == *"already exists"* ]] || break
    sleep 0.2
  done
  rm -f "$input"
  START_ERROR="${START_ERROR} (tried ${attempt} times)"
  return 1
}

# Follows the unit's log (unless --quiet) until it ended, then prints what ended it and exits with
# the step's status.
follow() {
  local invocation pid line status id service_result exit_code exit_status
  invocation="$(unit_invocation)"
  pid="$(systemctl show --property=MainPID --value "$UNIT" 2>/dev/null || echo 0)"
  if [[ "$MODE" != --quiet ]]; then
    if [[ "$pid" =~ ^[1-9][0-9]*$ ]]; then tail --lines=+1 --follow --pid="$pid" "$LOG"; else cat "$LOG"; fi
  fi
  # Until this run ended (the next one, another deployer's, may have started since).
  while [[ "$(unit_invocation)" == "$invocation" ]] && unit_running; do sleep 0.2; done
  # ExecStopPost writes the result as the unit stops; an empty invocation id (the unit was collected
  # before it was read) takes the newest result.
  for _ in {1..25}; do
    if [[ -n "$invocation" ]]; then
      line="$(grep "^${invocation} " "$RESULTS" 2>/dev/null || true)"
    else
      line="$(tail -n 1 "$RESULTS" 2>/dev/null || true)"
    fi
    [[ -z "$line" ]] || break
    sleep 0.2
  done
  read -r id service_result exit_code exit_status <<<"${line:-? ? ? ?}"
  if [[ (-n "$invocation" && "$id" != "$invocation") || ! "$exit_code" =~ ^(exited|killed|dumped)$ ]]; then
    echo "ha-web-step: ${NAME} ended on $(hostname) without recording how (the host rebooted?); its log: ${LOG}. Run the deploy again: every step converges when re-run" >&2
    exit 1
  fi
  if [[ "$exit_code" == exited ]]; then
    status="$exit_status"
  else
    status=$((128 + $(kill -l "$exit_status" 2>/dev/null || echo 1)))
    echo "ha-web-step: ${NAME} on $(hostname) was ${exit_code} by SIG${exit_status} (${service_result}); what it did so far is in ${LOG}." \
      "Run the deploy again: every step converges when re-run" >&2
    exit "$status"
  fi
  if ((status != 0 && status != 124 && status != 137)); then
    echo "ha-web-step: ${NAME} failed on $(hostname) with exit ${status}; full log on the host: ${LOG}" >&2
  elif ((status != 0)) && [[ "$MODE" == --quiet ]]; then
    grep '^ha-web-step: ' "$LOG" >&2 || true
  fi
  exit "$status"
}

# The deployer's side: start the step, join the same run, or wait for a run with other inputs.
run_detached() {
  local inputs digest deadline=$((SECONDS + WAIT_OTHER_SECONDS)) waited="" joined
  install -d -m 0700 "$LOG_DIR" "$RUN_DIR"
  inputs="$(mktemp "${RUN_DIR}/.${NAME}.XXXXXX")"
  cat >"$inputs"
  digest="$(cat "$SCRIPT" "$inputs" | sha256sum | cut -d' ' -f1)"
  # Deciding and starting under one lock: two deployers never both start it, nor truncate its log.
  exec 9>"${RUN_DIR}/${NAME}.lock"
  while true; do
    flock 9
    if [[ "$(cat "$DIGEST" 2>/dev/null || true)" == "$digest" ]] && unit_running; then
      flock --unlock 9
      rm -f "$inputs"
      # Into the step's log, which the follower prints: whoever reads it later sees the join too.
      joined="ha-web-step: ${NAME} already runs on $(hostname) since $(since) with these same inputs (started by another deployer, or by one that went away); joined at $(date -u +%T) and following it"
      echo "$joined" >>"$LOG"
      if [[ "$MODE" == --quiet ]]; then echo "$joined"; fi
      follow
    fi
    if ! unit_running; then
      if ! start_unit "$inputs" "$digest"; then
        rm -f "$inputs"
        echo "ha-web-step: could not start ${NAME} as the systemd unit ${UNIT} on $(hostname): ${START_ERROR}" >&2
        exit 1
      fi
      flock --unlock 9
      follow
    fi
    flock --unlock 9
    if [[ -z "$waited" ]]; then
      echo "ha-web-step: ${NAME} runs on $(hostname) since $(since) for other inputs (another deployer's); waiting for it to end before this one starts"
      waited=yes
    fi
    if ((SECONDS >= deadline)); then
      rm -f "$inputs"
      echo "ha-web-step: ${NAME} still runs on $(hostname) for other inputs after ${WAIT_OTHER_SECONDS}s; not started beside it." \
        "See ${LOG} (systemctl status ${UNIT}), then run the deploy again" >&2
      exit 75
    fi
    sleep 1
  done
}

if [[ ! -x "$SCRIPT" ]]; then
  echo "ha-web-step: no step ${NAME} on $(hostname) (${SCRIPT} is missing); the step-scripts file set places it" >&2
  exit 2
fi
case "$MODE" in
  --in-unit) run_in_unit ;;
  --record-result) record_result ;;
  *) run_detached ;;
esac
