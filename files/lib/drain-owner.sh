# Who drained this host: the drain flag's first word names its owner, a step of ha-web that drains
# on its own (`ha-web-drain --for apply-config`) or `operator` (plain ha-web-drain; an empty flag is
# an operator's too). A step cut off while it had the host drained finds its own flag when it runs
# again and finishes what it started; an operator's drain it leaves alone. The including script
# sets DRAIN_FLAG.

# The owner's name, or nothing when the host is not drained.
drain_owner() {
  local owner=""
  [[ -f "$DRAIN_FLAG" ]] || return 0
  read -r owner _ <"$DRAIN_FLAG" || true
  echo "${owner:-operator}"
}

# The STEP of the arguments `--for STEP`, nothing for none; other arguments: the usage, and exit 2
# (call it as `step="$(step_argument "$@")" || exit 2`).
step_argument() {
  if [[ $# -eq 0 ]]; then return 0; fi
  if [[ $# -eq 2 && "$1" == --for && "$2" =~ ^[a-z0-9-]+$ ]]; then
    echo "$2"
    return 0
  fi
  echo "usage: $(basename "$0") [--for STEP]   (operators: no arguments)" >&2
  exit 2
}
