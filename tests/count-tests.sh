#!/usr/bin/env bash
# Reads one test stage's output on stdin and prints its counts as `passed failed skipped`, from
# mocha's summary (`N passing`, `N failing`, `N pending`: pending is mocha's word for skipped) or
# the drills' closing line (`drills: N passed, N failed`). Prints nothing when the output has no
# counts (a stage that is one check, such as tsc). Used by run-all.sh.
set -euo pipefail

output="$(cat)"
count() { sed -nE "$1" <<<"$output" | head -1; }
passed="$(count 's/^ +([0-9]+) passing.*/\1/p; s/^drills: ([0-9]+) passed.*/\1/p')"
failed="$(count 's/^ +([0-9]+) failing.*/\1/p; s/^drills: [0-9]+ passed, ([0-9]+) failed.*/\1/p')"
skipped="$(count 's/^ +([0-9]+) pending.*/\1/p')"
if [[ -n "${passed}${failed}${skipped}" ]]; then
  echo "${passed:-0} ${failed:-0} ${skipped:-0}"
fi
