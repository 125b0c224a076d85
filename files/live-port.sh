#!/usr/bin/env bash
# ha-web-live set PORT | restore | show: where this host's live app port leads (rendered by
# components/plan/hostConfigFiles.ts). nginx sends every request to 127.0.0.1:{{livePort}}; a kernel rule
# (iptables nat, chain {{chain}}) redirects new connections to the live colour's own port. Moving
# it is one atomic rule replacement: connections already open stay with the old colour (conntrack),
# new ones go to the new colour, and nginx is never reloaded. `restore` re-creates the rule from
# {{liveRecord}} after a reboot (the ha-web-live systemd unit runs it before nginx starts).
# A move cut off half-way (kill -9 of its step) converges: the record is written (whole, by a rename)
# before the rule, and `show` reads the rule itself while there is one, so the colour a re-run finds
# live is the one new connections really reach.
set -euo pipefail

readonly LIVE_PORT="{{livePort}}"
readonly CHAIN="{{chain}}"
readonly RECORD="{{liveRecord}}"

usage() {
  echo "usage: ha-web-live set PORT | restore | show" >&2
  exit 2
}

nat() { iptables --wait -t nat "$@"; }

# The chain, jumped to from OUTPUT for loopback traffic (nginx and the app share the host).
ensure_chain() {
  nat -N "$CHAIN" 2>/dev/null || true
  nat -C OUTPUT -o lo -j "$CHAIN" 2>/dev/null || nat -A OUTPUT -o lo -j "$CHAIN"
}

point_to() {
  local port="$1"
  local rule=(-p tcp -d 127.0.0.1 --dport "$LIVE_PORT" -j REDIRECT --to-ports "$port")
  mkdir -p "$(dirname "$RECORD")"
  echo "$port" >"${RECORD}.new"
  mv "${RECORD}.new" "$RECORD"
  ensure_chain
  if nat -S "$CHAIN" | grep -q -- "-j REDIRECT"; then
    nat -R "$CHAIN" 1 "${rule[@]}"
  else
    nat -A "$CHAIN" "${rule[@]}"
  fi
  echo "ha-web-live: 127.0.0.1:${LIVE_PORT} leads to 127.0.0.1:${port}"
}

case "${1:-}" in
  set)
    [[ $# -eq 2 && "$2" =~ ^[0-9]+$ ]] || usage
    point_to "$2"
    ;;
  restore)
    [[ $# -eq 1 ]] || usage
    if [[ -s "$RECORD" ]]; then
      point_to "$(cat "$RECORD")"
    else
      echo "ha-web-live: no live colour recorded yet (no deploy has run); nothing to restore"
    fi
    ;;
  show)
    [[ $# -eq 1 ]] || usage
    rule_port="$(nat -S "$CHAIN" 2>/dev/null | sed -n 's/.*-j REDIRECT --to-ports \([0-9]*\).*/\1/p' | head -n 1 || true)"
    if [[ -n "$rule_port" ]]; then
      echo "$rule_port"
    elif [[ -s "$RECORD" ]]; then cat "$RECORD"; else echo "none"; fi
    ;;
  *) usage ;;
esac
