#!/usr/bin/env bash
# ha-web-app-network (rendered by components/plan/appNetwork.ts): what the app may reach. The app
# shares the host's network (docs/security.md says why not a bridge) and runs as uid {{appUid}}: every
# packet that uid's sockets send goes through chain {{chain}} (IPv4 and IPv6), which lets through
# what the app contract names, its database and DNS, plus replies on connections it accepted
# (nginx's), and refuses everything else at once (REJECT: an attempt fails fast instead of hanging):
# instance metadata, sshd, the Docker API, other hosts and every other port, the internet.
# The chain's rules are replaced in one iptables-restore (never a moment without them); the jump
# is added once. The ha-web-app-network unit runs this at every boot, before Docker starts the app.
set -euo pipefail

readonly APP_UID="{{appUid}}"
readonly CHAIN="{{chain}}"
readonly DATABASE_CIDR="{{databaseCidr}}"
readonly DATABASE_PORT="{{databasePort}}"

# The chain for one family (ipv4 | ipv6), in iptables-restore's format. The database is reached over
# IPv4 only (RDS endpoints answer with IPv4 addresses unless the instance is dual-stack).
chain_rules() {
  local family="$1"
  echo "*filter"
  echo ":${CHAIN} - [0:0]"
  echo "-A ${CHAIN} -m conntrack --ctstate ESTABLISHED,RELATED -j RETURN"
  echo "-A ${CHAIN} -p udp --dport 53 -j RETURN"
  echo "-A ${CHAIN} -p tcp --dport 53 -j RETURN"
  if [[ "$family" == ipv4 ]]; then
    echo "-A ${CHAIN} -p tcp -d ${DATABASE_CIDR} --dport ${DATABASE_PORT} -j RETURN"
  fi
  echo "-A ${CHAIN} -j REJECT"
  echo "COMMIT"
}

# Declaring an existing chain in a --noflush restore empties it, so the new rules replace the old.
apply() {
  local iptables="$1" family="$2"
  local jump=(OUTPUT -m owner --uid-owner "$APP_UID" -j "$CHAIN")
  chain_rules "$family" | "${iptables}-restore" --wait --noflush
  "$iptables" --wait -C "${jump[@]}" 2>/dev/null || "$iptables" --wait -I "${jump[@]:0:1}" 1 "${jump[@]:1}"
}

apply iptables ipv4
apply ip6tables ipv6
echo "ha-web-app-network: uid ${APP_UID} reaches only DNS and ${DATABASE_CIDR} port ${DATABASE_PORT} (chain ${CHAIN})"
