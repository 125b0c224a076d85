#!/usr/bin/env bash
# ha-web-step NAME [--quiet]: runs one host step, {{stepsDir}}/NAME.sh, as root, with this command's
# stdin. Its output goes to {{logDir}}/NAME.log (root-only) and, unless --quiet, to this command's
# output too. A step that handles secrets runs --quiet: then only the summary below is printed,
# since Pulumi puts a failed command's output into its error message.
set -euo pipefail

readonly STEPS_DIR="{{stepsDir}}"
readonly LOG_DIR="{{logDir}}"

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
if [[ "$QUIET" == --quiet ]]; then
  "$SCRIPT" >>"$LOG" 2>&1 || status=$?
else
  "$SCRIPT" 2>&1 | tee -a "$LOG" || status=$?
fi
if ((status != 0)); then
  echo "ha-web-step: ${NAME} failed on $(hostname) with exit ${status}; full log on the host: ${LOG}" >&2
  exit "$status"
fi
