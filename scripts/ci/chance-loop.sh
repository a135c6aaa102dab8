#!/usr/bin/env bash
# Runs every integration test that involves chance RUNS times in a row in each of CHAINS fresh clones
# side by side, while another clone runs the whole suite over and over to load the machine (issue 12:
# "tests that cannot flake"). Prints one line per run; the count of failed runs is the result.
#
# Usage: bash scripts/ci/chance-loop.sh [CHAINS] [RUNS] [WORKDIR]    (defaults: 3 7 /tmp/kap-chance-loop)
# Uses the `node` on PATH (put Node 24 first). Clones HEAD of this repository into WORKDIR, with a
# link WORKDIR/shared to this repository's ../shared (the tests read it from ../shared).
# KAP_CHANCE_SET replaces the list of test files (a quick try: KAP_CHANCE_SET=startup ... 1 1).
set -u
chains=${1:-3}
runs=${2:-7}
work=${3:-/tmp/kap-chance-loop}
repo=$(git -C "$(dirname "$0")" rev-parse --show-toplevel) || exit 2
shared=$(cd "$repo/../shared" 2>/dev/null && pwd) || { echo "chance-loop: $repo/../shared not found" >&2; exit 2; }
SET=${KAP_CHANCE_SET:-"lab.int lab-cli diagnose-e2e mcp.int metrics-cloudwatch metrics-prometheus metrics-verify-logs diagnose-corpus diagnose-sql-corpus evidence.int"}
mkdir -p "$work" && rm -rf "$work"/clone-* "$work"/out && mkdir -p "$work/out"
[ -e "$work/shared" ] || ln -s "$shared" "$work/shared"
for c in load $(seq 1 "$chains"); do
  git clone -q "$repo" "$work/clone-$c" && (cd "$work/clone-$c" && npm ci --no-audit --no-fund >/dev/null 2>&1 && npm run build >/dev/null 2>&1) ||
    { echo "chance-loop: could not set up clone $c" >&2; exit 2; }
done
# The load: the whole suite over and over, in a session of its own, stopped (group and all) at the end.
setsid bash -c 'cd "$1/clone-load" && i=0 && while :; do
  i=$((i + 1)); node scripts/run-tests.mjs >"$1/out/load-$i.log" 2>&1
  echo "load $i rc=$?" >>"$1/out/summary.txt"
done' _ "$work" &
load_pid=$!
pids=()
for c in $(seq 1 "$chains"); do
  (cd "$work/clone-$c" && for i in $(seq 1 "$runs"); do
    start=$(date +%s)
    # shellcheck disable=SC2086
    node scripts/run-tests.mjs $SET >"$work/out/run-$c-$i.log" 2>&1
    rc=$?
    echo "run $c-$i rc=$rc $(grep -E '^ℹ (tests|pass|fail)' "$work/out/run-$c-$i.log" | tr '\n' ' ')$(($(date +%s) - start)) s, load $(cut -d' ' -f1 /proc/loadavg)" | tee -a "$work/out/summary.txt"
  done) &
  pids+=($!)
  [ "$c" -lt "$chains" ] && sleep 90 # chains start apart, so their scenarios do not run in step
done
wait "${pids[@]}"
kill -- -"$load_pid" 2>/dev/null
failed=$(grep -c '^run .* rc=[^0]' "$work/out/summary.txt")
echo "chance-loop: $failed of $((chains * runs)) runs failed (logs in $work/out)"
[ "$failed" -eq 0 ]
