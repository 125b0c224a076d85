#!/usr/bin/env bash
# The one test command (`npm test`): static checks, unit tests (pure functions and the Pulumi
# program under mocks), then integration tests against real MariaDB, nginx and Docker, then the
# local-stack drills. Prints one closing line, `tests: N passed, N failed, N skipped`, and writes each
# stage's counts and seconds to .local-stack/results/suite.json (rendered into docs by `npm run docs:results`).
set -euo pipefail
cd "$(dirname "$0")/.."

passed=0
failed=0
skipped=0
log="$(mktemp)"
stages="$(mktemp)"
trap 'rm -f "$log" "$stages"' EXIT

# Runs one stage; a mocha stage adds its own test counts, skipped (pending) ones included, as does
# the drills' `drills: N passed, N failed` line (count-tests.sh reads them); any other stage counts
# as one test. A stage that exits non-zero without counting a failure (a crash) counts one.
stage() {
  local name="$1"; shift
  echo "==> ${name}"
  local status=0 started="$SECONDS" passed_before="$passed" failed_before="$failed" skipped_before="$skipped"
  "$@" 2>&1 | tee "$log" || status=$?
  local counts ok bad skip
  counts="$(tests/count-tests.sh <"$log")"
  if [[ -n "$counts" ]]; then
    read -r ok bad skip <<<"$counts"
    passed=$((passed + ok))
    failed=$((failed + bad))
    skipped=$((skipped + skip))
    if [[ "$status" -ne 0 && "$bad" -eq 0 ]]; then failed=$((failed + 1)); fi
  elif [[ "$status" -eq 0 ]]; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
  fi
  if [[ "$status" -ne 0 ]]; then echo "==> ${name}: FAILED (exit ${status})"; fi
  printf '%s\t%s\t%s\t%s\t%s\n' "$name" "$((passed - passed_before))" "$((failed - failed_before))" "$((skipped - skipped_before))" "$((SECONDS - started))" >> "$stages"
}

stage "app: install and build (tsc, strict)" bash -c 'npm --prefix app ci --no-audit --no-fund && npm --prefix app run build'
stage "typecheck (tsc --noEmit, strict)" npx tsc --noEmit
stage "lint (eslint)" npx eslint .
# Two mocha workers: the unit tests only compute (most run index.ts under mocks), one process used one core.
stage "unit tests" npm run test:unit
# Two workers here too: the integration tests mostly wait (containers, servers, timed windows), and
# each names what it starts by its process id or a free port, as two clones on one machine need.
stage "integration tests (real nginx, docker-compose, MariaDB)" env TS_NODE_TRANSPILE_ONLY=true npx mocha --parallel --jobs 2 'tests/integration/**/*.test.ts'
stage "local-stack drills (up, every drill under load: failures as AWS shows them, hostile requests, slow clients, a reboot; down)" npm run test:drills

echo "tests: ${passed} passed, ${failed} failed, ${skipped} skipped"
TS_NODE_TRANSPILE_ONLY=true npx ts-node scripts/results/writeSuiteResult.ts "$stages" "$SECONDS"
[[ "$failed" -eq 0 ]]
