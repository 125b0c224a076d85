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
