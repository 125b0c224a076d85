#!/usr/bin/env bash
# ha-web-step NAME [--quiet]: runs one host step, {{stepsDir}}/NAME.sh, as root, with this command's
# stdin. Its output goes to {{logDir}}/NAME.log (root-only) and, unless --quiet, to this command's
# output too. A step that handles secrets runs --quiet: then only the summary below is printed,
# since Pulumi puts a failed command's output into its error message.
# The host bounds every step: the deployer's step timeout stops only its dialling, never a command
# already running (pulumi-command v1.2.1 remote/commandOutputs.go `session.Run` takes no context),
# so a hung step would otherwise hold `pulumi up` and its lock for ever.
set -euo pipefail

readonly STEPS_DIR="{{stepsDir}}"
readonly LOG_DIR="{{logDir}}"
readonly TIMEOUT_SECONDS="{{stepTimeoutSeconds}}"
# After the timeout's SIGTERM (to the step's whole process group), SIGKILL what is still running.
readonly KILL_AFTER_SECONDS=30

if [[ $# -lt 1 || $# -gt 2 || ! "$1" =~ ^[a-z0-9-]+$ || ( $# -eq 2 && "$2" != --quiet ) ]]; then
  echo "usage: ha-web-step NAME [--quiet]   (NAME: a script in ${STEPS_DIR}, without .sh)" >&2
  exit 2
fi
readonly NAME="$1" QUIET="${2:-}"
readonly SCRIPT="${STEPS_DIR}/${NAME}.sh"
if [[ ! -x "$SCRIPT" ]]; then
  echo "ha-web-step: no step ${NAME} on $(hostname) (${SCRIPT} is missing); the step-scripts file set places it" >&2
  exit 2
fi

install -d -m 0700 "$LOG_DIR"
readonly LOG="${LOG_DIR}/${NAME}.log"
: >"$LOG"
chmod 0600 "$LOG"

status=0
bounded=(timeout --kill-after="${KILL_AFTER_SECONDS}s" "${TIMEOUT_SECONDS}s" "$SCRIPT")
if [[ "$QUIET" == --quiet ]]; then
  "${bounded[@]}" >>"$LOG" 2>&1 || status=$?
else
  "${bounded[@]}" 2>&1 | tee -a "$LOG" || status=$?
fi
# timeout's own statuses: 124 after SIGTERM ended it, 137 when SIGKILL had to.
if ((status == 124 || status == 137)); then
  echo "ha-web-step: ${NAME} did not finish within ${TIMEOUT_SECONDS}s on $(hostname) and was stopped; what it did so far is in ${LOG}" >&2
  exit "$status"
fi
if ((status != 0)); then
  echo "ha-web-step: ${NAME} failed on $(hostname) with exit ${status}; full log on the host: ${LOG}" >&2
  exit "$status"
fi
