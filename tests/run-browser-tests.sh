#!/usr/bin/env bash
# Stability check of the browser suite: builds tests/AuditPortal.EndToEndTests once, runs it N times in a row
# (default 10) with `dotnet test --no-build`, and prints "N runs, F failures". A run fails when any test fails.
# Failed runs keep their TRX file in TestResults/browser-runs/ for the cause. Exits non-zero when a run failed.
set -uo pipefail
cd "$(dirname "$0")/.."
runs="${1:-10}"
project=tests/AuditPortal.EndToEndTests
out=TestResults/browser-runs
rm -rf "$out" && mkdir -p "$out"

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
dotnet build "$project" >/dev/null || { echo "build failed"; exit 1; }

failures=0
for i in $(seq 1 "$runs"); do
  start=$(date +%s)
  rm -f TestResults/AuditPortal.EndToEndTests.trx
  dotnet test "$project" --no-build >"$out/run-$i.log" 2>&1
  rc=$?
  # tests/Directory.Build.props names the TRX file after the project: keep one per run.
  mv TestResults/AuditPortal.EndToEndTests.trx "$out/run-$i.trx" 2>/dev/null
  counters=$(grep -o '<Counters [^>]*' "$out/run-$i.trx" 2>/dev/null | head -1)
  summary=$(echo "$counters" | grep -o ' \(total\|passed\|failed\)="[0-9]*"' | tr -d '"' | tr '\n' ' ')
  if [ "$rc" -ne 0 ]; then
    failures=$((failures + 1))
    echo "run $i: FAILED in $(( $(date +%s) - start )) s ($summary) - see $out/run-$i.log"
    grep -E '^\s+Failed ' "$out/run-$i.log" | head -5
  else
    echo "run $i: passed in $(( $(date +%s) - start )) s ($summary)"
    rm -f "$out/run-$i.log"
  fi
done
echo "$runs runs, $failures failures"
[ "$failures" -eq 0 ]
