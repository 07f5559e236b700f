#!/usr/bin/env bash
# The browser tests three runs in a row with both cores kept busy by two spinning processes
# (issue 12: a browser assertion waits for its condition, never for a time, so a busy machine
# makes the runs slower, never red). Run from the repository after `make test` has set it up:
#   scripts/stress_browser_tests.sh [RUNS]     # logs in test-artifacts/stress-N.log
set -uo pipefail
cd "$(dirname "$0")/.."
runs=${1:-3}
mkdir -p test-artifacts
python3 -c 'while 1: pass' & s1=$!
python3 -c 'while 1: pass' & s2=$!
trap 'kill $s1 $s2 2>/dev/null' EXIT
status=0
for i in $(seq 1 "$runs"); do
  start=$(date +%s)
  CI=true .venv/bin/python -m pytest -q -p no:cacheprovider tests/browser > "test-artifacts/stress-$i.log" 2>&1
  rc=$?
  echo "run $i: exit $rc in $(( $(date +%s) - start )) s: $(tail -1 "test-artifacts/stress-$i.log")"
  [ "$rc" -eq 0 ] || status=1
done
exit $status
