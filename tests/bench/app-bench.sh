#!/usr/bin/env bash
# `npm run bench:app`: requests/s and p99 latency for GET /ping, on loopback only:
#   app           straight to node
#   nginx -> app  through nginx with upstream keep-alive (as on the hosts)
#   nginx alone   nginx answering "pong" itself: the ceiling of this machine
# Each run is bounded (BENCH_SECONDS, default 10). Needs wrk, nginx and the built app (app/dist).
set -euo pipefail
cd "$(dirname "$0")/../.."

readonly SECONDS_PER_RUN="${BENCH_SECONDS:-10}"
readonly CONNECTIONS=50
readonly THREADS=2

log() { echo "app-bench: $*" >&2; }
fail() { log "$*"; exit 1; }

for tool in wrk nginx node; do
  command -v "$tool" >/dev/null || fail "$tool is not installed"
done
[[ -f app/dist/server.js ]] || fail "app/dist/server.js is missing: run npm --prefix app ci && npm --prefix app run build"

work_dir="$(mktemp -d /tmp/ha-web-bench.XXXXXX)"
app_pid=""
cleanup() {
  if [[ -n "$app_pid" ]]; then kill "$app_pid" 2>/dev/null || true; fi
  if [[ -f "${work_dir}/nginx.pid" ]]; then kill "$(cat "${work_dir}/nginx.pid")" 2>/dev/null || true; fi
  rm -rf "$work_dir"
}
trap cleanup EXIT

free_port() {
  node -e 'const s = require("net").createServer().listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); });'
}

wait_for_pong() {
  local url="$1" attempt
  for attempt in $(seq 1 50); do
    if [[ "$(curl -fsS "$url" 2>/dev/null)" == "pong" ]]; then return; fi
    sleep 0.1
  done
  fail "no pong from ${url} after ${attempt} attempts"
}

app_port="$(free_port)"
proxy_port="$(free_port)"
pong_port="$(free_port)"

# No database: /ping never touches it. Request logs go to a file, as they would to Docker's log driver.
PORT="$app_port" HOST=127.0.0.1 APP_VERSION=bench DB_HOST=127.0.0.1 DB_PORT=9 DB_NAME=bench DB_USER=bench \
  DB_PASSWORD=bench SHARED_DIR="$work_dir" node app/dist/server.js > "${work_dir}/app.log" 2>&1 &
app_pid=$!

cat > "${work_dir}/nginx.conf" <<CONF
worker_processes auto;
pid ${work_dir}/nginx.pid;
error_log ${work_dir}/nginx-error.log;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path ${work_dir}/client_body;
  proxy_temp_path ${work_dir}/proxy;
  fastcgi_temp_path ${work_dir}/fastcgi;
  uwsgi_temp_path ${work_dir}/uwsgi;
  scgi_temp_path ${work_dir}/scgi;
  upstream app {
    server 127.0.0.1:${app_port};
    keepalive 32;
  }
  server {
    listen 127.0.0.1:${proxy_port};
    location / {
      proxy_pass http://app;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
    }
  }
  server {
    listen 127.0.0.1:${pong_port};
    location = /ping {
      default_type text/plain;
      return 200 "pong";
    }
  }
}
CONF
nginx -c "${work_dir}/nginx.conf" -e "${work_dir}/nginx-error.log"

wait_for_pong "http://127.0.0.1:${app_port}/ping"
wait_for_pong "http://127.0.0.1:${proxy_port}/ping"
wait_for_pong "http://127.0.0.1:${pong_port}/ping"

# Prints "<requests/s> <p99 ms>" from one wrk run.
measure() {
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"${SECONDS_PER_RUN}s" --latency "$1" | awk '
    /Requests\/sec:/ { rps = $2 }
    $1 == "99%" {
      value = $2; unit = value; sub(/[0-9.]+/, "", unit); sub(/[a-z]+$/, "", value)
      p99 = (unit == "us") ? value / 1000 : (unit == "s") ? value * 1000 : value
    }
    END { printf "%.0f %.2f\n", rps, p99 }'
}

log "wrk -t${THREADS} -c${CONNECTIONS} -d${SECONDS_PER_RUN}s per target, GET /ping on 127.0.0.1"
printf '%-14s %12s %9s\n' "target" "requests/s" "p99 ms"
for target in "app|${app_port}" "nginx -> app|${proxy_port}" "nginx alone|${pong_port}"; do
  read -r rps p99 < <(measure "http://127.0.0.1:${target#*|}/ping")
  printf '%-14s %12s %9s\n' "${target%%|*}" "$rps" "$p99"
done
