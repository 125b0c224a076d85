# Where a deploy's time goes: `lap PHASE` ends a phase, `timings` prints them all on one line
# (`ha-web-deploy: time: start 1200 ms, ...`), which the drills and the bench read. EPOCHREALTIME
# (bash 5) is microseconds, its separator the locale's.
LAP_STARTED_US="${EPOCHREALTIME/[.,]/}"
TIMINGS=""
lap() {
  local now="${EPOCHREALTIME/[.,]/}"
  TIMINGS+="${TIMINGS:+, }$1 $(((now - LAP_STARTED_US) / 1000)) ms"
  LAP_STARTED_US="$now"
}
timings() {
  echo "ha-web-deploy: time: ${TIMINGS}"
}
